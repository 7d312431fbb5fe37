package scclient

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// buildFrame builds one WebSocket frame with the shortest length form for
// its payload; when mask is not nil the payload is masked with that key, as
// only a client may send it.
func buildFrame(fin, rsv1 bool, op int, mask *[4]byte, payload []byte) []byte {
	b0 := byte(op & 0x0f)
	if fin {
		b0 |= 0x80
	}
	if rsv1 {
		b0 |= 0x40
	}
	out := []byte{b0}
	var maskBit byte
	if mask != nil {
		maskBit = 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		out = append(out, maskBit|byte(n))
	case n <= 0xffff:
		out = append(out, maskBit|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, maskBit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if mask == nil {
		return append(out, payload...)
	}
	out = append(out, mask[:]...)
	for i, c := range payload {
		out = append(out, c^mask[i%4])
	}
	return out
}

// serverFrame builds an unmasked frame, as a server sends it.
func serverFrame(fin, rsv1 bool, op int, payload []byte) []byte {
	return buildFrame(fin, rsv1, op, nil, payload)
}

// maskedFrame builds a frame masked with key, as only a client may send it.
func maskedFrame(fin, rsv1 bool, op int, key [4]byte, payload []byte) []byte {
	return buildFrame(fin, rsv1, op, &key, payload)
}

// wsrJoin concatenates byte slices into a new one.
func wsrJoin(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// wsrPayload returns n pseudo-random bytes that depend on seed, so that a
// byte read from the wrong offset shows.
func wsrPayload(n int, seed uint32) []byte {
	b := make([]byte, n)
	x := seed*2654435761 + 1
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 16)
	}
	return b
}

// wsrClosePayload builds the payload of a close frame.
func wsrClosePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// oneByteReader hands out its bytes one per Read, so every header and
// payload arrives in pieces.
type oneByteReader struct{ data []byte }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.data[0]
	o.data = o.data[1:]
	return 1, nil
}

// controlLog records the control frames a reader reports; err, if set, is
// returned for close frames.
type controlLog struct {
	ops      []int
	payloads [][]byte
	err      error
}

func (c *controlLog) handle(op int, payload []byte) error {
	c.ops = append(c.ops, op)
	c.payloads = append(c.payloads, bytes.Clone(payload))
	if op == opClose {
		return c.err
	}
	return nil
}

// noControl returns a control handler that fails the test when called.
func noControl(t *testing.T) controlHandler {
	return func(op int, payload []byte) error {
		t.Errorf("unexpected control frame: op %d payload %q", op, payload)
		return nil
	}
}

// wsrLoopback returns both ends of a fresh TCP connection on 127.0.0.1,
// closed when the test ends.
func wsrLoopback(t testing.TB) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		c.Close()
		t.Fatal("accept failed")
	}
	t.Cleanup(func() {
		c.Close()
		s.Close()
	})
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// wsrChunks splits b at a few small offsets (inside the first headers) and
// in the middle, so a reader sees partial headers and payloads.
func wsrChunks(b []byte) [][]byte {
	var chunks [][]byte
	prev := 0
	for _, cut := range []int{1, 2, 3, 5, 11, len(b) / 2, len(b) - 1, len(b)} {
		if cut > prev && cut <= len(b) {
			chunks = append(chunks, b[prev:cut])
			prev = cut
		}
	}
	return chunks
}

// wsrSend writes stream on server from a goroutine, in one write or in
// chunks with short pauses, then shuts down the server's sending side. The
// returned channel is closed once everything was written.
func wsrSend(t testing.TB, client, server *net.TCPConn, stream []byte, chunked bool) <-chan struct{} {
	sent := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		chunks := [][]byte{stream}
		if chunked {
			chunks = wsrChunks(stream)
		}
		for i, c := range chunks {
			if i > 0 {
				time.Sleep(2 * time.Millisecond)
			}
			if _, err := server.Write(c); err != nil {
				return // the reader gave up early
			}
		}
		close(sent)
		_ = server.CloseWrite()
	}()
	t.Cleanup(func() {
		client.Close()
		server.Close()
		<-done
	})
	return sent
}

// wsrRaw returns rawConnOf(c), failing the test where raw reads are
// available and none was returned.
func wsrRaw(t testing.TB, c net.Conn) syscall.RawConn {
	t.Helper()
	raw := rawConnOf(c)
	if canWaitRaw && raw == nil {
		t.Fatal("rawConnOf returned nil for a TCP connection")
	}
	if !canWaitRaw && raw != nil {
		t.Fatal("rawConnOf returned a RawConn where raw reads are not supported")
	}
	return raw
}

// wsReaderMode is one way of feeding a byte stream to a wsReader.
type wsReaderMode struct {
	name string
	// drain says what drained() reports after a message with more small
	// frames behind it: "ahead" when they were read along (buffered),
	// "exact" when the reader never reads past what it needs, "" when it
	// depends on timing.
	drain string
	open  func(t *testing.T, stream, pending []byte, limit int64, inflate bool, control controlHandler) (*wsReader, <-chan struct{})
}

// wsrAlreadySent is a closed channel, for sources that hold all bytes.
var wsrAlreadySent = func() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// wsrOpenTCP returns a mode opener that sends the stream over loopback TCP
// and reads it with a RawConn where available.
func wsrOpenTCP(chunked bool) func(*testing.T, []byte, []byte, int64, bool, controlHandler) (*wsReader, <-chan struct{}) {
	return func(t *testing.T, stream, pending []byte, limit int64, inflate bool, control controlHandler) (*wsReader, <-chan struct{}) {
		client, server := wsrLoopback(t)
		raw := wsrRaw(t, client)
		sent := wsrSend(t, client, server, stream, chunked)
		return newWSReader(client, raw, pending, limit, inflate, control), sent
	}
}

// wsReaderModes are the plain io.Reader and raw TCP ways of reading.
var wsReaderModes = []wsReaderMode{
	{"bytes", "ahead", func(_ *testing.T, stream, pending []byte, limit int64, inflate bool, control controlHandler) (*wsReader, <-chan struct{}) {
		return newWSReader(bytes.NewReader(stream), nil, pending, limit, inflate, control), wsrAlreadySent
	}},
	{"onebyte", "exact", func(_ *testing.T, stream, pending []byte, limit int64, inflate bool, control controlHandler) (*wsReader, <-chan struct{}) {
		return newWSReader(&oneByteReader{stream}, nil, pending, limit, inflate, control), wsrAlreadySent
	}},
	{"tcp", "ahead", wsrOpenTCP(false)},
	{"tcpchunked", "", wsrOpenTCP(true)},
}

// wsrMessage is one data message a reader returned.
type wsrMessage struct {
	mt      int
	payload []byte
}

// wsrReadAll calls next until it fails, at most max times, and returns the
// messages and the error.
func wsrReadAll(t *testing.T, r *wsReader, max int) ([]wsrMessage, error) {
	t.Helper()
	var msgs []wsrMessage
	for range max {
		mt, p, err := r.next()
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, wsrMessage{mt, p})
	}
	t.Fatalf("next returned %d messages without an error", max)
	return nil, nil
}

// wsrCheckMessages compares returned messages with the expected ones.
func wsrCheckMessages(t *testing.T, got, want []wsrMessage) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].mt != want[i].mt {
			t.Errorf("message %d: type %d, want %d", i, got[i].mt, want[i].mt)
		}
		if !bytes.Equal(got[i].payload, want[i].payload) {
			t.Errorf("message %d: payload of %d bytes differs from the %d bytes sent", i, len(got[i].payload), len(want[i].payload))
		}
	}
}

