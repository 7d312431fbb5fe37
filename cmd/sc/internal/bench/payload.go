package bench

import (
	"errors"
	"strconv"
)

// A payload is {"s":SEQ,"t":NANOS,"p":"xxx…"}: the sequence number within its
// channel (or call number), the send time in nanoseconds since the run's
// clock started, and padding up to the requested size. Small integers keep
// the bytes unchanged through the server's JSON round trip, so the size can
// be checked on arrival.

// encodePayload appends a payload of size bytes (or of the header's size,
// when size is smaller) to dst.
func encodePayload(dst []byte, seq, nanos int64, size int) []byte {
	start := len(dst)
	dst = append(dst, `{"s":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, nanos, 10)
	dst = append(dst, `,"p":"`...)
	for pad := size - (len(dst) - start) - 2; pad > 0; pad-- {
		dst = append(dst, 'x')
	}
	return append(dst, `"}`...)
}

var errBadPayload = errors.New("not a bench payload")

// parsePayload reads the sequence number and send time of a payload.
func parsePayload(b []byte) (seq, nanos int64, err error) {
	rest, ok := cutPrefix(b, `{"s":`)
	if !ok {
		return 0, 0, errBadPayload
	}
	seq, rest, ok = readInt(rest)
	if !ok {
		return 0, 0, errBadPayload
	}
	rest, ok = cutPrefix(rest, `,"t":`)
	if !ok {
		return 0, 0, errBadPayload
	}
	nanos, rest, ok = readInt(rest)
	if !ok {
		return 0, 0, errBadPayload
	}
	if _, ok = cutPrefix(rest, `,"p":"`); !ok {
		return 0, 0, errBadPayload
	}
	return seq, nanos, nil
}

func cutPrefix(b []byte, p string) ([]byte, bool) {
	if len(b) < len(p) || string(b[:len(p)]) != p {
		return b, false
	}
	return b[len(p):], true
}

// readInt reads a non-negative decimal integer of at most 18 digits.
func readInt(b []byte) (int64, []byte, bool) {
	var n int64
	i := 0
	for i < len(b) && i < 18 && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	if i == 0 || (i < len(b) && b[i] >= '0' && b[i] <= '9') {
		return 0, b, false
	}
	return n, b[i:], true
}

// payloadLen is the length encodePayload gives for these values.
func payloadLen(seq, nanos int64, size int) int {
	n := len(`{"s":,"t":,"p":""}`) + digits(seq) + digits(nanos)
	return max(n, size)
}

func digits(v int64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}
