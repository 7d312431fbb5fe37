package scclient

import (
	"context"
	"math/rand"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// waitParked waits until the socket's connection is parked in the idle set.
func waitParked(t *testing.T, s *Socket) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.conn != nil && s.conn.parked.Load()
	}, 5*time.Second, time.Millisecond, "the idle connection was not parked")
}

// A parked connection still ends its close handshake on time when the
// server never answers the close frame: shutdown gives it its read loop
// back, which waits out the grace period instead of the idle set forever.
func TestParkedSocketCloseWithoutReply(t *testing.T) {
	if !idleParking {
		t.Skip("idle parking exists on Linux only")
	}
	release := make(chan struct{})
	gotClose := make(chan struct{}, 1)
	srv := newFakeServer(t, func(ws *websocket.Conn) {
		ws.SetCloseHandler(func(int, string) error {
			gotClose <- struct{}{}
			return nil // no close frame back
		})
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				break
			}
		}
		<-release // keep the TCP connection open
	})
	defer close(release)
	s, w := newWatchedSocket(t, srv.wsURL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	waitParked(t, s)

	start := time.Now()
	done := make(chan struct{})
	go func() {
		_ = s.Close()
		close(done)
	}()
	select {
	case <-gotClose:
	case <-time.After(5 * time.Second):
		t.Fatal("the server got no close frame")
	}
	select {
	case <-done:
	case <-time.After(closeGrace + 5*time.Second):
		t.Fatal("Close did not return: the parked connection never ended")
	}
	took := time.Since(start)
	t.Logf("Close took %v", took)
	require.GreaterOrEqual(t, took, closeGrace-100*time.Millisecond, "the close handshake did not wait for the server")
}

// A parked connection resumes for whatever the server sends: responses,
// and a close that comes while it is parked.
func TestParkedSocketResumesOnServerFrames(t *testing.T) {
	if !idleParking {
		t.Skip("idle parking exists on Linux only")
	}
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect, EventDisconnect)
	w.waitFor(EventConnect, 5*time.Second)
	for i := 0; i < 3; i++ {
		waitParked(t, s)
		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", i)
		require.NoError(t, err)
		var got int
		require.NoError(t, res.Decode(&got))
		require.Equal(t, i, got)
	}
	waitParked(t, s)
	// The server answers at once and disconnects 20 ms later, by which
	// time the connection is parked again.
	_, err := s.Invoke(ctxT(t, 5*time.Second), "disconnectMe", map[string]any{"code": 4321, "reason": "bye"})
	require.NoError(t, err)
	ev := w.waitFor(EventDisconnect, 5*time.Second)
	require.Equal(t, 4321, ev.Code)
	require.Equal(t, "bye", ev.Reason)
}

// A parked connection notices the server going away, with a FIN or a
// reset.
func TestParkedSocketSeesHangup(t *testing.T) {
	if !idleParking {
		t.Skip("idle parking exists on Linux only")
	}
	for _, rst := range []bool{false, true} {
		name := "fin"
		if rst {
			name = "rst"
		}
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, func(ws *websocket.Conn) {
				time.Sleep(50 * time.Millisecond) // the client parks meanwhile
				if rst {
					_ = ws.UnderlyingConn().(*net.TCPConn).SetLinger(0)
				}
				_ = ws.UnderlyingConn().Close()
			})
			s, w := newWatchedSocket(t, srv.wsURL(), Options{DisableAutoReconnect: true}, EventConnect, EventDisconnect)
			w.waitFor(EventConnect, 5*time.Second)
			waitParked(t, s)
			ev := w.waitFor(EventDisconnect, 3*time.Second)
			require.Equal(t, CloseAbnormal, ev.Code)
		})
	}
}

// Close while the read loop is in the middle of parking, many times, with a
// server that never answers the close frame: every Close must return after
// about closeGrace, never hang with the connection parked.
func TestCloseRacingPark(t *testing.T) {
	if !idleParking {
		t.Skip("idle parking exists on Linux only")
	}
	release := make(chan struct{})
	defer close(release)
	srv := newFakeServer(t, func(ws *websocket.Conn) {
		ws.SetCloseHandler(func(int, string) error { return nil })
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
		<-release
	})
	onManySockets(t, 40, srv.wsURL(), func(_ int, s *Socket) {
		c := s.Listener(EventConnect).CreateConsumer(0)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, _ = c.Next(ctx)
		cancel()
		time.Sleep(time.Duration(rand.Intn(3000)) * time.Microsecond)
		done := make(chan struct{})
		go func() { _ = s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(closeGrace + 3*time.Second):
			t.Error("Close hung")
		}
	})
	relRequireNoSocketGoroutines(t)
}