func TestWSReaderFrameHelpers(t *testing.T) {
	for _, tc := range []struct {
		size, hlen int
		b1         byte
	}{
		{0, 2, 0}, {125, 2, 125}, {126, 4, 126}, {65535, 4, 126}, {65536, 10, 127},
	} {
		f := serverFrame(true, false, opBinary, make([]byte, tc.size))
		if f[0] != 0x82 || f[1] != tc.b1 || len(f) != tc.hlen+tc.size {
			t.Errorf("size %d: header % x, length %d", tc.size, f[:2], len(f))
		}
	}
	m := maskedFrame(false, true, opText, [4]byte{1, 2, 3, 4}, []byte{1, 2, 3, 4, 5})
	if !bytes.Equal(m, []byte{0x41, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 4}) {
		t.Errorf("masked frame % x", m)
	}
}

func TestWSReaderMessages(t *testing.T) {
	for _, m := range wsReaderModes {
		for _, size := range []int{0, 1, 125, 126, 65535, 65536, 200 << 10} {
			for _, op := range []int{opText, opBinary} {
				t.Run(fmt.Sprintf("%s/size%d/op%d", m.name, size, op), func(t *testing.T) {
					payload := wsrPayload(size, uint32(size+op))
					r, _ := m.open(t, serverFrame(true, false, op, payload), nil, 1<<20, false, noControl(t))
					mt, got, err := r.next()
					if err != nil {
						t.Fatal(err)
					}
					if mt != op {
						t.Errorf("type %d, want %d", mt, op)
					}
					if !bytes.Equal(got, payload) {
						t.Errorf("payload of %d bytes differs from the %d sent", len(got), size)
					}
					if !r.drained() {
						t.Error("drained() is false after the only message")
					}
					if _, _, err := r.next(); err != io.EOF {
						t.Errorf("after the last message: %v, want io.EOF", err)
					}
				})
			}
		}
	}
}

// wsrCountingReader notes the largest buffer it was asked to fill.
type wsrCountingReader struct {
	r       io.Reader
	largest int
}

func (c *wsrCountingReader) Read(p []byte) (int, error) {
	c.largest = max(c.largest, len(p))
	return c.r.Read(p)
}

func TestWSReaderLargePayloadReadsDirect(t *testing.T) {
	payload := wsrPayload(200<<10, 7)
	src := &wsrCountingReader{r: bytes.NewReader(serverFrame(true, false, opBinary, payload))}
	r := newWSReader(src, nil, nil, 1<<20, false, noControl(t))
	_, got, err := r.next()
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("next: %v, %d bytes", err, len(got))
	}
	if src.largest <= ownReadBufSize {
		t.Errorf("largest read was %d bytes; the payload was not read straight into the message", src.largest)
	}
}

// A frame header may claim up to the read limit; the reader must not
// allocate that much before the bytes arrive.
func TestWSReaderDoesNotTrustClaimedLength(t *testing.T) {
	header := []byte{0x82, 127, 0, 0, 0, 0, 0x03, 0xc0, 0, 0} // 60 MiB
	src := io.MultiReader(bytes.NewReader(header), bytes.NewReader(make([]byte, 1000)))
	r := newWSReader(src, nil, nil, 64<<20, false, noControl(t))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := r.next()
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("next: %v, want io.ErrUnexpectedEOF", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes for a frame that sent 1000", got)
	}
}

func TestWSReaderBackToBack(t *testing.T) {
	small := []wsrMessage{
		{opText, []byte("a")},
		{opBinary, []byte{}},
		{opText, wsrPayload(126, 1)},
		{opBinary, wsrPayload(300, 2)},
		{opText, []byte("z")},
	}
	mixed := []wsrMessage{
		{opText, []byte("first")},
		{opBinary, wsrPayload(70000, 3)},
		{opText, wsrPayload(40000, 4)},
		{opBinary, wsrPayload(5, 5)},
		{opBinary, wsrPayload(65536, 6)},
		{opText, []byte("last")},
	}
	var many []wsrMessage // headers straddle every buffer's end somewhere
	for i := range 50 {
		many = append(many, wsrMessage{opBinary, wsrPayload(1000+i*7, uint32(i))})
	}
	for _, m := range wsReaderModes {
		for _, tc := range []struct {
			name  string
			msgs  []wsrMessage
			drain bool
		}{{"small", small, true}, {"mixed", mixed, false}, {"many", many, false}} {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				var stream []byte
				for _, msg := range tc.msgs {
					stream = append(stream, serverFrame(true, false, msg.mt, msg.payload)...)
				}
				r, sent := m.open(t, stream, nil, 1<<20, false, noControl(t))
				<-sent
				var got []wsrMessage
				for i := range tc.msgs {
					mt, p, err := r.next()
					if err != nil {
						t.Fatalf("message %d: %v", i, err)
					}
					got = append(got, wsrMessage{mt, p})
					last := i == len(tc.msgs)-1
					switch {
					case last && !r.drained():
						t.Errorf("drained() is false after the last message")
					case !last && tc.drain && m.drain == "ahead" && r.drained():
						t.Errorf("drained() is true after message %d with more bytes buffered", i)
					case !last && m.drain == "exact" && !r.drained():
						t.Errorf("drained() is false after message %d though nothing was read ahead", i)
					}
				}
				wsrCheckMessages(t, got, tc.msgs)
				if _, _, err := r.next(); err != io.EOF {
					t.Errorf("after the last message: %v, want io.EOF", err)
				}
			})
		}
	}
}

func TestWSReaderFragmented(t *testing.T) {
	big1, big2, one, p125 := wsrPayload(40000, 1), wsrPayload(30000, 2), wsrPayload(1, 3), wsrPayload(125, 4)
	for _, tc := range []struct {
		name     string
		stream   []byte
		want     wsrMessage
		ops      []int
		payloads [][]byte
	}{
		{
			name: "text with a ping",
			stream: wsrJoin(
				serverFrame(false, false, opText, []byte("Hel")),
				serverFrame(true, false, opPing, []byte("p1")),
				serverFrame(false, false, opContinuation, []byte("lo, ")),
				serverFrame(true, false, opContinuation, []byte("world")),
			),
			want:     wsrMessage{opText, []byte("Hello, world")},
			ops:      []int{opPing},
			payloads: [][]byte{[]byte("p1")},
		},
		{
			name: "large binary fragments with pong and ping",
			stream: wsrJoin(
				serverFrame(false, false, opBinary, big1),
				serverFrame(true, false, opPong, nil),
				serverFrame(false, false, opContinuation, one),
				serverFrame(true, false, opPing, p125),
				serverFrame(true, false, opContinuation, big2),
			),
			want:     wsrMessage{opBinary, wsrJoin(big1, one, big2)},
			ops:      []int{opPong, opPing},
			payloads: [][]byte{{}, p125},
		},
		{
			name: "empty fragments",
			stream: wsrJoin(
				serverFrame(false, false, opText, nil),
				serverFrame(false, false, opContinuation, nil),
				serverFrame(true, false, opContinuation, nil),
			),
			want: wsrMessage{opText, []byte{}},
		},
		{
			name: "empty first fragment",
			stream: wsrJoin(
				serverFrame(false, false, opBinary, nil),
				serverFrame(true, false, opContinuation, []byte("abc")),
			),
			want: wsrMessage{opBinary, []byte("abc")},
		},
	} {
		for _, m := range wsReaderModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				var ctl controlLog
				r, _ := m.open(t, tc.stream, nil, 1<<20, false, ctl.handle)
				msgs, err := wsrReadAll(t, r, 10)
				if err != io.EOF {
					t.Errorf("error %v, want io.EOF", err)
				}
				wsrCheckMessages(t, msgs, []wsrMessage{tc.want})
				if fmt.Sprint(ctl.ops) != fmt.Sprint(tc.ops) {
					t.Errorf("control ops %v, want %v", ctl.ops, tc.ops)
				}
				for i := range min(len(ctl.payloads), len(tc.payloads)) {
					if !bytes.Equal(ctl.payloads[i], tc.payloads[i]) {
						t.Errorf("control %d payload %q, want %q", i, ctl.payloads[i], tc.payloads[i])
					}
				}
			})
		}
	}
}

