package scclient

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// WebSocket opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0
	opText         = 1
	opBinary       = 2
	opClose        = 8
	opPing         = 9
	opPong         = 10
)

// readBufSize is the size of the buffers frames are parsed in. A busy
// connection reads up to this much per syscall; an idle one holds none.
const readBufSize = 32 << 10

// ownReadBufSize is the buffer of a connection whose reads cannot wait for
// data without one (TLS, custom dialers); it keeps it for its lifetime.
const ownReadBufSize = 4 << 10

var readBufPool = sync.Pool{New: func() any {
	b := make([]byte, readBufSize)
	return &b
}}

// errProtocol marks a frame that breaks RFC 6455; the connection is closed
// with 1002.
var errProtocol = errors.New("websocket protocol error")

// protocolError describes one RFC 6455 violation by the server.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return "websocket: " + e.msg }
func (e *protocolError) Unwrap() error { return errProtocol }

// controlHandler handles a ping, pong or close frame; its payload is only
// valid during the call. An error ends the read.
type controlHandler func(op int, payload []byte) error

// wsReader reads the server's WebSocket messages straight from the
// connection. On a connection that can wait for data without a buffer, the
// frames are parsed in a buffer from readBufPool that goes back to the pool
// whenever a read finds nothing to do, so an idle socket holds none; other
// connections keep a small buffer of their own. Every message is copied
// once, into memory consumers may keep: a slice of its own, or its part
// of a block it shares with messages that arrived with it (copyMessage).
type wsReader struct {
	src     io.Reader       // the plaintext byte stream (after TLS, if any)
	raw     syscall.RawConn // set when reads can wait for data without a buffer
	limit   int64           // the largest message accepted
	control controlHandler

	bp   *[]byte // the pooled buffer in use, if any
	buf  []byte
	r, w int // unread bytes are buf[r:w]

	rawRead func(fd uintptr) bool // r.readFD as a value, made once
	rawN    int
	rawErr  error

	// block holds copies of messages that arrived together (see
	// copyMessage); consumers own its filled part. It is sized to the
	// buffered messages it is for and let go once full, so a drained
	// reader holds none.
	block []byte

	reads    uint64 // reads that brought bytes
	rawBytes uint64 // bytes read from raw into buf
	inflate  bool   // permessage-deflate was negotiated
	boundary bool   // next is waiting for the first byte of a message
	// noWait makes next return errWouldWait, instead of reading, when the
	// next frame (and, for a fragment, the rest of its message) is not
	// all buffered; next then never waits for the network.
	noWait bool
	// onDeadline, when set, decides what a read that hit the connection's
	// read deadline does: nil to wait on, an error to return (errIdle
	// only at a message boundary); os.ErrDeadlineExceeded returns the
	// read's own error.
	onDeadline func(boundary bool) error
	// beforeWait, when set, runs when a raw read found nothing, just
	// before the read waits for the descriptor.
	beforeWait func(fd uintptr)
}

// newWSReader reads from src, starting with the bytes in pending that were
// already read from it. raw may be nil.
func newWSReader(src io.Reader, raw syscall.RawConn, pending []byte, limit int64, inflate bool, control controlHandler) *wsReader {
	r := &wsReader{src: src, raw: raw, limit: limit, inflate: inflate, control: control}
	if raw != nil {
		r.rawRead = r.readFD
	} else {
		r.buf = make([]byte, ownReadBufSize)
	}
	if len(pending) > 0 {
		r.acquire()
		if len(pending) > len(r.buf) {
			r.bp, r.buf = nil, make([]byte, len(pending))
		}
		r.w = copy(r.buf, pending)
	}
	return r
}

// acquire makes sure there is a buffer to read into.
func (r *wsReader) acquire() {
	if r.buf == nil {
		r.bp = readBufPool.Get().(*[]byte)
		r.buf = *r.bp
	}
}

// release lets go of the buffer when every byte in it was consumed and
// reads can wait without one; a pooled buffer goes back to the pool.
func (r *wsReader) release() {
	if r.raw == nil || r.r != r.w {
		return
	}
	if r.bp != nil {
		readBufPool.Put(r.bp)
	}
	r.bp, r.buf, r.r, r.w = nil, nil, 0, 0
}

// Messages of blockMsgMin to blockMsgMax bytes that arrive together are
// copied into one shared block of at most blockSize bytes instead of a
// slice each: fewer, larger objects cost the garbage collector less.
const (
	blockSize   = 32 << 10
	blockMsgMin = 256
	blockMsgMax = 4 << 10
)

