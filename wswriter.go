package scclient

import (
	"compress/flate"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sync"
)

// maxFrameHeader is the longest header of a client frame: two bytes, an
// eight-byte length and the four-byte masking key (RFC 6455 §5.2).
const maxFrameHeader = 14

// appendFrame appends one whole client frame (FIN set) carrying payload to
// dst, masked with a fresh key as RFC 6455 §5.3 requires of clients. rsv1
// marks a compressed message (RFC 7692).
func appendFrame(dst []byte, op int, rsv1 bool, payload []byte) []byte {
	b0 := byte(0x80 | op)
	if rsv1 {
		b0 |= 0x40
	}
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, b0, 0x80|byte(n))
	case n <= 0xffff:
		dst = append(dst, b0, 0x80|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b0, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	key := rand.Uint32()
	dst = binary.LittleEndian.AppendUint32(dst, key)
	start := len(dst)
	dst = append(dst, payload...)
	maskBytes(dst[start:], key)
	return dst
}

// maskBytes XORs b with the masking key, whose first byte is key's least
// significant, repeated from the start of b.
func maskBytes(b []byte, key uint32) {
	k8 := uint64(key) | uint64(key)<<32
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k8)
	}
	for ; i < len(b); i++ {
		b[i] ^= byte(key >> (8 * (i & 3)))
	}
}

// deflateLevel is the compression level of outgoing messages: the fastest,
// as gorilla/websocket and ws use by default.
const deflateLevel = flate.BestSpeed

var flateWriters sync.Pool

// errDeflateTail means the compressor did not end a message the way RFC
// 7692 §7.2.1 expects; it would be a bug in compress/flate.
var errDeflateTail = errors.New("scclient: compressed message does not end with an empty stored block")

// appendDeflated appends payload compressed as one permessage-deflate
// message without context takeover: a full DEFLATE stream flushed to a
// byte boundary, minus the final 0x00 0x00 0xff 0xff (RFC 7692 §7.2.1).
func appendDeflated(dst, payload []byte) ([]byte, error) {
	out := appendWriter{b: dst}
	fw, _ := flateWriters.Get().(*flate.Writer)
	if fw == nil {
		fw, _ = flate.NewWriter(&out, deflateLevel)
	} else {
		fw.Reset(&out)
	}
	defer func() {
		fw.Reset(nil)
		flateWriters.Put(fw)
	}()
	if _, err := fw.Write(payload); err != nil {
		return dst, err
	}
	if err := fw.Flush(); err != nil {
		return dst, err
	}
	b := out.b
	if len(b)-len(dst) < 4 || string(b[len(b)-4:]) != "\x00\x00\xff\xff" {
		return dst, errDeflateTail
	}
	return b[:len(b)-4], nil
}

// appendWriter is an io.Writer appending to a slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