func TestWSReaderPending(t *testing.T) {
	want := []wsrMessage{
		{opText, []byte("first")},
		{opBinary, wsrPayload(5000, 1)},
		{opText, []byte("last")},
	}
	stream := wsrJoin(
		serverFrame(true, false, opText, want[0].payload),
		serverFrame(true, false, opPing, []byte("x")),
		serverFrame(true, false, opBinary, want[1].payload),
		serverFrame(true, false, opText, want[2].payload),
	)
	var cuts []int
	for i := range 20 {
		cuts = append(cuts, i)
	}
	cuts = append(cuts, 100, 2000, 4095, 4096, 4097, len(stream)-7, len(stream)-6, len(stream)-5, len(stream)-1, len(stream))

	bigWant := []wsrMessage{
		{opBinary, wsrPayload(40000, 2)},
		{opText, []byte("tail")},
		{opBinary, wsrPayload(40000, 3)},
	}
	bigStream := wsrJoin(
		serverFrame(true, false, opBinary, bigWant[0].payload),
		serverFrame(true, false, opText, bigWant[1].payload),
		serverFrame(true, false, opBinary, bigWant[2].payload),
	)
	for _, m := range wsReaderModes {
		tcp := strings.HasPrefix(m.name, "tcp")
		for _, cut := range cuts {
			if tcp && cut > 2 && cut < len(stream)-6 && cut != 2000 {
				continue // a few cuts are enough over a real connection
			}
			t.Run(fmt.Sprintf("%s/cut%d", m.name, cut), func(t *testing.T) {
				var ctl controlLog
				r, _ := m.open(t, stream[cut:], stream[:cut], 1<<20, false, ctl.handle)
				msgs, err := wsrReadAll(t, r, 10)
				if err != io.EOF {
					t.Errorf("error %v, want io.EOF", err)
				}
				wsrCheckMessages(t, msgs, want)
				if len(ctl.ops) != 1 || ctl.ops[0] != opPing || string(ctl.payloads[0]) != "x" {
					t.Errorf("control frames %v %q, want one ping \"x\"", ctl.ops, ctl.payloads)
				}
			})
		}
		// Pending bytes beyond every read buffer, ending inside the second
		// frame's header, the third frame's header and its payload.
		for _, cut := range []int{40010 + 1, 40010 + 6 + 3, 40010 + 6 + 10 + 20000} {
			t.Run(fmt.Sprintf("%s/bigcut%d", m.name, cut), func(t *testing.T) {
				r, _ := m.open(t, bigStream[cut:], bigStream[:cut], 1<<20, false, noControl(t))
				msgs, err := wsrReadAll(t, r, 10)
				if err != io.EOF {
					t.Errorf("error %v, want io.EOF", err)
				}
				wsrCheckMessages(t, msgs, bigWant)
			})
		}
	}
}

func TestWSReaderClose(t *testing.T) {
	errStop := errors.New("stop")
	for _, tc := range []struct {
		name     string
		stream   []byte
		ctlErr   error
		msgs     []wsrMessage
		wantErr  error
		ops      []int
		payloads [][]byte
	}{
		{
			name:     "handled close then a message",
			stream:   wsrJoin(serverFrame(true, false, opClose, wsrClosePayload(1000, "bye")), serverFrame(true, false, opText, []byte("after"))),
			msgs:     []wsrMessage{{opText, []byte("after")}},
			wantErr:  io.EOF,
			ops:      []int{opClose},
			payloads: [][]byte{wsrClosePayload(1000, "bye")},
		},
		{
			name:     "close ends the read",
			stream:   wsrJoin(serverFrame(true, false, opPing, []byte("hi")), serverFrame(true, false, opClose, wsrClosePayload(4001, "x")), serverFrame(true, false, opText, []byte("never"))),
			ctlErr:   errStop,
			wantErr:  errStop,
			ops:      []int{opPing, opClose},
			payloads: [][]byte{[]byte("hi"), wsrClosePayload(4001, "x")},
		},
		{
			name:     "empty close",
			stream:   serverFrame(true, false, opClose, nil),
			ctlErr:   errStop,
			wantErr:  errStop,
			ops:      []int{opClose},
			payloads: [][]byte{{}},
		},
		{
			name:     "close inside a fragmented message",
			stream:   wsrJoin(serverFrame(false, false, opText, []byte("ab")), serverFrame(true, false, opClose, wsrClosePayload(1001, ""))),
			ctlErr:   errStop,
			wantErr:  errStop,
			ops:      []int{opClose},
			payloads: [][]byte{wsrClosePayload(1001, "")},
		},
		{
			name:     "message then close",
			stream:   wsrJoin(serverFrame(true, false, opBinary, []byte{1, 2}), serverFrame(true, false, opClose, wsrClosePayload(1000, ""))),
			ctlErr:   errStop,
			msgs:     []wsrMessage{{opBinary, []byte{1, 2}}},
			wantErr:  errStop,
			ops:      []int{opClose},
			payloads: [][]byte{wsrClosePayload(1000, "")},
		},
	} {
		for _, m := range wsReaderModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				ctl := controlLog{err: tc.ctlErr}
				r, _ := m.open(t, tc.stream, nil, 1<<20, false, ctl.handle)
				msgs, err := wsrReadAll(t, r, 10)
				if err != tc.wantErr {
					t.Errorf("error %v, want %v", err, tc.wantErr)
				}
				wsrCheckMessages(t, msgs, tc.msgs)
				if fmt.Sprint(ctl.ops) != fmt.Sprint(tc.ops) {
					t.Fatalf("control ops %v, want %v", ctl.ops, tc.ops)
				}
				for i := range tc.payloads {
					if !bytes.Equal(ctl.payloads[i], tc.payloads[i]) {
						t.Errorf("control %d payload %q, want %q", i, ctl.payloads[i], tc.payloads[i])
					}
				}
			})
		}
	}

	// The connection's own handler turns a close frame into a CloseError.
	t.Run("close error with code", func(t *testing.T) {
		r := newWSReader(bytes.NewReader(serverFrame(true, false, opClose, wsrClosePayload(4001, "gone"))), nil, nil, 1<<20, false,
			func(op int, payload []byte) error {
				code, reason, err := parseClose(payload)
				if err != nil {
					return err
				}
				return &websocket.CloseError{Code: code, Text: reason}
			})
		_, _, err := r.next()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 || ce.Text != "gone" {
			t.Errorf("error %v, want a CloseError 4001 \"gone\"", err)
		}
	})
}