// copyMessage returns a copy of the n buffered bytes at r.r, the whole
// payload of a message, that consumers may keep. When whole messages that
// fit in a block are buffered after it, the copy starts a block sized to
// hold exactly them, which they then fill; a message received alone gets
// a slice of its own.
func (r *wsReader) copyMessage(n int) []byte {
	p := r.buf[r.r : r.r+n]
	if !r.fitsBlock(n) {
		return append([]byte(nil), p...)
	}
	if cap(r.block)-len(r.block) < n {
		size := r.burstSize(n)
		if size == n {
			return append([]byte(nil), p...)
		}
		r.block = make([]byte, 0, size)
	}
	start := len(r.block)
	r.block = append(r.block, p...)
	msg := r.block[start:len(r.block):len(r.block)]
	if len(r.block) == cap(r.block) {
		r.block = nil // full: it belongs to its messages alone
	}
	return msg
}

// fitsBlock reports whether a message of n bytes, sent in one frame, is
// copied into a block: it must be completed in the read buffer too.
func (r *wsReader) fitsBlock(n int) bool {
	return n >= blockMsgMin && n <= min(blockMsgMax, r.bufferedPayloadMax())
}

// burstSize is n plus the payload sizes of the buffered whole messages
// after the one at r.r that fit in a block, as many as blockSize holds.
func (r *wsReader) burstSize(n int) int {
	total, pos := n, r.r+n
	for {
		hlen, size, ok := r.frameAt(pos)
		if !ok {
			return total
		}
		b0, op := r.buf[pos], int(r.buf[pos]&0x0f)
		whole := b0&0x80 != 0 && b0&0x40 == 0 // final and not compressed
		if whole && (op == opText || op == opBinary) && r.fitsBlock(size) {
			if total+size > blockSize {
				return total
			}
			total += size
		}
		pos += hlen + size
	}
}

// drained reports whether every byte read so far was consumed, so the
// next read may wait for the network.
func (r *wsReader) drained() bool { return r.r == r.w }

