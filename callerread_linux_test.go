package scclient

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// callerTurns returns how many times callers of Invoke read for their
// calls on s's current connection.
func callerTurns(s *Socket) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return 0
	}
	return s.conn.callerTurns.Load()
}

// Sequential calls find the connection parked after each response and
// read their responses themselves, against the real server; everything
// else that arrives meanwhile is dispatched as the read loop would.
func TestCallerReadsItsOwnResponse(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	waitParked(t, s)
	events := s.Receiver("pushed").CreateConsumer(0)

	const calls = 200
	for i := 0; i < calls; i++ {
		// Every fifth call makes the server push an event before it
		// answers, so a caller reading for itself meets it first.
		if i%5 == 0 {
			_, err := s.Invoke(ctxT(t, 5*time.Second), "serverTransmit", map[string]any{"event": "pushed", "data": i})
			require.NoError(t, err)
			ev, ok, err := events.Next(ctxT(t, 5*time.Second))
			require.NoError(t, err)
			require.True(t, ok)
			var got int
			require.NoError(t, ev.Decode(&got))
			require.Equal(t, i, got)
			continue
		}
		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", i)
		require.NoError(t, err)
		var got int
		require.NoError(t, res.Decode(&got))
		require.Equal(t, i, got)
	}
	// A caller loses the connection to the read loop when the response
	// wins the race to the idle set; most calls must still read their own.
	turns := callerTurns(s)
	require.GreaterOrEqual(t, turns, uint32(calls/2), "callers read %d of %d responses themselves", turns, calls)
	waitParked(t, s)
}

// A caller reading for itself returns when its ack timeout or its context
// ends the wait, though nothing arrives, and the connection works on.
func TestCallerReadingStopsAtTimeoutAndCancel(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)

	slow := map[string]any{"ms": 3000}
	cases := []struct {
		name string
		call func() error
		want func(error) bool
	}{
		{"ack timeout", func() error {
			_, err := s.Invoke(context.Background(), "slow", slow, WithAckTimeout(150*time.Millisecond))
			return err
		}, func(err error) bool { var te *TimeoutError; return errors.As(err, &te) }},
		{"context", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			_, err := s.Invoke(ctx, "slow", slow)
			return err
		}, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	}
	for _, tc := range cases {
		waitParked(t, s)
		before := callerTurns(s)
		start := time.Now()
		err := tc.call()
		took := time.Since(start)
		require.True(t, tc.want(err), "%s: got %v", tc.name, err)
		require.Less(t, took, 2*time.Second, "%s: the reading caller was not woken", tc.name)
		require.Equal(t, before+1, callerTurns(s), "%s: the caller did not read for itself", tc.name)

		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", tc.name)
		require.NoError(t, err, "%s: the connection stopped working", tc.name)
		require.Equal(t, `"`+tc.name+`"`, string(res.Raw()))
	}
}

// A response too large to complete in the read buffer is left to the read
// loop goroutine, which reads it straight into its own slice.
func TestCallerHandsLargeResponseToReadLoop(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	for _, size := range []int{readBufSize/2 - 100, readBufSize, 5 * readBufSize} {
		waitParked(t, s)
		big := strings.Repeat("b", size)
		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", big)
		require.NoError(t, err)
		var got string
		require.NoError(t, res.Decode(&got))
		require.Equal(t, big, got, "size %d", size)
	}
	require.Positive(t, callerTurns(s))
}

// The connection closing while a caller reads for itself fails that call
// at once; the server's close reaches the caller as a BadConnectionError,
// a local Close too.
func TestCallerReadingWhenTheConnectionCloses(t *testing.T) {
	srv := startServer(t, nil)
	for _, local := range []bool{false, true} {
		s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect, EventDisconnect)
		w.waitFor(EventConnect, 5*time.Second)
		waitParked(t, s)

		slowErr := make(chan error, 1)
		go func() {
			_, err := s.Invoke(context.Background(), "slow", map[string]any{"ms": 5000})
			slowErr <- err
		}()
		require.Eventually(t, func() bool { return callerTurns(s) == 1 }, 5*time.Second, time.Millisecond)
		start := time.Now()
		if local {
			require.NoError(t, s.Close())
		} else {
			// This caller finds the connection taken and waits on its
			// call; the reading caller dispatches its response.
			_, err := s.Invoke(ctxT(t, 5*time.Second), "disconnectMe", map[string]any{"code": 4321})
			require.NoError(t, err)
		}
		var bce *BadConnectionError
		select {
		case err := <-slowErr:
			require.ErrorAs(t, err, &bce, "local=%v", local)
		case <-time.After(3 * time.Second):
			t.Fatalf("local=%v: the reading caller did not return", local)
		}
		require.Less(t, time.Since(start), 3*time.Second)
		ev := w.waitFor(EventDisconnect, 5*time.Second)
		if !local {
			require.Equal(t, 4321, ev.Code)
		}
	}
}