// Many sockets call at random moments, parked or not.
func TestCallsAtRandomMomentsOfParking(t *testing.T) {
	if !idleParking {
		t.Skip("idle parking exists on Linux only")
	}
	srv := newFakeServer(t, echoUntilClosed)
	onManySockets(t, 30, srv.wsURL(), func(i int, s *Socket) {
		defer s.Close()
		for j := 0; j < 30; j++ {
			time.Sleep(time.Duration(rand.Intn(2500)) * time.Microsecond)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			res, err := s.Invoke(ctx, "echo", j)
			cancel()
			if err != nil {
				t.Errorf("socket %d call %d: %v", i, j, err)
				return
			}
			var got int
			if res.Decode(&got) != nil || got != j {
				t.Errorf("socket %d: got %s want %d", i, res.String(), j)
				return
			}
		}
	})
	relRequireNoSocketGoroutines(t)
}

// A parked connection closed by a failed write (here simulated the way
// sendAllLocked does it) ends and reports 1006.
func TestParkedSocketClosedByFailedWrite(t *testing.T) {
	if !idleParking {
		t.Skip("idle parking exists on Linux only")
	}
	release := make(chan struct{})
	defer close(release)
	srv := newFakeServer(t, func(ws *websocket.Conn) { <-release })
	s, w := newWatchedSocket(t, srv.wsURL(), Options{DisableAutoReconnect: true}, EventConnect, EventDisconnect)
	w.waitFor(EventConnect, 5*time.Second)
	waitParked(t, s)
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	c.wmu.Lock()
	_ = c.nc.Close()
	c.unpark()
	c.wmu.Unlock()
	ev := w.waitFor(EventDisconnect, 3*time.Second)
	require.Equal(t, CloseAbnormal, ev.Code)
}

// onManySockets creates n sockets of url at once and runs body on each in
// a goroutine of its own, then waits for all of them.
func onManySockets(t *testing.T, n int, url string, body func(i int, s *Socket)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := Create(Options{URL: url, DisableAutoReconnect: true})
			if err != nil {
				t.Error(err)
				return
			}
			body(i, s)
		})
	}
	wg.Wait()
}

// countConn counts the frames written to it (one per Write here: each
// write below is a single small frame).
type countConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countConn) Write(p []byte) (int, error)      { c.writes.Add(1); return len(p), nil }
func (c *countConn) SetWriteDeadline(time.Time) error { return nil }

// dropIdleMemory, run as a connection parks, never leaves a frame written
// meanwhile in the queue: a writer that finds the writer's lock taken
// trusts its holder to send what it queued.
func TestDroppingIdleMemoryStrandsNoFrame(t *testing.T) {
	s, err := Create(Options{DisableAutoConnect: true})
	require.NoError(t, err)
	defer s.Close()
	c := newConn(s, s.opts)
	defer c.stopTimers()
	cc := &countConn{}
	c.nc = cc
	c.rd = newWSReader(strings.NewReader(""), nil, nil, 0, false, nil)

	stop := make(chan struct{})
	parked := make(chan struct{})
	go func() { // the read loop parking, again and again
		defer close(parked)
		for {
			select {
			case <-stop:
				return
			default:
				c.dropIdleMemory()
			}
		}
	}()
	defer func() { close(stop); <-parked }()

	deadline := time.Now().Add(time.Second)
	for i := int64(1); time.Now().Before(deadline); i++ {
		require.NoError(t, c.writeFrame(opText, []byte("x"), time.Time{}))
		sent := false
		for wait := time.Now().Add(200 * time.Millisecond); time.Now().Before(wait); {
			if cc.writes.Load() >= i {
				sent = true
				break
			}
			time.Sleep(10 * time.Microsecond)
		}
		if !sent {
			c.qmu.Lock()
			n := len(c.queue)
			c.qmu.Unlock()
			t.Fatalf("frame %d was never written (%d still queued, 200 ms later)", i, n)
		}
	}
}
