package scclient

import (
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// A set that cannot be waited on (the runtime poller refused its
// descriptor, as at the limit on epoll watches) gives its connections their
// read loops back instead of keeping them parked.
func TestIdleSetThatCannotBeWaitedOn(t *testing.T) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	require.NoError(t, err)
	// A blocking descriptor: os.NewFile does not register it with the
	// runtime poller, as when the registration fails.
	f := os.NewFile(uintptr(epfd), "test-idle")
	rc, err := f.SyscallConn()
	require.NoError(t, err)
	set := &idleSet{file: f, rc: rc, conns: map[int32]*conn{}, evs: make([]syscall.EpollEvent, 128)}
	// The set replaces the current one, which exists only while sockets of
	// earlier tests are still closing.
	require.Eventually(t, func() bool {
		idle.mu.Lock()
		defer idle.mu.Unlock()
		if idle.set != nil {
			return false
		}
		idle.set = set
		return true
	}, 10*time.Second, 10*time.Millisecond, "sockets of earlier tests stay registered in the idle set")
	go set.run()

	srv := newFakeServer(t, echoUntilClosed)
	s, w := newWatchedSocket(t, srv.wsURL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	for i := 0; i < 3; i++ {
		time.Sleep(5 * idleParkAfter)
		res, err := s.Invoke(ctxT(t, 2*time.Second), "echo", i)
		require.NoError(t, err, "the parked connection never resumed")
		var got int
		require.NoError(t, res.Decode(&got))
		require.Equal(t, i, got)
	}
	require.True(t, set.failed.Load())
}

// A parked connection still ends its close handshake on time when the
// server never answers the close frame: shutdown gives it its read loop
// back, which waits out the grace period instead of the idle set forever.
func TestParkedSocketCloseWithoutReply(t *testing.T) {
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

// A parked connection closed by a failed write (here simulated the way
// sendAllLocked does it) ends and reports 1006.
func TestParkedSocketClosedByFailedWrite(t *testing.T) {
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

// waitParked waits until the socket's connection is parked in the idle set.
func waitParked(t *testing.T, s *Socket) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.conn != nil && s.conn.parked.Load()
	}, 5*time.Second, time.Millisecond, "the idle connection was not parked")
}

// A socket left idle after a burst of calls, on a server that never pings
// (so no frame ever wakes its connection), does not keep the call table
// the burst made grow.
func TestParkedAfterABurstKeepsNoCallTable(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_PING_TIMEOUT_DISABLED": "1"})
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if _, err := s.Invoke(ctxT(t, 5*time.Second), "echo", i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	waitParked(t, s)
	s.mu.Lock()
	peak, kept := s.pendingPeak, s.pending != nil
	s.mu.Unlock()
	if kept {
		t.Errorf("the parked connection keeps the call table that held %d calls at once", peak)
	}
}
