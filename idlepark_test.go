package scclient

import (
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