func TestParseClose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload []byte
		code    int
		reason  string
		bad     bool
	}{
		{name: "empty", payload: nil, code: 1005},
		{name: "one byte", payload: []byte{0x03}, bad: true},
		{name: "code 0", payload: wsrClosePayload(0, ""), bad: true},
		{name: "code 999", payload: wsrClosePayload(999, ""), bad: true},
		{name: "code 1004", payload: wsrClosePayload(1004, ""), bad: true},
		{name: "code 1005", payload: wsrClosePayload(1005, ""), bad: true},
		{name: "code 1006", payload: wsrClosePayload(1006, "x"), bad: true},
		{name: "code 1015", payload: wsrClosePayload(1015, ""), bad: true},
		{name: "code 2999", payload: wsrClosePayload(2999, ""), bad: true},
		{name: "code 5000", payload: wsrClosePayload(5000, ""), bad: true},
		{name: "code 65535", payload: wsrClosePayload(65535, ""), bad: true},
		{name: "invalid UTF-8 reason", payload: wsrClosePayload(1000, "ok\xff"), bad: true},
		{name: "truncated UTF-8 reason", payload: wsrClosePayload(1000, "\xc3"), bad: true},
		{name: "1000 bye", payload: wsrClosePayload(1000, "bye"), code: 1000, reason: "bye"},
		{name: "1000 no reason", payload: wsrClosePayload(1000, ""), code: 1000},
		{name: "1001 UTF-8", payload: wsrClosePayload(1001, "ünï ✓"), code: 1001, reason: "ünï ✓"},
		{name: "1003", payload: wsrClosePayload(1003, ""), code: 1003},
		{name: "1007", payload: wsrClosePayload(1007, ""), code: 1007},
		{name: "1014", payload: wsrClosePayload(1014, ""), code: 1014},
		{name: "3000", payload: wsrClosePayload(3000, "a"), code: 3000, reason: "a"},
		{name: "4001", payload: wsrClosePayload(4001, ""), code: 4001},
		{name: "4999", payload: wsrClosePayload(4999, "z"), code: 4999, reason: "z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, reason, err := parseClose(tc.payload)
			if tc.bad {
				if !errors.Is(err, errProtocol) {
					t.Errorf("got (%d, %q, %v), want a protocol error", code, reason, err)
				}
				return
			}
			if err != nil || code != tc.code || reason != tc.reason {
				t.Errorf("got (%d, %q, %v), want (%d, %q, nil)", code, reason, err, tc.code, tc.reason)
			}
		})
	}
}

func TestWSReaderProtocolErrors(t *testing.T) {
	key := [4]byte{0x11, 0x22, 0x33, 0x44}
	topBit := wsrJoin([]byte{0x82, 0x7f}, binary.BigEndian.AppendUint64(nil, 1<<63|5), []byte("hello"))
	allOnes := wsrJoin([]byte{0x82, 0x7f}, bytes.Repeat([]byte{0xff}, 8))
	for _, tc := range []struct {
		name    string
		stream  []byte
		inflate bool
		good    int // valid messages before the error
	}{
		{name: "RSV2", stream: []byte{0x80 | 0x20 | opText, 0}},
		{name: "RSV3", stream: []byte{0x80 | 0x10 | opText, 0}},
		{name: "RSV2 on a ping", stream: []byte{0x80 | 0x20 | opPing, 0}},
		{name: "RSV3 with inflate", stream: []byte{0x80 | 0x40 | 0x10 | opBinary, 0}, inflate: true},
		{name: "masked text", stream: maskedFrame(true, false, opText, key, []byte("hi"))},
		{name: "masked empty ping", stream: maskedFrame(true, false, opPing, key, nil)},
		{name: "masked after a good message", stream: wsrJoin(serverFrame(true, false, opText, []byte("ok")), maskedFrame(true, false, opBinary, key, []byte("x"))), good: 1},
		{name: "opcode 3", stream: serverFrame(true, false, 3, nil)},
		{name: "opcode 7", stream: serverFrame(true, false, 7, []byte("x"))},
		{name: "opcode 11", stream: serverFrame(true, false, 11, nil)},
		{name: "opcode 15", stream: serverFrame(true, false, 15, []byte("x"))},
		{name: "ping without fin", stream: serverFrame(false, false, opPing, []byte("x"))},
		{name: "close without fin", stream: serverFrame(false, false, opClose, wsrClosePayload(1000, ""))},
		{name: "ping of 126 bytes", stream: serverFrame(true, false, opPing, wsrPayload(126, 1))},
		{name: "pong of 65536 bytes", stream: serverFrame(true, false, opPong, wsrPayload(65536, 1))},
		{name: "close with RSV1", stream: serverFrame(true, true, opClose, nil), inflate: true},
		{name: "continuation without a message", stream: serverFrame(true, false, opContinuation, []byte("x"))},
		{name: "unfinished continuation without a message", stream: serverFrame(false, false, opContinuation, []byte("x"))},
		{name: "continuation after a finished message", stream: wsrJoin(serverFrame(true, false, opText, []byte("a")), serverFrame(true, false, opContinuation, []byte("b"))), good: 1},
		{name: "text inside a fragmented message", stream: wsrJoin(serverFrame(false, false, opText, []byte("a")), serverFrame(true, false, opText, []byte("b")))},
		{name: "binary inside a fragmented message", stream: wsrJoin(serverFrame(false, false, opText, []byte("a")), serverFrame(false, false, opContinuation, []byte("b")), serverFrame(true, false, opBinary, []byte("c")))},
		{name: "RSV1 without inflate", stream: serverFrame(true, true, opText, []byte("x"))},
		{name: "RSV1 without inflate after a good message", stream: wsrJoin(serverFrame(true, false, opBinary, []byte("ok")), serverFrame(true, true, opBinary, []byte("x"))), good: 1},
		{name: "RSV1 on a continuation", stream: wsrJoin(serverFrame(false, true, opText, []byte("x")), serverFrame(true, true, opContinuation, []byte("y"))), inflate: true},
		{name: "RSV1 on a continuation without inflate", stream: wsrJoin(serverFrame(false, false, opText, []byte("x")), serverFrame(true, true, opContinuation, []byte("y")))},
		{name: "64-bit length with the top bit", stream: topBit},
		{name: "64-bit length all ones", stream: allOnes},
	} {
		for _, m := range wsReaderModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				r, _ := m.open(t, tc.stream, nil, 1<<20, tc.inflate, func(int, []byte) error { return nil })
				msgs, err := wsrReadAll(t, r, 10)
				if !errors.Is(err, errProtocol) {
					t.Errorf("error %v, want a protocol error", err)
				}
				if len(msgs) != tc.good {
					t.Errorf("%d messages before the error, want %d", len(msgs), tc.good)
				}
			})
		}
	}
}

