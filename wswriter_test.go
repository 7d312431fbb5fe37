package scclient

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
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
	rec := &recordConn{}
	c := connOver(t, rec)
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

// slowPeer reads what the client end of a pipe writes: nothing for
// stall, then everything at about rate bytes per second (0: no limit),
// until the pipe is closed. closed is closed when the pipe was closed by
// the client (the peer saw EOF or a closed pipe).
type slowPeer struct {
	mu     sync.Mutex
	got    []byte
	closed chan struct{}
}

func startSlowPeer(server net.Conn, stall time.Duration, rate int) *slowPeer {
	p := &slowPeer{closed: make(chan struct{})}
	go func() {
		defer close(p.closed)
		time.Sleep(stall)
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			p.mu.Lock()
			p.got = append(p.got, buf[:n]...)
			p.mu.Unlock()
			if err != nil {
				return
			}
			if rate > 0 {
				time.Sleep(time.Duration(n) * time.Second / time.Duration(rate))
			}
		}
	}()
	return p
}

// stallTransport makes a conn whose writes the returned peer end takes
// only when read: net.Pipe everywhere, and on Unix also loopback TCP
// through a corkConn with its send buffer already full, which is what a
// dialed connection writes through (see stalltransport_unix_test.go).
type stallTransport struct {
	name string
	make func(t *testing.T) (*conn, net.Conn)
}

var stallTransports = []stallTransport{{"pipe", pipedConn}}

// forEachStallTransport runs test once per stall transport.
func forEachStallTransport(t *testing.T, test func(t *testing.T, c *conn, peer net.Conn)) {
	for _, tr := range stallTransports {
		t.Run(tr.name, func(t *testing.T) {
			c, peer := tr.make(t)
			test(t, c, peer)
		})
	}
}

