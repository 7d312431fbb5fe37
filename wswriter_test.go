package scclient

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// parseClientFrame undoes appendFrame for one frame: header fields, and the
// payload unmasked.
func parseClientFrame(t *testing.T, b []byte) (fin, rsv1 bool, op int, payload, rest []byte) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 6)
	fin, rsv1, op = b[0]&0x80 != 0, b[0]&0x40 != 0, int(b[0]&0x0f)
	require.Zero(t, b[0]&0x30, "RSV2/RSV3 set")
	require.NotZero(t, b[1]&0x80, "a client frame must be masked")
	n, h := uint64(b[1]&0x7f), 2
	switch n {
	case 126:
		n, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
		require.GreaterOrEqual(t, n, uint64(126), "length not in its shortest form")
	case 127:
		n, h = binary.BigEndian.Uint64(b[2:]), 10
		require.Greater(t, n, uint64(0xffff), "length not in its shortest form")
	}
	key := b[h : h+4]
	payload = append([]byte(nil), b[h+4:h+4+int(n)]...)
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return fin, rsv1, op, payload, b[h+4+int(n):]
}

func TestAppendFrameRoundTrips(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 125, 126, 127, 1000, 0xffff, 0x10000, 200000} {
		for _, op := range []int{opText, opBinary, opClose, opPing, opPong} {
			payload := make([]byte, n)
			for i := range payload {
				payload[i] = byte(rand.Uint32())
			}
			prefix := []byte("before")
			b := appendFrame(append([]byte(nil), prefix...), op, op == opText, payload)
			require.Equal(t, prefix, b[:len(prefix)])
			fin, rsv1, gotOp, got, rest := parseClientFrame(t, b[len(prefix):])
			require.True(t, fin)
			require.Equal(t, op == opText, rsv1)
			require.Equal(t, op, gotOp)
			require.True(t, bytes.Equal(payload, got), "payload of %d bytes", n)
			require.Empty(t, rest)
		}
	}
}

func TestMaskBytesMatchesTheDefinition(t *testing.T) {
	for n := 0; n < 70; n++ {
		key := rand.Uint32()
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rand.Uint32())
		}
		want := bytes.Clone(b)
		var k [4]byte
		binary.LittleEndian.PutUint32(k[:], key)
		for i := range want {
			want[i] ^= k[i%4] // RFC 6455 §5.3: octet i XOR key octet i MOD 4
		}
		maskBytes(b, key)
		require.True(t, bytes.Equal(want, b), "length %d", n)
	}
}

func TestAppendDeflatedInflatesBack(t *testing.T) {
	text := bytes.Repeat([]byte(`{"event":"#publish","data":{"channel":"c","data":"hello"}}`), 50)
	random := make([]byte, 70000)
	for i := range random {
		random[i] = byte(rand.Uint32())
	}
	for _, payload := range [][]byte{{}, []byte("x"), text, random} {
		z, err := appendDeflated([]byte("keep"), payload)
		require.NoError(t, err)
		require.Equal(t, "keep", string(z[:4]))
		got, err := inflateMessage(z[4:], 0)
		require.NoError(t, err)
		require.Equal(t, len(payload), len(got))
		require.True(t, bytes.Equal(payload, got))
	}
}

// recordConn is a net.Conn that keeps what is written to it.
type recordConn struct {
	net.Conn // nil: only writing is supported
	buf      bytes.Buffer
}

func (r *recordConn) Write(p []byte) (int, error)      { return r.buf.Write(p) }
func (r *recordConn) SetWriteDeadline(time.Time) error { return nil }

// After a close frame nothing more is written, and control payloads above
// 125 bytes are refused.
func TestNothingFollowsTheCloseFrame(t *testing.T) {
	s, err := Create(Options{DisableAutoConnect: true})
	require.NoError(t, err)
	defer s.Close()
	rec := &recordConn{}
	c := newConn(s, s.opts)
	defer c.stopTimers()
	c.nc = rec
	require.ErrorIs(t, c.writeFrame(opPing, make([]byte, 126), time.Time{}), errControlTooLong)
	require.NoError(t, c.writeFrame(opText, []byte("one"), time.Time{}))
	require.NoError(t, c.writeFrame(opClose, []byte{0x03, 0xe8}, time.Now().Add(time.Second)))
	require.NoError(t, c.writeFrame(opText, []byte("two"), time.Time{}))
	b := rec.buf.Bytes()
	_, _, op, p, b := parseClientFrame(t, b)
	require.Equal(t, opText, op)
	require.Equal(t, "one", string(p))
	_, _, op, p, b = parseClientFrame(t, b)
	require.Equal(t, opClose, op)
	require.Equal(t, []byte{0x03, 0xe8}, p)
	require.Empty(t, b, "a frame was written after the close frame")
}