func TestWSReaderReadLimit(t *testing.T) {
	header16 := []byte{0x82, 126, 0x07, 0xd0} // 2000 bytes announced, none sent
	huge := wsrJoin([]byte{0x82, 127}, binary.BigEndian.AppendUint64(nil, 1<<40))
	largest := wsrJoin([]byte{0x82, 127}, binary.BigEndian.AppendUint64(nil, 1<<63-1))
	for _, tc := range []struct {
		name   string
		limit  int64
		stream []byte
		msgs   []wsrMessage
		over   bool
	}{
		{name: "exactly at the limit", limit: 1000, stream: serverFrame(true, false, opText, wsrPayload(1000, 1)), msgs: []wsrMessage{{opText, wsrPayload(1000, 1)}}},
		{name: "one byte above", limit: 1000, stream: serverFrame(true, false, opText, wsrPayload(1001, 1)), over: true},
		{name: "large limit exactly", limit: 65536, stream: serverFrame(true, false, opBinary, wsrPayload(65536, 2)), msgs: []wsrMessage{{opBinary, wsrPayload(65536, 2)}}},
		{name: "large limit above", limit: 65535, stream: serverFrame(true, false, opBinary, wsrPayload(65536, 2)), over: true},
		{name: "fragments above", limit: 1000, stream: wsrJoin(serverFrame(false, false, opBinary, wsrPayload(600, 1)), serverFrame(true, false, opContinuation, wsrPayload(401, 2))), over: true},
		{name: "many fragments above", limit: 1000, stream: wsrJoin(serverFrame(false, false, opBinary, wsrPayload(400, 1)), serverFrame(false, false, opContinuation, wsrPayload(400, 2)), serverFrame(false, false, opContinuation, wsrPayload(200, 3)), serverFrame(true, false, opContinuation, []byte{1})), over: true},
		{name: "fragments exactly at the limit", limit: 1000, stream: wsrJoin(serverFrame(false, false, opBinary, wsrPayload(600, 1)), serverFrame(true, false, opContinuation, wsrPayload(400, 2))), msgs: []wsrMessage{{opBinary, wsrJoin(wsrPayload(600, 1), wsrPayload(400, 2))}}},
		{name: "pings do not count", limit: 10, stream: wsrJoin(serverFrame(false, false, opText, wsrPayload(6, 1)), serverFrame(true, false, opPing, wsrPayload(100, 9)), serverFrame(true, false, opContinuation, wsrPayload(4, 2))), msgs: []wsrMessage{{opText, wsrJoin(wsrPayload(6, 1), wsrPayload(4, 2))}}},
		{name: "good message then one above", limit: 1000, stream: wsrJoin(serverFrame(true, false, opText, []byte("ok")), serverFrame(true, false, opText, wsrPayload(5000, 1))), msgs: []wsrMessage{{opText, []byte("ok")}}, over: true},
		{name: "announced above without payload", limit: 1000, stream: header16, over: true},
		{name: "announced 2^40", limit: 1 << 20, stream: huge, over: true},
		{name: "announced 2^63-1", limit: 1 << 20, stream: largest, over: true},
	} {
		for _, m := range wsReaderModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				r, _ := m.open(t, tc.stream, nil, tc.limit, false, func(int, []byte) error { return nil })
				msgs, err := wsrReadAll(t, r, 10)
				wsrCheckMessages(t, msgs, tc.msgs)
				if tc.over && err != websocket.ErrReadLimit {
					t.Errorf("error %v, want websocket.ErrReadLimit", err)
				}
				if !tc.over && err != io.EOF {
					t.Errorf("error %v, want io.EOF", err)
				}
			})
		}
	}
}

func TestWSReaderTruncated(t *testing.T) {
	big := serverFrame(true, false, opBinary, wsrPayload(200<<10, 1))
	for _, tc := range []struct {
		name   string
		stream []byte
		good   int
		want   error // nil: io.EOF or io.ErrUnexpectedEOF
	}{
		{name: "nothing", stream: nil, want: io.EOF},
		{name: "one header byte", stream: []byte{0x81}, want: io.ErrUnexpectedEOF},
		{name: "16-bit length cut", stream: []byte{0x82, 126, 0x01}, want: io.ErrUnexpectedEOF},
		{name: "16-bit length missing", stream: []byte{0x82, 126}, want: io.ErrUnexpectedEOF},
		{name: "64-bit length cut", stream: []byte{0x82, 127, 0, 0, 0, 0, 0}, want: io.ErrUnexpectedEOF},
		{name: "payload missing", stream: []byte{0x81, 5}, want: io.ErrUnexpectedEOF},
		{name: "small payload cut", stream: serverFrame(true, false, opText, []byte("hello"))[:5], want: io.ErrUnexpectedEOF},
		{name: "large payload cut", stream: big[:len(big)-1000], want: io.ErrUnexpectedEOF},
		{name: "large payload missing", stream: big[:10], want: io.ErrUnexpectedEOF},
		{name: "ping payload cut", stream: serverFrame(true, false, opPing, []byte("abcdef"))[:6], want: io.ErrUnexpectedEOF},
		{name: "header cut after a message", stream: wsrJoin(serverFrame(true, false, opText, []byte("a")), []byte{0x81}), good: 1, want: io.ErrUnexpectedEOF},
		{name: "payload cut after a message", stream: wsrJoin(serverFrame(true, false, opText, []byte("a")), []byte{0x82, 3, 1}), good: 1, want: io.ErrUnexpectedEOF},
		{name: "at a frame boundary", stream: wsrJoin(serverFrame(true, false, opText, []byte("a")), serverFrame(true, false, opBinary, []byte("b"))), good: 2, want: io.EOF},
		{name: "after a large message", stream: big, good: 1, want: io.EOF},
		{name: "after a ping", stream: serverFrame(true, false, opPing, []byte("p")), want: io.EOF},
		{name: "inside a fragmented message", stream: serverFrame(false, false, opText, []byte("a"))},
	} {
		for _, m := range wsReaderModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				r, _ := m.open(t, tc.stream, nil, 1<<20, false, func(int, []byte) error { return nil })
				msgs, err := wsrReadAll(t, r, 10)
				if len(msgs) != tc.good {
					t.Errorf("%d messages, want %d", len(msgs), tc.good)
				}
				switch {
				case tc.want == nil:
					if err != io.EOF && err != io.ErrUnexpectedEOF {
						t.Errorf("error %v, want an end of stream", err)
					}
				case err != tc.want:
					t.Errorf("error %v, want %v", err, tc.want)
				}
			})
		}
	}
}

// deflateStream compresses payload into a DEFLATE stream: flushed and
// without its final 0x00 0x00 0xff 0xff, as permessage-deflate sends it, or
// closed with a final block (final), which permessage-deflate also allows.
func deflateStream(t testing.TB, payload []byte, final bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(payload); err != nil {
		t.Fatal(err)
	}
	if final {
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	out, ok := bytes.CutSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff})
	if !ok {
		t.Fatalf("flushed stream ends with % x", buf.Bytes()[max(0, buf.Len()-4):])
	}
	return out
}

// deflateMessage compresses payload as permessage-deflate sends it.
func deflateMessage(t testing.TB, payload []byte) []byte { return deflateStream(t, payload, false) }

// deflateFinal compresses payload into a stream ending with a final block.
func deflateFinal(t testing.TB, payload []byte) []byte { return deflateStream(t, payload, true) }

