package scclient

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// coalesceState is a snapshot of a connection's read coalescing.
type coalesceState struct {
	on, made             bool // the connection may coalesce; its reader made the state
	mark, raises, expiry int
	shift                uint
}

// coalescing returns the state of s's current connection.
func coalescing(s *Socket) coalesceState {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return coalesceState{}
	}
	k := c.coalesce.Load()
	if k == nil {
		return coalesceState{on: c.rd.beforeWait != nil}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return coalesceState{on: c.rd.beforeWait != nil, made: true, mark: k.mark, raises: k.raises, expiry: k.expiry, shift: k.shift}
}

// rawReads returns how many reads brought bytes on s's current connection.
func rawReads(t *testing.T, s *Socket) uint64 {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	require.NotNil(t, c)
	return c.rd.reads
}

// echoBurst makes total echo calls with width of them in flight and checks
// every answer.
func echoBurst(t *testing.T, s *Socket, total, width int) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, width)
	for range width {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > total {
					return
				}
				res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", i)
				if err == nil {
					var got int
					if err = res.Decode(&got); err == nil && got != i {
						t.Errorf("echo %d answered %d", i, got)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("echo burst: %v", err)
	}
}

// slowCalls starts n calls the server answers only after the test, keeping
// s's count of calls in flight at n, and waits until they are all out.
func slowCalls(t *testing.T, s *Socket, n int) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _, _ = s.Invoke(ctx, "slow", map[string]any{"ms": 30000}) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.pending) == n
	}, 5*time.Second, time.Millisecond)
}

// A connection with few calls in flight keeps no coalescing state. With
// many in flight against the real server, the reader raises the low-water
// mark and takes several answers per read; one call at a time brings the
// mark back to one byte.
func TestManyCallsInFlightShareReads(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	require.True(t, coalescing(s).on, "read coalescing is off on a plain TCP connection")
	for i := range 20 {
		_, err := s.Invoke(ctxT(t, 5*time.Second), "echo", i)
		require.NoError(t, err)
	}
	echoBurst(t, s, 200, coalesceMinCalls/2)
	require.False(t, coalescing(s).made, "a connection with few calls in flight made coalescing state")

	const calls = 6000
	before, turnsBefore := rawReads(t, s), callerTurns(s)
	echoBurst(t, s, calls, 64)
	reads, turns := rawReads(t, s)-before, callerTurns(s)-turnsBefore
	st := coalescing(s)
	t.Logf("%d answers in %d reads; mark raised %d times, %d waits ended by the timer; callers read %d times", calls, reads, st.raises, st.expiry, turns)
	require.Positive(t, st.raises, "64 calls in flight never raised the mark")
	require.Less(t, reads, uint64(calls/2), "answers still come one or two per read")

	for i := range 20 {
		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", i)
		require.NoError(t, err)
		require.Equal(t, strconv.Itoa(i), res.String())
	}
	require.Equal(t, 1, coalescing(s).mark, "the mark stays up with one call at a time")
}

// A raised mark holds back a message smaller than it only until the delay
// ends: a publish arriving while the reader waits for more is delivered
// after about ReadCoalesceDelay, and the mark is back at one byte.
func TestCoalescedWaitEndsAfterTheDelay(t *testing.T) {
	const delay = 150 * time.Millisecond
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true, ReadCoalesceDelay: delay}, EventConnect, EventSubscribe)
	ch := s.Subscribe("held")
	msgs := ch.CreateConsumer(0)
	w.waitFor(EventConnect, 5*time.Second)
	w.waitFor(EventSubscribe, 5*time.Second)
	slowCalls(t, s, 20)
	pub := newSocket(t, srv.URL(), Options{})

	// Raise the mark as a reader waiting for several answers would.
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	c.coalesce.CompareAndSwap(nil, &readCoalescer{raw: c.rd.raw, delay: delay, mark: 1, shift: 1})
	k := c.coalesce.Load()
	k.mu.Lock()
	var err error
	require.NoError(t, k.raw.Control(func(fd uintptr) { err = setRcvLowat(fd, coalesceMaxBytes) }))
	require.NoError(t, err)
	k.mark, k.raisedWait, k.waitedFor = coalesceMaxBytes, true, coalesceMaxBytes
	k.active.Store(true)
	if k.timer == nil {
		k.timer = time.AfterFunc(k.delay, k.endWait)
	} else {
		k.timer.Reset(k.delay)
	}
	k.mu.Unlock()

	start := time.Now()
	_, err = pub.Invoke(ctxT(t, 5*time.Second), "publish", map[string]any{"channel": "held", "data": "small"})
	require.NoError(t, err)
	v, ok, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	held := time.Since(start)
	require.Equal(t, `"small"`, v.String())
	require.GreaterOrEqual(t, held, delay*2/3, "the message was not held back by the mark")
	require.Less(t, held, delay+2*time.Second, "the message waited well past the delay")
	st := coalescing(s)
	require.Equal(t, 1, st.mark)
	require.Equal(t, 1, st.expiry)
}

// Answers keep coming while most calls in flight are slow: after a burst
// with 40 calls the server holds, each of 50 calls made one at a time is
// answered long before the slow ones, and the mark ends at one byte.
func TestSlowCallsDoNotHoldAnswersBack(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	slowCalls(t, s, 40)
	echoBurst(t, s, 3000, 64)
	for i := range 50 {
		start := time.Now()
		res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", i)
		require.NoError(t, err)
		require.Equal(t, strconv.Itoa(i), res.String())
		require.Less(t, time.Since(start), 2*time.Second, "an answer waited behind the mark")
	}
	require.Equal(t, 1, coalescing(s).mark)
}

// A negative ReadCoalesceDelay leaves the mark alone.
func TestReadCoalescingCanBeTurnedOff(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true, ReadCoalesceDelay: -1}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	echoBurst(t, s, 2000, 64)
	require.Equal(t, coalesceState{}, coalescing(s))
}

func TestReleaseAtLeast(t *testing.T) {
	for _, tc := range []struct {
		release string
		want    bool
	}{
		{"6.1.0-18-amd64", true},
		{"4.18.0-553.el8_10.x86_64", true},
		{"4.19", true},
		{"5.0.1", true},
		{"4.17.19", false},
		{"4.9.337", false},
		{"3.10.0-1160.el7.x86_64", false},
		{"4.18rc1", true},
		{"", false},
		{"six.one", false},
		{"6", false},
	} {
		require.Equal(t, tc.want, releaseAtLeast(tc.release, 4, 18), tc.release)
	}
}