// readMore reads at least one byte into the buffer, after its unread
// bytes, which it first moves to the front if the tail is too short for
// need of them.
func (r *wsReader) readMore(need int) error {
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	if r.buf != nil && (len(r.buf)-r.r < need || r.w == len(r.buf)) {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.raw != nil {
		for {
			err := r.raw.Read(r.rawRead)
			if err == nil {
				break
			}
			if err = r.deadlineHit(err, r.boundary && r.r == r.w); err != nil {
				return err
			}
		}
		if r.rawErr != nil {
			return r.readError(r.rawErr)
		}
		r.w += r.rawN
		r.reads++
		r.rawBytes += uint64(r.rawN)
		return nil
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.w += n
	if n > 0 {
		r.reads++
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// deadlineHit returns the error a read that failed with err ends with, or
// nil when it should be tried again: onDeadline decides for reads that hit
// the read deadline.
func (r *wsReader) deadlineHit(err error, boundary bool) error {
	if r.onDeadline == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	if herr := r.onDeadline(boundary); herr != os.ErrDeadlineExceeded {
		return herr
	}
	return err
}

// readError gives an error of a raw read the context a net.Conn read has.
func (r *wsReader) readError(err error) error {
	if err == io.EOF {
		return err
	}
	if nc, ok := r.src.(net.Conn); ok {
		return connError("read", nc, os.NewSyscallError("read", err))
	}
	return err
}

// connError gives err the context a net.Conn read or write error has.
func connError(op string, nc net.Conn, err error) error {
	return &net.OpError{Op: op, Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: err}
}

// bufferedPayloadMax is the largest payload completed in the read buffer
// rather than read straight into the message: half the buffer.
func (r *wsReader) bufferedPayloadMax() int {
	if r.raw != nil {
		return readBufSize / 2
	}
	return len(r.buf) / 2
}

// fill makes sure at least n unread bytes are buffered; n must fit in the
// buffer (readBufSize, or ownReadBufSize without raw reads).
func (r *wsReader) fill(n int) error {
	for r.w-r.r < n {
		if err := r.readMore(n); err != nil {
			if err == io.EOF && r.w > r.r {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// appendPayload appends the next size payload bytes to msg: first what
// is buffered, then straight from the connection. Beyond 64 KiB the slice
// grows as bytes arrive, at most doubling, so a frame header claiming a
// huge length costs little until the bytes are really sent.
func (r *wsReader) appendPayload(msg []byte, size int) ([]byte, error) {
	n := min(size, r.w-r.r)
	if n < size {
		// Make room for what is claimed, up to 64 KiB, so that most
		// messages still take one allocation.
		msg = slices.Grow(msg, min(size, max(n, 64<<10)))
	}
	msg = append(msg, r.buf[r.r:r.r+n]...)
	r.r += n
	size -= n
	if size == 0 {
		return msg, nil
	}
	r.release()
	for size > 0 {
		chunk := min(size, max(len(msg), 64<<10))
		msg = slices.Grow(msg, chunk)
		k, err := io.ReadFull(r.src, msg[len(msg):len(msg)+chunk])
		msg = msg[:len(msg)+k]
		size -= k
		if k > 0 {
			r.reads++
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if err = r.deadlineHit(err, false); err != nil {
				return nil, err
			}
		}
	}
	return msg, nil
}

// next returns the next data message and its type (websocket.TextMessage
// or websocket.BinaryMessage), handling control frames on the way.
func (r *wsReader) next() (int, []byte, error) {
	var (
		mt         int
		msg        []byte
		started    bool
		compressed bool
	)
	for {
		if r.noWait && !started && !r.frameBuffered() {
			return 0, nil, errWouldWait
		}
		r.boundary = !started
		err := r.fill(2)
		r.boundary = false
		if err != nil {
			if err == io.EOF && started {
				err = io.ErrUnexpectedEOF // the stream ended inside a message
			}
			return 0, nil, err
		}
		b0, b1 := r.buf[r.r], r.buf[r.r+1]
		fin, rsv1, op := b0&0x80 != 0, b0&0x40 != 0, int(b0&0x0f)
		if b0&0x30 != 0 {
			return 0, nil, &protocolError{"reserved bits set"}
		}
		if b1&0x80 != 0 {
			return 0, nil, &protocolError{"masked frame from the server"}
		}
		hlen := headerLen(b1)
		if err := r.fill(hlen); err != nil {
			return 0, nil, err
		}
		size := payloadLen(r.buf[r.r : r.r+hlen])
		if size>>63 != 0 {
			return 0, nil, &protocolError{"frame length above 2^63"}
		}
		r.r += hlen

		switch op {
		case opClose, opPing, opPong:
			switch {
			case !fin:
				return 0, nil, &protocolError{"fragmented control frame"}
			case size > 125:
				return 0, nil, &protocolError{"control frame longer than 125 bytes"}
			case rsv1:
				return 0, nil, &protocolError{"RSV1 set on a control frame"}
			}
			if err := r.fill(int(size)); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return 0, nil, err
			}
			payload := r.buf[r.r : r.r+int(size)]
			r.r += int(size)
			if err := r.control(op, payload); err != nil {
				return 0, nil, err
			}
			continue
		case opText, opBinary:
			if started {
				return 0, nil, &protocolError{"data frame inside a fragmented message"}
			}
			if rsv1 && !r.inflate {
				return 0, nil, &protocolError{"compressed frame without permessage-deflate"}
			}
			started, mt, compressed = true, op, rsv1
		case opContinuation:
			if !started {
				return 0, nil, &protocolError{"continuation frame without a message"}
			}
			if rsv1 {
				return 0, nil, &protocolError{"RSV1 set on a continuation frame"}
			}
		default:
			return 0, nil, &protocolError{fmt.Sprintf("unknown opcode %d", op)}
		}

		if r.limit > 0 && uint64(len(msg))+size > uint64(r.limit) || size > uint64(math.MaxInt-len(msg)) {
			// Beyond the limit, or more than a slice can hold (32-bit builds).
			return 0, nil, websocket.ErrReadLimit
		}
		if msg == nil && size == 0 {
			msg = []byte{}
		}
		if int(size) <= r.bufferedPayloadMax() {
			// Small payloads are completed in the buffer, where the read
			// that completes one also brings in what follows it, and are
			// then copied once.
			if err := r.fill(int(size)); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return 0, nil, err
			}
			if msg == nil && fin && !compressed {
				msg = r.copyMessage(int(size))
			} else {
				msg = append(msg, r.buf[r.r:r.r+int(size)]...)
			}
			r.r += int(size)
		} else {
			var err error
			if msg, err = r.appendPayload(msg, int(size)); err != nil {
				return 0, nil, err
			}
		}
		if !fin {
			continue
		}
		if compressed {
			var err error
			if msg, err = inflateMessage(msg, r.limit); err != nil {
				return 0, nil, err
			}
		}
		return mt, msg, nil
	}
}

// headerLen is the length of a frame header whose second byte is b1.
func headerLen(b1 byte) int {
	switch b1 & 0x7f {
	case 126:
		return 4
	case 127:
		return 10
	}
	return 2
}

// payloadLen is the payload length a whole frame header h announces.
func payloadLen(h []byte) uint64 {
	switch len(h) {
	case 4:
		return uint64(binary.BigEndian.Uint16(h[2:]))
	case 10:
		return binary.BigEndian.Uint64(h[2:])
	}
	return uint64(h[1] & 0x7f)
}

// errWouldWait: in noWait mode, what is buffered does not complete the
// next frame or message.
var errWouldWait = errors.New("scclient: the next message is not buffered yet")

// frameBuffered reports whether the next frame is buffered whole and, when
// it begins a fragmented message, every frame up to the message's last
// one too, so that next can return it without reading.
func (r *wsReader) frameBuffered() bool {
	pos, inMessage := r.r, false
	for {
		hlen, size, ok := r.frameAt(pos)
		if !ok {
			return false
		}
		b0 := r.buf[pos]
		pos += hlen + size
		control, fin := b0&0x08 != 0, b0&0x80 != 0
		switch {
		case control && !inMessage, !control && fin:
			return true
		case !control:
			inMessage = true
		}
	}
}

// frameAt returns the header length and payload size of the frame that
// starts at buf[pos] when all of it is buffered; ok is false otherwise.
func (r *wsReader) frameAt(pos int) (hlen, size int, ok bool) {
	if r.w-pos < 2 {
		return 0, 0, false
	}
	hlen = headerLen(r.buf[pos+1])
	if r.w-pos < hlen {
		return 0, 0, false
	}
	claimed := payloadLen(r.buf[pos : pos+hlen])
	if claimed > uint64(r.w-pos-hlen) {
		return 0, 0, false
	}
	return hlen, int(claimed), true
}

// deflateTail ends every permessage-deflate message (RFC 7692 §7.2.2),
// followed by an empty final block so the reader reports the end.
const deflateTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

var flateReaders sync.Pool

// inflateMessage decompresses a permessage-deflate message of at most
// limit bytes once decompressed (no bound when limit is not positive).
func inflateMessage(msg []byte, limit int64) ([]byte, error) {
	src := io.MultiReader(bytes.NewReader(msg), strings.NewReader(deflateTail))
	fr, _ := flateReaders.Get().(io.ReadCloser)
	if fr == nil {
		fr = flate.NewReader(src)
	} else if err := fr.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	defer func() {
		// Let go of the message before the reader waits in the pool.
		_ = fr.(flate.Resetter).Reset(bytes.NewReader(nil), nil)
		flateReaders.Put(fr)
	}()
	var out bytes.Buffer
	var inflated io.Reader = fr
	if limit > 0 {
		inflated = io.LimitReader(fr, limit+1)
	}
	n, err := out.ReadFrom(inflated)
	if err != nil {
		return nil, &protocolError{"invalid compressed message: " + err.Error()}
	}
	if limit > 0 && n > limit {
		return nil, websocket.ErrReadLimit
	}
	return out.Bytes(), nil
}

// parseClose splits a close frame's payload into code and reason, with
// 1005 for an empty one (RFC 6455 §7.1.5).
func parseClose(payload []byte) (int, string, error) {
	if len(payload) == 0 {
		return websocket.CloseNoStatusReceived, "", nil
	}
	if len(payload) == 1 {
		return 0, "", &protocolError{"close frame of one byte"}
	}
	code := int(binary.BigEndian.Uint16(payload))
	reason := payload[2:]
	if !validCloseCode(code) {
		return 0, "", &protocolError{"invalid close code"}
	}
	if !utf8.Valid(reason) {
		return 0, "", &protocolError{"close reason is not UTF-8"}
	}
	return code, string(reason), nil
}

// rawConnOf returns the RawConn of nc when reads on it can wait for data
// without holding a buffer; nil otherwise.
func rawConnOf(nc net.Conn) syscall.RawConn {
	if !canWaitRaw {
		return nil
	}
	var sc syscall.Conn
	switch c := nc.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