func TestWSReaderInflate(t *testing.T) {
	const limit = 1 << 16
	text := []byte("Hello, hello, hello, permessage-deflate!")
	abc := bytes.Repeat([]byte("abc"), 20000)
	random := wsrPayload(50000, 9)
	atLimit := bytes.Repeat([]byte("x"), limit)
	bomb := make([]byte, 10<<20)
	abcDeflated := deflateMessage(t, abc)
	third := len(abcDeflated) / 3
	for _, tc := range []struct {
		name    string
		stream  []byte
		msgs    []wsrMessage
		wantErr error // nil: io.EOF after msgs; errProtocol is matched with errors.Is
	}{
		{name: "empty", stream: serverFrame(true, true, opText, deflateMessage(t, nil)), msgs: []wsrMessage{{opText, []byte{}}}},
		{name: "short text", stream: serverFrame(true, true, opText, deflateMessage(t, text)), msgs: []wsrMessage{{opText, text}}},
		{name: "compressible binary", stream: serverFrame(true, true, opBinary, abcDeflated), msgs: []wsrMessage{{opBinary, abc}}},
		{name: "random", stream: serverFrame(true, true, opBinary, deflateMessage(t, random)), msgs: []wsrMessage{{opBinary, random}}},
		{name: "exactly at the limit", stream: serverFrame(true, true, opText, deflateMessage(t, atLimit)), msgs: []wsrMessage{{opText, atLimit}}},
		{name: "final block", stream: serverFrame(true, true, opText, deflateFinal(t, text)), msgs: []wsrMessage{{opText, text}}},
		{
			name: "fragmented",
			stream: wsrJoin(
				serverFrame(false, true, opBinary, abcDeflated[:third]),
				serverFrame(true, false, opPing, []byte("p")),
				serverFrame(false, false, opContinuation, abcDeflated[third:2*third]),
				serverFrame(true, false, opContinuation, abcDeflated[2*third:]),
			),
			msgs: []wsrMessage{{opBinary, abc}},
		},
		{
			name: "compressed and plain messages",
			stream: wsrJoin(
				serverFrame(true, true, opText, deflateMessage(t, text)),
				serverFrame(true, false, opText, []byte("plain")),
				serverFrame(true, true, opBinary, deflateMessage(t, random)),
			),
			msgs: []wsrMessage{{opText, text}, {opText, []byte("plain")}, {opBinary, random}},
		},
		{name: "one byte above the limit", stream: serverFrame(true, true, opText, deflateMessage(t, append(atLimit, 'x'))), wantErr: websocket.ErrReadLimit},
		{name: "bomb", stream: serverFrame(true, true, opBinary, deflateMessage(t, bomb)), wantErr: websocket.ErrReadLimit},
		{name: "reserved block type", stream: serverFrame(true, true, opText, []byte{0x07, 0xff, 0x00}), wantErr: errProtocol},
		{name: "stored block cut short", stream: serverFrame(true, true, opText, []byte{0x00, 0x64, 0x00, 0x9b, 0xff, 'a', 'b', 'c'}), wantErr: errProtocol},
		{name: "garbage after a good message", stream: wsrJoin(serverFrame(true, true, opText, deflateMessage(t, text)), serverFrame(true, true, opText, []byte{0xff, 0xff, 0xff, 0xff})), msgs: []wsrMessage{{opText, text}}, wantErr: errProtocol},
	} {
		for _, m := range wsReaderModes {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				r, _ := m.open(t, tc.stream, nil, limit, true, func(int, []byte) error { return nil })
				msgs, err := wsrReadAll(t, r, 10)
				wsrCheckMessages(t, msgs, tc.msgs)
				want := tc.wantErr
				if want == nil {
					want = io.EOF
				}
				if !errors.Is(err, want) {
					t.Errorf("error %v, want %v", err, want)
				}
			})
		}
	}
}

func TestInflateMessage(t *testing.T) {
	a, b := []byte("the first message, the first message"), wsrPayload(3000, 4)
	// The pooled inflater is reused after a success and after a failure.
	for i, step := range []struct {
		in      []byte
		limit   int64
		want    []byte
		wantErr error
	}{
		{in: deflateMessage(t, a), limit: 1 << 20, want: a},
		{in: []byte{0x07, 0x00}, limit: 1 << 20, wantErr: errProtocol},
		{in: deflateMessage(t, b), limit: 1 << 20, want: b},
		{in: deflateMessage(t, b), limit: 2999, wantErr: websocket.ErrReadLimit},
		{in: deflateMessage(t, b), limit: 3000, want: b},
		{in: deflateMessage(t, a), limit: 1 << 20, want: a},
	} {
		got, err := inflateMessage(step.in, step.limit)
		if step.wantErr != nil {
			if !errors.Is(err, step.wantErr) {
				t.Errorf("step %d: error %v, want %v", i, err, step.wantErr)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, step.want) {
			t.Errorf("step %d: %d bytes, %v; want %d bytes", i, len(got), err, len(step.want))
		}
	}
}

// waitState is what a reader held when it was about to wait for data.
type waitState struct {
	unread                int
	holdsPooled, holdsBuf bool
}

// waitRecorder wraps a RawConn and notes, each time the reader's read
// callback asks to wait for data, what the reader holds. The callback runs
// on the goroutine calling next(), so the notes need no locking; they may
// be looked at once that next() has returned.
type waitRecorder struct {
	syscall.RawConn
	r     *wsReader
	waits []waitState
}

func (w *waitRecorder) Read(f func(fd uintptr) bool) error {
	return w.RawConn.Read(func(fd uintptr) bool {
		if f(fd) {
			return true
		}
		w.waits = append(w.waits, waitState{w.r.w - w.r.r, w.r.bp != nil, w.r.buf != nil})
		return false
	})
}

// wsrNextResult is what one next() call returned.
type wsrNextResult struct {
	mt  int
	p   []byte
	err error
}

// wsrNextAsync runs r.next() on a goroutine and returns its result.
func wsrNextAsync(r *wsReader) <-chan wsrNextResult {
	ch := make(chan wsrNextResult, 1)
	go func() {
		mt, p, err := r.next()
		ch <- wsrNextResult{mt, p, err}
	}()
	return ch
}

// wsrAwait waits for a next() result, failing the test after 2 s.
func wsrAwait(t *testing.T, ch <-chan wsrNextResult) wsrNextResult {
	t.Helper()
	select {
	case res := <-ch:
		return res
	case <-time.After(2 * time.Second):
		t.Fatal("next() did not return")
		return wsrNextResult{}
	}
}

func TestWSReaderRawHoldsNoBufferWhileWaiting(t *testing.T) {
	client, server := wsrLoopback(t)
	raw := wsrRaw(t, client)
	if raw == nil {
		return // no raw reads here; wsrRaw checked that this is expected
	}
	rec := &waitRecorder{RawConn: raw}
	r := newWSReader(client, rec, nil, 1<<20, false, noControl(t))
	rec.r = r
	write := func(b []byte) {
		t.Helper()
		if _, err := server.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	// checkIdle asserts that every wait from index from on held no bytes
	// and no buffer, and that there was one, then returns the new count.
	checkIdle := func(step string, from int, partial bool) int {
		t.Helper()
		var idle, part int
		for _, w := range rec.waits[from:] {
			switch {
			case w.unread == 0 && (w.holdsPooled || w.holdsBuf):
				t.Errorf("%s: waited for data holding a buffer (pooled %v) with nothing unread", step, w.holdsPooled)
			case w.unread == 0:
				idle++
			case w.holdsBuf:
				part++
			default:
				t.Errorf("%s: %d unread bytes without a buffer", step, w.unread)
			}
		}
		if idle == 0 {
			t.Errorf("%s: the reader never waited with nothing unread (waits %v)", step, rec.waits[from:])
		}
		if partial && part == 0 {
			t.Errorf("%s: the reader never waited holding a partial header (waits %v)", step, rec.waits[from:])
		}
		return len(rec.waits)
	}

	// A message that arrives while the reader waits.
	ch := wsrNextAsync(r)
	time.Sleep(20 * time.Millisecond)
	write(serverFrame(true, false, opText, []byte("one")))
	res := wsrAwait(t, ch)
	if res.err != nil || string(res.p) != "one" {
		t.Fatalf("first message: %q, %v", res.p, res.err)
	}
	if !r.drained() {
		t.Error("drained() is false after a message that ended the read")
	}
	n := checkIdle("first message", 0, false)

	// A message whose header arrives in two parts.
	two := wsrPayload(1000, 2)
	frame := serverFrame(true, false, opBinary, two)
	ch = wsrNextAsync(r)
	time.Sleep(20 * time.Millisecond)
	write(frame[:1])
	time.Sleep(20 * time.Millisecond)
	write(frame[1:])
	res = wsrAwait(t, ch)
	if res.err != nil || !bytes.Equal(res.p, two) {
		t.Fatalf("second message: %d bytes, %v", len(res.p), res.err)
	}
	n = checkIdle("second message", n, true)

	// A message larger than the buffer, read straight from the connection,
	// then another.
	big := wsrPayload(200<<10, 3)
	ch = wsrNextAsync(r)
	time.Sleep(20 * time.Millisecond)
	go func() {
		// Errors show as a short message below.
		_, _ = server.Write(serverFrame(true, false, opBinary, big))
	}()
	res = wsrAwait(t, ch)
	if res.err != nil || !bytes.Equal(res.p, big) {
		t.Fatalf("large message: %d bytes, %v", len(res.p), res.err)
	}
	if r.bp != nil {
		t.Error("the reader holds a pooled buffer after a message read straight from the connection")
	}
	ch = wsrNextAsync(r)
	time.Sleep(20 * time.Millisecond)
	write(serverFrame(true, false, opText, []byte("four")))
	res = wsrAwait(t, ch)
	if res.err != nil || string(res.p) != "four" {
		t.Fatalf("fourth message: %q, %v", res.p, res.err)
	}
	checkIdle("fourth message", n, false)
}

func TestWSReaderCloseWhileWaiting(t *testing.T) {
	for _, useRaw := range []bool{true, false} {
		t.Run(fmt.Sprintf("raw=%v", useRaw), func(t *testing.T) {
			client, _ := wsrLoopback(t)
			var raw syscall.RawConn
			if useRaw {
				raw = wsrRaw(t, client)
			}
			r := newWSReader(client, raw, nil, 1<<20, false, noControl(t))
			ch := wsrNextAsync(r)
			time.Sleep(30 * time.Millisecond)
			select {
			case res := <-ch:
				t.Fatalf("next returned before any data: %v", res.err)
			default:
			}
			start := time.Now()
			client.Close()
			res := wsrAwait(t, ch)
			if !errors.Is(res.err, net.ErrClosed) {
				t.Errorf("error %v, want net.ErrClosed", res.err)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("next took %v to return after the close", d)
			}
		})
	}
}

func TestWSReaderPeerCloseWhileWaiting(t *testing.T) {
	client, server := wsrLoopback(t)
	r := newWSReader(client, wsrRaw(t, client), nil, 1<<20, false, noControl(t))
	if _, err := server.Write(serverFrame(true, false, opText, []byte("a"))); err != nil {
		t.Fatal(err)
	}
	if _, p, err := r.next(); err != nil || string(p) != "a" {
		t.Fatalf("next: %q, %v", p, err)
	}
	ch := wsrNextAsync(r)
	time.Sleep(20 * time.Millisecond)
	server.Close()
	if res := wsrAwait(t, ch); res.err != io.EOF {
		t.Errorf("error %v, want io.EOF", res.err)
	}
}

// wsrPassConn hides the concrete type of a net.Conn.
type wsrPassConn struct{ net.Conn }

func TestWSReaderRawConnOf(t *testing.T) {
	client, _ := wsrLoopback(t)
	wsrRaw(t, client)
	if rawConnOf(wsrPassConn{client}) != nil {
		t.Error("rawConnOf returned a RawConn for a wrapped connection")
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if rawConnOf(a) != nil {
		t.Error("rawConnOf returned a RawConn for a pipe")
	}
}

// handUpgradeServer listens on loopback and answers one WebSocket upgrade
// by hand: first is sent in the same write as the 101 response, later
// after a pause. It returns the server's address.
func handUpgradeServer(t *testing.T, first, later []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		conns <- c
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		resp := fmt.Sprintf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			base64.StdEncoding.EncodeToString(sum[:]))
		if _, err := c.Write(append([]byte(resp), first...)); err != nil {
			return
		}
		if len(later) > 0 {
			time.Sleep(20 * time.Millisecond)
			if _, err := c.Write(later); err != nil {
				return
			}
		}
		_, _ = io.Copy(io.Discard, br)
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case c := <-conns:
			c.Close()
		default:
		}
		<-done
	})
	return ln.Addr().String()
}