// A caller reading for itself never waits inside a message: when the
// server stalls halfway through a frame, the call still times out on
// time, and the read loop finishes the frame when the rest comes.
func TestCallerReadingServerStallsMidFrame(t *testing.T) {
	release := make(chan struct{})
	srv := newFakeServer(t, func(ws *websocket.Conn) {
		var once sync.Once
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if !strings.Contains(string(msg), `"stall"`) {
				continue
			}
			once.Do(func() {
				// Part of a frame that pushes an event, then the rest.
				payload := `{"event":"late","data":"after"}`
				frame := append([]byte{0x81, byte(len(payload))}, payload[:10]...)
				_, _ = ws.UnderlyingConn().Write(frame)
				<-release
				_, _ = ws.UnderlyingConn().Write([]byte(payload[10:]))
			})
		}
	})
	s, w := newWatchedSocket(t, srv.wsURL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	late := s.Receiver("late").CreateConsumer(0)
	waitParked(t, s)

	start := time.Now()
	_, err := s.Invoke(context.Background(), "stall", nil, WithAckTimeout(200*time.Millisecond))
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	// Whether the caller or the idle set got the connection depends on
	// whether the partial frame beat the caller to it; either way the call
	// times out on time.
	require.Less(t, time.Since(start), 2*time.Second)

	close(release)
	ev, ok, err := late.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, `"after"`, string(ev.Raw()))
}

// Many goroutines calling at once share the connection: one at a time
// reads, the others are answered through it.
func TestCallersTakingTurnsAtReading(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				want := g*1000 + i
				res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", want)
				if !assertNoErr(t, err) {
					return
				}
				var got int
				if !assertNoErr(t, res.Decode(&got)) || got != want {
					t.Errorf("got %d, want %d", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	require.Positive(t, callerTurns(s))
	waitParked(t, s)
}

// assertNoErr reports err as a test error (safe off the test goroutine).
func assertNoErr(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}

// slowSaveEngine keeps every SaveToken waiting for a while, or until it
// gets the application's lock.
type slowSaveEngine struct {
	MemoryAuthEngine
	delay time.Duration
	lock  *sync.Mutex
}

func (e *slowSaveEngine) SaveToken(ctx context.Context, name, token string) error {
	if e.lock != nil {
		e.lock.Lock()
		defer e.lock.Unlock()
	}
	time.Sleep(e.delay)
	return e.MemoryAuthEngine.SaveToken(ctx, name, token)
}

// The auth engine is application code: a caller reading for itself leaves
// a #setAuthToken (and what follows) to a read loop goroutine, so a slow
// SaveToken, or one waiting for a lock the caller holds, does not keep the
// call from ending at its timeout.
func TestCallerReadingLeavesAuthEngineToReadLoop(t *testing.T) {
	srv := startServer(t, nil)
	for _, withLock := range []bool{false, true} {
		eng := &slowSaveEngine{delay: 2 * time.Second}
		var appLock sync.Mutex
		if withLock {
			eng.delay, eng.lock = 0, &appLock
		}
		s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true, AuthEngine: eng}, EventConnect, EventAuthenticate)
		w.waitFor(EventConnect, 5*time.Second)
		waitParked(t, s)

		errc := make(chan error, 1)
		start := time.Now()
		go func() {
			appLock.Lock()
			defer appLock.Unlock()
			_, err := s.Invoke(context.Background(), "setAuthTokenInvoke", map[string]any{"username": "alice"}, WithAckTimeout(300*time.Millisecond))
			errc <- err
		}()
		select {
		case err := <-errc:
			var te *TimeoutError
			require.ErrorAs(t, err, &te, "withLock=%v", withLock)
			require.Less(t, time.Since(start), 1500*time.Millisecond, "withLock=%v", withLock)
		case <-time.After(5 * time.Second):
			t.Fatalf("withLock=%v: Invoke did not return", withLock)
		}
		// The token is still saved, by the read loop.
		w.waitFor(EventAuthenticate, 5*time.Second)
		t.Logf("withLock=%v: callers read %d times", withLock, callerTurns(s))
		require.NoError(t, s.Close())
	}
}