// connOver makes a conn writing to nc, for a socket that never connects.
func connOver(t *testing.T, nc net.Conn) *conn {
	s, err := Create(Options{DisableAutoConnect: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	c := newConn(s, s.opts)
	t.Cleanup(c.stopTimers)
	c.nc = nc
	return c
}

func pipedConn(t *testing.T) (*conn, net.Conn) {
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	return connOver(t, client), server
}

// A WebSocket ping that arrives while a data write is slow (but within
// writeWait) queues a pong with a one-second deadline. A writer that picks
// the pong up after that second drops it instead of failing the write and
// closing a healthy connection.
func TestLatePongIsDroppedNotFatal(t *testing.T) {
	forEachStallTransport(t, func(t *testing.T, c *conn, server net.Conn) {
		peer := startSlowPeer(server, 1500*time.Millisecond, 0) // a 1.5 s hiccup, then all is read

		done := make(chan error, 1)
		go func() { done <- c.writeFrame(opText, []byte("a message written during the hiccup"), time.Time{}) }()
		time.Sleep(100 * time.Millisecond) // that write now holds wmu, waiting for the peer
		// The read loop answers a WebSocket ping from the server.
		require.NoError(t, c.onControl(opPing, []byte("hi")))
		require.NoError(t, <-done)

		select {
		case <-peer.closed:
			t.Fatal("the connection was closed after a 1.5 s stall that writeWait (10 s) allows")
		case <-time.After(300 * time.Millisecond):
		}
		require.NoError(t, c.writeFrame(opText, []byte("later"), time.Time{}))
	})
}

// A data frame written in the same batch as a pong keeps writeWait (10 s)
// rather than the pong's one-second deadline.
func TestDataFrameBatchedWithAPongKeepsWriteWait(t *testing.T) {
	forEachStallTransport(t, func(t *testing.T, c *conn, server net.Conn) {
		// A short hiccup, then ~1 MB/s: 1.5 MB take about 1.5 s, longer
		// than the pong's deadline and within writeWait.
		peer := startSlowPeer(server, 300*time.Millisecond, 1<<20)

		first := make(chan error, 1)
		go func() { first <- c.writeFrame(opText, []byte("small"), time.Time{}) }()
		time.Sleep(100 * time.Millisecond) // the small write holds wmu
		big := make([]byte, 3<<19)
		require.NoError(t, c.writeFrame(opText, big, time.Time{})) // queued behind it
		require.NoError(t, c.onControl(opPing, nil))               // the pong too
		require.NoError(t, <-first)

		select {
		case <-peer.closed:
			peer.mu.Lock()
			n := len(peer.got)
			peer.mu.Unlock()
			t.Fatalf("the connection was closed after %d of ~%d bytes: the data frame got the pong's deadline", n, len(big))
		case <-time.After(2500 * time.Millisecond):
		}
	})
}

// A pong the peer does not take within controlWait (1 s) fails its write,
// and the failed write closes the connection.
func TestPongThePeerDoesNotTakeClosesTheConnection(t *testing.T) {
	forEachStallTransport(t, func(t *testing.T, c *conn, _ net.Conn) {
		start := time.Now() // the peer never reads
		require.NoError(t, c.onControl(opPing, []byte("hi")))
		took := time.Since(start)
		require.GreaterOrEqual(t, took, 900*time.Millisecond, "the pong was given up before its deadline")
		require.Less(t, took, 3*time.Second)
		_, err := c.nc.Write([]byte("x"))
		require.True(t, errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe), "the connection stayed open: %v", err)
	})
}

// A close frame the peer does not take is given up at its deadline, and
// the writer role is free again right after.
func TestCloseFrameThePeerDoesNotTakeIsBounded(t *testing.T) {
	forEachStallTransport(t, func(t *testing.T, c *conn, _ net.Conn) {
		c.closing.Store(true) // the peer never reads
		start := time.Now()
		c.writeClose([]byte{0x03, 0xe8}, start.Add(400*time.Millisecond))
		require.Less(t, time.Since(start), 2*time.Second)
		require.Eventually(t, func() bool {
			if !c.wmu.TryLock() {
				return false
			}
			c.wmu.Unlock()
			return true
		}, 2*time.Second, 5*time.Millisecond, "the writer kept waiting past the close frame's deadline")
		require.True(t, c.closeSent.Load())
	})
}

// Compressed pongs (v2: empty messages) and a large incompressible message
// are accepted by the real server: the connection survives several pings.
func TestCompressedPongsKeepTheConnection(t *testing.T) {
	for _, v := range []string{"1", "2"} {
		srv := startServer(t, map[string]string{"SC_PER_MESSAGE_DEFLATE": "0", "SC_PROTOCOL_VERSION": v, "SC_PING_INTERVAL": "100", "SC_PING_TIMEOUT": "600"})
		pv := 2
		if v == "1" {
			pv = 1
		}
		s, w := newWatchedSocket(t, srv.URL(), Options{ProtocolVersion: pv, DisableAutoReconnect: true}, EventConnect, EventDisconnect)
		w.waitFor(EventConnect, 5*time.Second)
		require.True(t, inflating(s))
		rnd := make([]byte, 200000)
		for i := range rnd {
			rnd[i] = byte(' ' + (i*7919+i*i*31)%90)
		}
		res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", string(rnd))
		require.NoError(t, err)
		var got string
		require.NoError(t, res.Decode(&got))
		require.Equal(t, string(rnd), got)
		time.Sleep(1500 * time.Millisecond)
		require.Equal(t, StateOpen, s.State(), "protocol %s", v)
	}
}

// Pooled flate writers are reset between messages: every message inflates
// on its own (no context takeover), whatever came before it.
func TestDeflatePoolReuse(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			seed := uint32(g*7 + 1)
			for i := 0; i < 100; i++ {
				seed = seed*1664525 + 1013904223
				n := int(seed % 30000)
				p := make([]byte, n)
				for j := range p {
					seed = seed*1664525 + 1013904223
					if i%2 == 0 {
						p[j] = byte(seed >> 24)
					} else {
						p[j] = "ab"[seed>>31]
					}
				}
				z, err := appendDeflated(nil, p)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := inflateMessage(z, 0)
				if err != nil || string(got) != string(p) {
					t.Errorf("message %d of %d bytes: %v", i, n, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