func TestUpgradeReaderIsFound(t *testing.T) {
	if brOffset == ^uintptr(0) {
		t.Fatal("websocket.Conn has no buffered reader field of the expected type")
	}
	ws := pipeWebSocket(t)
	defer ws.Close()
	pending, err := takeUpgradeBuffer(ws)
	if err != nil || pending != nil {
		t.Errorf("takeUpgradeBuffer on a quiet connection: %q, %v", pending, err)
	}
	if br := *(**bufio.Reader)(unsafe.Add(unsafe.Pointer(ws), brOffset)); br != nil {
		t.Error("the upgrade reader is still held by the connection")
	}
}

// pipeWebSocket returns the client end of a WebSocket over an in-memory
// pipe whose server end answers the upgrade and then discards everything,
// so writes go somewhere.
func pipeWebSocket(tb testing.TB) *websocket.Conn {
	tb.Helper()
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		br := bufio.NewReader(server)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		_, err = fmt.Fprintf(server, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			base64.StdEncoding.EncodeToString(sum[:]))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, br)
	}()
	u, _ := url.Parse("ws://pipe.invalid/socketcluster/")
	ws, _, err := websocket.NewClient(client, u, nil, 1024, 1024)
	if err != nil {
		client.Close()
		tb.Fatalf("pipe WebSocket: %v", err)
	}
	return ws
}

func TestWSReaderAfterUpgrade(t *testing.T) {
	big := wsrPayload(3000, 5)
	withUpgrade := wsrJoin(
		serverFrame(true, false, opText, []byte("first")),
		serverFrame(true, false, opBinary, big),
		serverFrame(true, false, opPing, []byte("p")),
	)
	later := serverFrame(true, false, opText, []byte("later"))
	want := []wsrMessage{{opText, []byte("first")}, {opBinary, big}, {opText, []byte("later")}}
	for _, tc := range []struct {
		name        string
		first, late []byte
		hasPending  bool
	}{
		{name: "frames with the 101", first: withUpgrade, late: later, hasPending: true},
		{name: "frames after the 101", first: nil, late: wsrJoin(withUpgrade, later)},
	} {
		for _, useRaw := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/raw=%v", tc.name, useRaw), func(t *testing.T) {
				addr := handUpgradeServer(t, tc.first, tc.late)
				d := websocket.Dialer{ReadBufferSize: 512, HandshakeTimeout: 2 * time.Second}
				ws, resp, err := d.Dial("ws://"+addr+"/socketcluster/", nil)
				if err != nil {
					t.Fatal(err)
				}
				defer ws.Close()
				resp.Body.Close()
				pending, err := takeUpgradeBuffer(ws)
				if err != nil {
					t.Fatal(err)
				}
				if tc.hasPending && (len(pending) == 0 || !bytes.HasPrefix(tc.first, pending)) {
					t.Fatalf("pending %d bytes, want a non-empty prefix of the %d sent with the 101", len(pending), len(tc.first))
				}
				if !tc.hasPending && pending != nil {
					t.Fatalf("pending %q, want none", pending)
				}
				nc := ws.NetConn()
				var raw syscall.RawConn
				if useRaw {
					raw = wsrRaw(t, nc)
				}
				var ctl controlLog
				r := newWSReader(nc, raw, pending, 1<<20, false, ctl.handle)
				var got []wsrMessage
				for range want {
					mt, p, err := r.next()
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, wsrMessage{mt, p})
				}
				wsrCheckMessages(t, got, want)
				if len(ctl.ops) != 1 || ctl.ops[0] != opPing {
					t.Errorf("control ops %v, want one ping", ctl.ops)
				}
			})
		}
	}

	t.Run("gorilla server", func(t *testing.T) {
		bin := wsrPayload(2000, 6)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			up := websocket.Upgrader{}
			c, err := up.Upgrade(w, req, nil)
			if err != nil {
				return
			}
			defer c.Close()
			if c.WriteMessage(websocket.TextMessage, []byte("one")) != nil || c.WriteMessage(websocket.BinaryMessage, bin) != nil {
				return
			}
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		d := websocket.Dialer{ReadBufferSize: 512, HandshakeTimeout: 2 * time.Second}
		ws, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		resp.Body.Close()
		pending, err := takeUpgradeBuffer(ws)
		if err != nil {
			t.Fatal(err)
		}
		nc := ws.NetConn()
		r := newWSReader(nc, wsrRaw(t, nc), pending, 1<<20, false, noControl(t))
		var got []wsrMessage
		for range 2 {
			mt, p, err := r.next()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, wsrMessage{mt, p})
		}
		wsrCheckMessages(t, got, []wsrMessage{{opText, []byte("one")}, {opBinary, bin}})
	})
}

