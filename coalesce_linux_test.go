package scclient

import (
	"context"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// coalesceState is a snapshot of a connection's read coalescing.
type coalesceState struct {
	on, made             bool // the connection may coalesce; its reader made the state
	mark, raises, expiry int
}

// currentConn returns s's current connection.
func currentConn(t *testing.T, s *Socket) *conn {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotNil(t, s.conn)
	return s.conn
}

// coalescing returns the coalescing state of s's current connection.
func coalescing(t *testing.T, s *Socket) coalesceState {
	c := currentConn(t, s)
	k := c.coalesce.Load()
	if k == nil {
		return coalesceState{on: c.rd.beforeWait != nil}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return coalesceState{on: c.rd.beforeWait != nil, made: true, mark: k.mark, raises: k.raises, expiry: k.expiry}
}

// kernelMark returns the receive low-water mark the kernel holds for the
// socket under raw.
func kernelMark(t *testing.T, raw syscall.RawConn) int {
	t.Helper()
	var mark int
	var err error
	require.NoError(t, raw.Control(func(fd uintptr) {
		mark, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT)
	}))
	require.NoError(t, err)
	return mark
}

// raiseMark raises the mark of s's connection to coalesceMaxBytes and arms
// the timer, as a reader waiting for several answers does.
func raiseMark(t *testing.T, s *Socket) {
	t.Helper()
	c := currentConn(t, s)
	c.coalesce.CompareAndSwap(nil, &readCoalescer{raw: c.rd.raw, nc: c.nc, delay: c.opts.ReadCoalesceDelay, mark: 1})
	k := c.coalesce.Load()
	k.mu.Lock()
	defer k.mu.Unlock()
	var err error
	require.NoError(t, k.raw.Control(func(fd uintptr) { err = setRcvLowat(fd, coalesceMaxBytes) }))
	require.NoError(t, err)
	k.mark = coalesceMaxBytes
	k.active.Store(true)
	if k.timer == nil {
		k.timer = time.AfterFunc(k.delay, k.endWait)
	} else {
		k.timer.Reset(k.delay)
	}
}

// echoBurst makes total echo calls with width of them in flight, checks
// every answer and returns each call's time.
func echoBurst(t *testing.T, s *Socket, total, width int) []time.Duration {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	took := make([]time.Duration, total)
	errs := make(chan error, width)
	for range width {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > total {
					return
				}
				start := time.Now()
				res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", i)
				took[i-1] = time.Since(start)
				if err == nil && res.String() != strconv.Itoa(i) {
					t.Errorf("echo %d answered %s", i, res)
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
	return took
}

// median returns the median of d (which it sorts).
func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

// heldCalls starts n calls the server answers only after the test, and
// waits until they are all out.
func heldCalls(t *testing.T, s *Socket, n int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _, _ = s.Invoke(ctx, "slow", map[string]any{"ms": 30000}) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	require.Eventually(t, func() bool { return int(s.inFlight.Load()) == n }, 5*time.Second, time.Millisecond)
}

// markHarness runs beforeWait on a real TCP socket as a read about to wait
// would, without a server or a read loop.
type markHarness struct {
	t   *testing.T
	c   *conn
	raw syscall.RawConn
}

func newMarkHarness(t *testing.T, delay time.Duration) *markHarness {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	nc, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	peer, err := ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	raw := rawConnOf(nc)
	require.NotNil(t, raw)
	s := &Socket{log: slog.New(discardHandler{})}
	c := &conn{s: s, opts: &Options{ReadCoalesceDelay: delay}, nc: nc, rd: &wsReader{raw: raw}, coalescing: true}
	t.Cleanup(c.stopCoalescing)
	return &markHarness{t: t, c: c, raw: raw}
}

// wait runs beforeWait with inFlight calls in flight after a wake that
// brought answers answers in bytes bytes.
func (h *markHarness) wait(inFlight, answers, bytes int) {
	h.c.s.inFlight.Store(int32(inFlight))
	if k := h.c.coalesce.Load(); k != nil {
		k.responses = answers
	}
	h.c.rd.rawBytes += uint64(bytes)
	require.NoError(h.t, h.raw.Control(h.c.beforeWait))
}

// mark returns the mark, checking that the kernel holds the same.
func (h *markHarness) mark() int {
	k := h.c.coalesce.Load()
	k.mu.Lock()
	defer k.mu.Unlock()
	require.Equal(h.t, k.mark, kernelMark(h.t, h.raw), "the kernel's mark and ours differ")
	return k.mark
}

// beforeWait makes the state only with many calls in flight, raises the
// kernel's mark after a wake that brought several answers, and lowers it
// again (not the timer, whose delay here is an hour) after a wake with one
// answer or once few calls are in flight; a stopped coalescer raises it no
// more.
func TestBeforeWaitSetsTheKernelsMark(t *testing.T) {
	h := newMarkHarness(t, time.Hour)
	h.wait(4, 0, 0)
	require.Nil(t, h.c.coalesce.Load(), "state made with 4 calls in flight")
	h.wait(64, 0, 0)
	require.NotNil(t, h.c.coalesce.Load())
	require.Equal(t, 1, h.mark())
	h.wait(64, 20, 1100)
	require.Equal(t, coalesceMaxBytes, h.mark(), "a wake with 20 answers of 55 bytes")
	h.wait(64, 4, 220)
	require.Equal(t, 220, h.mark(), "as many bytes as the last wake brought")
	h.wait(14, 8, 440)
	require.Equal(t, 7*55, h.mark(), "half of the 14 answers in flight")
	h.wait(64, 1, 55)
	require.Equal(t, 1, h.mark(), "a wake with one answer")
	h.wait(64, 20, 1100)
	require.Equal(t, coalesceMaxBytes, h.mark())
	h.wait(4, 2, 110)
	require.Equal(t, 1, h.mark(), "few calls in flight")
	h.wait(64, 20, 1100)
	require.Equal(t, coalesceMaxBytes, h.mark())
	h.c.stopCoalescing()
	require.Equal(t, 1, h.mark(), "stopping lowers the mark")
	h.wait(64, 20, 1100)
	require.Equal(t, 1, h.mark(), "a stopped coalescer raised the mark")
}

// A mark beforeWait raised comes down by itself once the delay has
// passed: beforeWait arms the timer, and counts the wait it ended.
func TestBeforeWaitArmsTheTimer(t *testing.T) {
	h := newMarkHarness(t, 20*time.Millisecond)
	h.wait(64, 0, 0)
	h.wait(64, 20, 1100)
	require.Equal(t, coalesceMaxBytes, h.mark())
	require.Eventually(t, func() bool { return h.mark() == 1 }, 2*time.Second, time.Millisecond, "no timer lowered the mark")
	k := h.c.coalesce.Load()
	k.mu.Lock()
	expiry := k.expiry
	k.mu.Unlock()
	require.Equal(t, 1, expiry)
}

// Three waits in a row that the timer ends before the answers come stop
// the reader raising the mark, even though each wake after such a wait
// brings a single answer (a wake the reader would otherwise not look at).
func TestWaitsTheTimerEndsStopTheRaising(t *testing.T) {
	h := newMarkHarness(t, time.Hour)
	h.wait(64, 0, 0)
	k := h.c.coalesce.Load()
	for range coalesceMaxStrikes {
		h.wait(64, 2, 110)
		require.Equal(t, 110, h.mark())
		k.endWait() // the delay passed without the bytes
		h.wait(64, 1, 55)
		require.Equal(t, 1, h.mark())
	}
	k.mu.Lock()
	expiry, cooldown := k.expiry, k.cooldown
	k.mu.Unlock()
	require.Equal(t, coalesceMaxStrikes, expiry)
	require.Equal(t, coalesceCooldown, cooldown)
	h.wait(64, 20, 1100)
	require.Equal(t, 1, h.mark(), "raised during the cooldown")
}

// connectCoalescing returns a connected socket to url with read coalescing
// on (the default delay) or off.
func connectCoalescing(t *testing.T, url string, on bool) *Socket {
	opts := Options{DisableAutoReconnect: true, ReadCoalesceDelay: -1}
	if on {
		opts.ReadCoalesceDelay = 0
	}
	s, w := newWatchedSocket(t, url, opts, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	return s
}

// peakCoalescing samples the coalescing state of s's connection until the
// returned function is called, which gives the most raises and waits ended
// by the timer one state had (the state goes when the connection parks).
func peakCoalescing(t *testing.T, s *Socket) func() coalesceState {
	c := currentConn(t, s)
	done, stopped := make(chan struct{}), make(chan struct{})
	var peak coalesceState
	go func() {
		defer close(stopped)
		for {
			if k := c.coalesce.Load(); k != nil {
				k.mu.Lock()
				peak.made = true
				peak.raises, peak.expiry = max(peak.raises, k.raises), max(peak.expiry, k.expiry)
				k.mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	return func() coalesceState {
		close(done)
		<-stopped
		return peak
	}
}

// With 64 calls in flight against the real server, the reader raises the
// mark and takes several answers per read. A connection with few calls in
// flight makes no coalescing state, and one that parks lets it go.
func TestManyCallsInFlightRaiseTheMark(t *testing.T) {
	srv := startServer(t, nil)
	const calls = 6000
	for _, on := range []bool{false, true} {
		s := connectCoalescing(t, srv.URL(), on)
		require.Equal(t, on, coalescing(t, s).on)
		peak := peakCoalescing(t, s)
		echoBurst(t, s, 200, coalesceMinCalls/2)
		require.False(t, peak().made, "state made with 4 calls in flight")

		c := currentConn(t, s)
		before := c.rd.reads
		peak = peakCoalescing(t, s)
		echoBurst(t, s, calls, 64)
		st := peak()
		t.Logf("coalescing %v: %d answers in %d reads; the mark rose %d times, the timer ended %d waits", on, calls, c.rd.reads-before, st.raises, st.expiry)
		if on {
			require.Positive(t, st.raises, "64 calls in flight never raised the mark")
			waitParked(t, s)
			require.False(t, coalescing(t, s).made, "the parked connection keeps its coalescing state")
		} else {
			require.False(t, st.made)
		}
		s.Close()
	}
}

// A raised mark holds back a message smaller than it only until the delay
// ends: a publish arriving while the connection waits for more is
// delivered after about ReadCoalesceDelay, and the mark is back at one
// byte.
func TestCoalescedWaitEndsAfterTheDelay(t *testing.T) {
	const delay = 150 * time.Millisecond
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true, ReadCoalesceDelay: delay}, EventConnect, EventSubscribe)
	msgs := s.Subscribe("held").CreateConsumer(0)
	w.waitFor(EventConnect, 5*time.Second)
	w.waitFor(EventSubscribe, 5*time.Second)
	pub := newSocket(t, srv.URL(), Options{})
	// Parked, the connection runs no reader that could set the mark
	// itself; the idle set's wait honours the mark as a read's does.
	waitParked(t, s)
	raiseMark(t, s)

	start := time.Now()
	_, err := pub.Invoke(ctxT(t, 5*time.Second), "publish", map[string]any{"channel": "held", "data": "small"})
	require.NoError(t, err)
	v, ok, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	held := time.Since(start)
	require.Equal(t, `"small"`, v.String())
	require.GreaterOrEqual(t, held, delay*2/3, "the message was not held back by the mark")
	require.Less(t, held, delay+2*time.Second, "the message waited well past the delay")
	st := coalescing(t, s)
	require.Equal(t, 1, st.mark)
	require.Equal(t, 1, st.expiry)
}

// Calls the server holds (long polls) count as in flight but send no
// answers: against the real server, with 200 of them out, three callers
// calling one after another are not slowed down by coalescing.
func TestHeldCallsDoNotSlowOtherCallers(t *testing.T) {
	srv := startServer(t, nil)
	took := map[bool]time.Duration{}
	for _, on := range []bool{false, true} {
		s := connectCoalescing(t, srv.URL(), on)
		heldCalls(t, s, 200)
		took[on] = median(echoBurst(t, s, 1500, 3))
		if on {
			st := coalescing(t, s)
			t.Logf("mark raised %d times, %d waits ended by the timer", st.raises, st.expiry)
		}
	}
	t.Logf("median call with 200 held: %v without coalescing, %v with", took[false], took[true])
	require.Less(t, took[true], 2*took[false]+200*time.Microsecond, "held calls slow the others down")
}

// Closing a connection whose mark is raised lowers it, so the server's
// close frame, smaller than the mark, is read at once even when the
// server keeps the TCP connection open after it.
func TestCloseLowersARaisedMark(t *testing.T) {
	released := make(chan struct{})
	t.Cleanup(func() { close(released) })
	f := newFakeServer(t, func(ws *websocket.Conn) {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				// The close handshake is answered; keep the TCP
				// connection open a while.
				select {
				case <-released:
				case <-time.After(3 * time.Second):
				}
				return
			}
		}
	})
	s, w := newWatchedSocket(t, f.wsURL(), Options{DisableAutoReconnect: true, ReadCoalesceDelay: time.Hour}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	raiseMark(t, s)
	start := time.Now()
	s.Close()
	require.Less(t, time.Since(start), closeGrace/2, "Close waited for the close frame behind the raised mark")
}

// A reader about to wait never blocks on the socket's lock: a write that
// blocks under that lock until it fails closes the connection, and the
// close waits for the reader, which the server's pings keep waking.
func TestReaderAboutToWaitDoesNotBlockAClose(t *testing.T) {
	f := newFakeServer(t, func(ws *websocket.Conn) {
		for { // read nothing, ping every 20 ms
			if ws.WriteMessage(websocket.TextMessage, nil) != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	s, w := newWatchedSocket(t, f.wsURL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Subscribe(strings.Repeat("x", 32<<20)) // more than the socket buffers take
	}()
	select {
	case <-done:
	case <-time.After(writeWait + 10*time.Second):
		t.Fatal("Subscribe never returned")
	}
	closed := make(chan struct{})
	go func() { defer close(closed); s.Close() }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs")
	}
}

// A negative ReadCoalesceDelay leaves the mark alone.
func TestReadCoalescingCanBeTurnedOff(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true, ReadCoalesceDelay: -1}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	echoBurst(t, s, 2000, 64)
	require.Equal(t, coalesceState{}, coalescing(t, s))
	require.Equal(t, 1, kernelMark(t, currentConn(t, s).rd.raw))
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