// errFuzzClose ends a fuzzed read at a valid close frame.
var errFuzzClose = errors.New("close frame")

// fuzzRead reads every message of one fuzz input with src and pending,
// checking the invariants, and returns the messages and the final error.
func fuzzRead(t *testing.T, src io.Reader, pending []byte, inflate bool, limit int64, maxMsgs int) ([]wsrMessage, error) {
	control := func(op int, payload []byte) error {
		if op != opPing && op != opPong && op != opClose {
			t.Fatalf("control handler called with op %d", op)
		}
		if len(payload) > 125 {
			t.Fatalf("control payload of %d bytes", len(payload))
		}
		if op == opClose {
			if _, _, err := parseClose(payload); err != nil {
				return err
			}
			return errFuzzClose
		}
		return nil
	}
	r := newWSReader(src, nil, pending, limit, inflate, control)
	var msgs []wsrMessage
	for range maxMsgs {
		mt, p, err := r.next()
		if err != nil {
			return msgs, err
		}
		if mt != websocket.TextMessage && mt != websocket.BinaryMessage {
			t.Fatalf("message type %d", mt)
		}
		if int64(len(p)) > limit {
			t.Fatalf("message of %d bytes above the limit of %d", len(p), limit)
		}
		msgs = append(msgs, wsrMessage{mt, p})
	}
	t.Fatalf("no error after %d messages", maxMsgs)
	return nil, nil
}

func FuzzWSReader(f *testing.F) {
	key := [4]byte{1, 2, 3, 4}
	seeds := [][]byte{
		nil,
		serverFrame(true, false, opText, []byte("hello")),
		serverFrame(true, false, opBinary, wsrPayload(126, 1)),
		serverFrame(true, false, opBinary, wsrPayload(300, 2))[:100],
		wsrJoin(serverFrame(false, false, opText, []byte("He")), serverFrame(true, false, opPing, []byte("p")), serverFrame(true, false, opContinuation, []byte("llo"))),
		wsrJoin(serverFrame(true, false, opClose, wsrClosePayload(1000, "bye"))),
		serverFrame(true, false, opClose, []byte{3}),
		serverFrame(true, true, opText, []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}),
		serverFrame(true, true, opText, []byte{0x07, 0xff}),
		maskedFrame(true, false, opText, key, []byte("hi")),
		{0xa1, 0x00},
		{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1},
		{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 1},
		{0x82, 0x7e, 0xff},
		serverFrame(false, false, opPing, nil),
		serverFrame(true, false, 3, nil),
		wsrJoin(serverFrame(false, false, opText, []byte("a")), serverFrame(true, false, opText, []byte("b"))),
		// a burst of messages that share a block, one fragmented between them
		wsrJoin(serverFrame(true, false, opBinary, wsrPayload(300, 3)), serverFrame(false, false, opText, wsrPayload(256, 4)),
			serverFrame(true, false, opContinuation, wsrPayload(256, 5)), serverFrame(true, false, opText, wsrPayload(4096, 6))),
	}
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	_, _ = fw.Write(bytes.Repeat([]byte("bomb"), 100000))
	_ = fw.Flush()
	seeds = append(seeds, serverFrame(true, true, opBinary, buf.Bytes()))
	for _, s := range seeds {
		f.Add(s, false, uint16(0))
		f.Add(s, true, uint16(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, inflate bool, split uint16) {
		const limit = 1 << 16
		if len(data) > 1996 {
			data = data[:1996]
		}
		// Every message takes at least two bytes, so next must fail
		// within this many calls.
		maxMsgs := len(data)/2 + 2
		msgs, err := fuzzRead(t, bytes.NewReader(data), nil, inflate, limit, maxMsgs)
		// The same bytes in pieces, some of them already pending, must
		// read the same.
		cut := 0
		if len(data) > 0 {
			cut = int(split) % (len(data) + 1)
		}
		msgs2, err2 := fuzzRead(t, &oneByteReader{data[cut:]}, data[:cut], inflate, limit, maxMsgs)
		if len(msgs) != len(msgs2) {
			t.Fatalf("%d messages read whole, %d read in pieces", len(msgs), len(msgs2))
		}
		for i := range msgs {
			if msgs[i].mt != msgs2[i].mt || !bytes.Equal(msgs[i].payload, msgs2[i].payload) {
				t.Fatalf("message %d differs when read in pieces", i)
			}
		}
		if err.Error() != err2.Error() {
			t.Fatalf("error %q read whole, %q read in pieces", err, err2)
		}
	})
}

// failingReader fails the test when read: what it stands for must not be
// read.
type failingReader struct{ t *testing.T }

func (f failingReader) Read([]byte) (int, error) {
	f.t.Error("noWait mode read from the connection")
	return 0, io.ErrNoProgress
}

// In noWait mode next returns every message buffered whole and then
// errWouldWait, whatever the point the buffered bytes stop at, without
// ever reading: control frames, fragments with a control frame between
// them, and all three length encodings.
func TestWSReaderNoWaitStopsAtEveryCut(t *testing.T) {
	type msg struct {
		end     int // stream offset where its last frame ends
		payload []byte
	}
	var stream []byte
	var msgs []msg
	add := func(frames ...[]byte) {
		for _, f := range frames {
			stream = append(stream, f...)
		}
	}
	add(serverFrame(true, false, opPing, []byte("p1")), serverFrame(true, false, opText, []byte("short")))
	msgs = append(msgs, msg{len(stream), []byte("short")})
	add(serverFrame(false, false, opText, []byte("frag-one ")),
		serverFrame(true, false, opPing, []byte("p2")),
		serverFrame(false, false, opContinuation, []byte("frag-two ")),
		serverFrame(true, false, opContinuation, []byte("frag-end")))
	msgs = append(msgs, msg{len(stream), []byte("frag-one frag-two frag-end")})
	mid := wsrPayload(300, 1)
	add(serverFrame(true, false, opBinary, mid))
	msgs = append(msgs, msg{len(stream), mid})
	big := wsrPayload(70000, 2)
	add(serverFrame(true, false, opBinary, big))
	msgs = append(msgs, msg{len(stream), big})

	for cut := 0; cut <= len(stream); cut += 1 + cut/64 {
		r := newWSReader(failingReader{t}, nil, stream[:cut], 1<<20, false, func(int, []byte) error { return nil })
		r.noWait = true
		var got [][]byte
		for {
			_, m, err := r.next()
			if err == errWouldWait {
				break
			}
			require.NoError(t, err, "cut %d", cut)
			got = append(got, m)
		}
		var want [][]byte
		for _, m := range msgs {
			if m.end <= cut {
				want = append(want, m.payload)
			}
		}
		require.Equal(t, want, got, "cut %d", cut)
		if t.Failed() {
			return
		}
	}
}
