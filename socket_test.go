package scclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConnectAndInvokeEcho(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect)
	ev := w.waitFor(EventConnect, 5*time.Second)
	require.NotEmpty(t, ev.ID)
	require.Equal(t, StateOpen, s.State())
	require.Equal(t, ev.ID, s.ID())
	require.False(t, ev.IsAuthenticated)

	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", map[string]any{"a": 1})
	require.NoError(t, err)
	var out map[string]int
	require.NoError(t, res.Decode(&out))
	require.Equal(t, map[string]int{"a": 1}, out)

	res, err = s.Invoke(ctxT(t, 5*time.Second), "noData", nil)
	require.NoError(t, err)
	require.True(t, res.Absent())
}

func TestInvokeServerErrorsKeepNameAndFields(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{})

	_, err := s.Invoke(ctxT(t, 5*time.Second), "fail", nil)
	var sce *SCError
	require.True(t, errors.As(err, &sce), "got %T %v", err, err)
	require.Equal(t, "CustomError", sce.Name)
	require.Equal(t, "custom failure", sce.Message)
	require.Equal(t, float64(42), sce.Fields["code"])
	require.Equal(t, map[string]any{"a": float64(1)}, sce.Fields["details"])

	_, err = s.Invoke(ctxT(t, 5*time.Second), "failString", nil)
	require.True(t, errors.As(err, &sce))
	require.Equal(t, "just a string", sce.Value)
	require.Equal(t, "", sce.Name)
}

func TestInvokeTimesOut(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{AckTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := s.Invoke(context.Background(), "slow", map[string]any{"ms": 2000})
	var te *TimeoutError
	require.True(t, errors.As(err, &te), "got %T %v", err, err)
	require.Equal(t, "Event response for slow event timed out", te.Message)
	require.Less(t, time.Since(start), 2*time.Second)

	// A per-call timeout overrides the socket's.
	_, err = s.Invoke(context.Background(), "slow", map[string]any{"ms": 300}, WithAckTimeout(3*time.Second))
	require.NoError(t, err)

	// A context deadline bounds the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = s.Invoke(ctx, "slow", map[string]any{"ms": 2000})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestCallsBeforeConnectArriveInOrder(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoConnect: true})
	require.Equal(t, StateClosed, s.State())
	seq := s.Receiver("seq").CreateConsumer(0)

	const n = 20
	for i := 0; i < n; i++ {
		require.NoError(t, s.Transmit("echoEvent", map[string]any{"event": "seq", "data": i}))
	}
	// The first call connected the socket (autoConnect is only about Create).
	require.NotEqual(t, StateClosed, s.State())
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", "after")
	require.NoError(t, err)
	require.Equal(t, `"after"`, res.String())
	for i := 0; i < n; i++ {
		v, ok, err := seq.Next(ctxT(t, 5*time.Second))
		require.NoError(t, err)
		require.True(t, ok)
		var got int
		require.NoError(t, v.Decode(&got))
		require.Equal(t, i, got)
	}
}

func TestPendingInvokeFailsOnDisconnect(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoReconnect: true})
	w := watch(t, s)
	w.waitFor(EventConnect, 5*time.Second)

	errc := make(chan error, 1)
	go func() {
		_, err := s.Invoke(context.Background(), "slow", map[string]any{"ms": 5000})
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, s.Disconnect(4444, "bye"))
	err := <-errc
	var bce *BadConnectionError
	require.True(t, errors.As(err, &bce), "got %T %v", err, err)
	require.Equal(t, "disconnect", bce.Type)
	require.Equal(t, 4444, bce.Code)
	require.Equal(t, "bye", bce.Reason)
	require.Equal(t, "Event slow was aborted due to a bad connection", bce.Message)

	ev := w.waitFor(EventDisconnect, time.Second)
	require.Equal(t, 4444, ev.Code)
	require.Equal(t, "bye", ev.Reason)
	require.Equal(t, EventClose, w.next(time.Second).Name)
	ev = w.next(time.Second)
	require.Equal(t, EventError, ev.Name)
	var spe *SocketProtocolError
	require.True(t, errors.As(ev.Error, &spe))
	require.Equal(t, 4444, spe.Code)
	require.Equal(t, "Socket connection closed with status code 4444 and reason: bye", spe.Message)
}

func TestReceiverAndProcedure(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{})
	hello := s.Receiver("hello").CreateConsumer(0)
	procs := s.Procedure("clientProc").CreateConsumer(0)

	_, err := s.Invoke(ctxT(t, 5*time.Second), "serverTransmit", map[string]any{"event": "hello", "data": []int{1, 2}})
	require.NoError(t, err)
	v, ok, err := hello.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	require.JSONEq(t, `[1,2]`, v.String())

	go func() {
		for i := 0; i < 2; i++ {
			req, ok, err := procs.Next(context.Background())
			if err != nil || !ok {
				return
			}
			var q struct{ Q int }
			_ = req.Data.Decode(&q)
			if q.Q == 1 {
				_ = req.End(map[string]any{"ok": true})
				if err := req.End(nil); err == nil {
					panic("second End must fail")
				}
			} else {
				_ = req.Error(&SCError{Name: "ClientError", Message: "client side failure", Fields: map[string]any{"extra": 7}})
			}
		}
	}()
	res, err := s.Invoke(ctxT(t, 5*time.Second), "serverInvoke", map[string]any{"event": "clientProc", "data": map[string]any{"q": 1}})
	require.NoError(t, err)
	require.JSONEq(t, `{"ok":true}`, res.String())

	_, err = s.Invoke(ctxT(t, 5*time.Second), "serverInvoke", map[string]any{"event": "clientProc", "data": map[string]any{"q": 2}})
	var sce *SCError
	require.True(t, errors.As(err, &sce), "got %T %v", err, err)
	require.Equal(t, "ClientError", sce.Name)
	require.Equal(t, "client side failure", sce.Message)
	require.Equal(t, float64(7), sce.Fields["extra"])
}

func TestReconnectFollowsScheduleAfterServerRestart(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{AutoReconnectOptions: ReconnectOptions{
		InitialDelay: 300 * time.Millisecond, Randomness: -1, Multiplier: 2, MaxDelay: time.Second,
	}}, EventConnect, EventDisconnect, EventConnectAbort, EventConnecting)
	w.waitFor(EventConnect, 5*time.Second)

	srv.Kill()
	ev := w.waitFor(EventDisconnect, 5*time.Second)
	require.Equal(t, 1006, ev.Code)
	require.Equal(t, "Socket hung up", ev.Reason)
	var delays []time.Duration
	d, pending := s.PendingReconnectTimeout()
	require.True(t, pending)
	delays = append(delays, d)
	for len(delays) < 4 {
		w.waitFor(EventConnectAbort, 5*time.Second)
		d, pending := s.PendingReconnectTimeout()
		require.True(t, pending)
		delays = append(delays, d)
	}
	require.Equal(t, []time.Duration{300 * time.Millisecond, 600 * time.Millisecond, time.Second, time.Second}, delays)
	require.Equal(t, 4, s.ConnectAttempts())

	srv.Restart()
	w.waitFor(EventConnect, 5*time.Second)
	require.Equal(t, 0, s.ConnectAttempts())
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", 7)
	require.NoError(t, err)
	require.Equal(t, "7", res.String())
}

func TestHandshakeRejectedWithPermanentCode(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_REJECT_HANDSHAKE": "4600"})
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnecting, EventError, EventConnectAbort, EventClose, EventConnect)
	require.Equal(t, EventConnecting, w.next(time.Second).Name)
	ev := w.next(5 * time.Second)
	require.Equal(t, EventError, ev.Name)
	var sce *SCError
	require.True(t, errors.As(ev.Error, &sce))
	require.Equal(t, "SCRejectError", sce.Name)
	ev = w.next(time.Second)
	require.Equal(t, EventConnectAbort, ev.Name)
	require.Equal(t, 4600, ev.Code)
	require.Equal(t, "SCRejectError: SC handshake rejected with custom code", ev.Reason)
	require.Equal(t, EventClose, w.next(time.Second).Name)
	require.Equal(t, EventError, w.next(time.Second).Name)
	require.False(t, s.PendingReconnect())
}

func TestProtocolVersion1(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_PROTOCOL_VERSION": "1", "SC_PING_INTERVAL": "100", "SC_PING_TIMEOUT": "600"})
	s, w := newWatchedSocket(t, srv.URL(), Options{ProtocolVersion: 1}, EventConnect, EventDisconnect, EventMessage)
	w.waitFor(EventConnect, 5*time.Second)
	ping := w.waitFor(EventMessage, 2*time.Second)
	require.Equal(t, "#1", ping.Message.String())
	time.Sleep(1200 * time.Millisecond) // two pong timeouts of the server
	require.Equal(t, StateOpen, s.State())
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", "v1")
	require.NoError(t, err)
	require.Equal(t, `"v1"`, res.String())
}

func TestPingTimeoutClosesWith4000AndReconnectsAtOnce(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_PING_TIMEOUT_DISABLED": "1", "SC_PING_TIMEOUT": "500"})
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect, EventDisconnect)
	ev := w.waitFor(EventConnect, 5*time.Second)
	require.Equal(t, 500*time.Millisecond, ev.PingTimeout)
	require.Equal(t, 500*time.Millisecond, s.PingTimeout())
	ev = w.waitFor(EventDisconnect, 3*time.Second)
	require.Equal(t, 4000, ev.Code)
	require.Equal(t, "Server ping timed out", ev.Reason)
	w.waitFor(EventConnect, 3*time.Second)
}

func TestCreateRejectsBadOptions(t *testing.T) {
	cases := []Options{
		{Host: "nohostport"},
		{Host: "a:8000", Hostname: "b"},
		{Host: "a:8000", Port: 80},
		{URL: "http://x/"},
		{URL: "ws://"},
		{URL: "ws:///socketcluster/"},
		{URL: "ws://a:1/", Port: 2},
		{AckTimeout: -1},
		{ConnectTimeout: time.Duration(1<<31) * time.Millisecond},
		{ProtocolVersion: 3},
		{Header: map[string][]string{"X-A": {"v\r\nInjected: 1"}}},
	}
	for i, o := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := Create(o)
			var iae *InvalidArgumentsError
			require.True(t, errors.As(err, &iae), "got %v", err)
		})
	}
}

func TestURIAndDefaults(t *testing.T) {
	s, err := Create(Options{DisableAutoConnect: true, Hostname: "example.com", Port: 8000, Query: map[string][]string{"a": {"x y"}}})
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, "ws://example.com:8000/socketcluster/?a=x+y", s.URI())
	require.Equal(t, "socketcluster.authToken.example.com:8000", s.AuthTokenName())
	require.Equal(t, 20*time.Second, s.ConnectTimeout())
	require.Equal(t, 10*time.Second, s.AckTimeout())
	require.Len(t, s.ClientID(), 36)

	s2, err := Create(Options{DisableAutoConnect: true, Secure: true})
	require.NoError(t, err)
	defer s2.Close()
	require.Equal(t, "wss://localhost/socketcluster/", s2.URI())
	require.Equal(t, "socketcluster.authToken.localhost:443", s2.AuthTokenName())
}

func TestCloseReleasesEverything(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	all := s.Listener().All()
	done := make(chan struct{})
	go func() {
		for range all {
		}
		close(done)
	}()
	require.NoError(t, s.Close())
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("range over listeners did not end after Close")
	}
	_, err := s.Invoke(context.Background(), "echo", 1)
	require.ErrorIs(t, err, ErrClosed)
}

// A stream family's demux is made when one of its streams is first asked
// for; until then what the socket writes to the family is dropped.
func TestStreamFamiliesAreMadeOnFirstUse(t *testing.T) {
	s, err := Create(Options{DisableAutoConnect: true})
	require.NoError(t, err)
	defer s.Close()
	require.Nil(t, s.listeners.get())
	require.Nil(t, s.receivers.get())
	require.Nil(t, s.procedures.get())
	require.Nil(t, s.channelOutputs.get())
	require.Nil(t, s.channelListeners.get())
	s.Emit(Event{Name: "custom"}) // no listener yet: dropped
	require.Zero(t, s.AllListenersConsumerCount())

	l := s.Listener("custom")
	require.NotNil(t, s.listeners.get())
	c := l.CreateConsumer(0)
	s.Emit(Event{Name: "custom", Reason: "seen"})
	ev, ok, err := c.Next(ctxT(t, time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "seen", ev.Reason)
	require.Same(t, s.listeners.get(), s.listeners.make(s, "listener"))
	require.Nil(t, s.receivers.get(), "other families stay unmade")
}

// The first stream of a family makes its demux while ConnectWith may be
// replacing the options (a race the race detector would report).
func TestFirstStreamDoesNotRaceConnectWith(t *testing.T) {
	s, err := Create(Options{Hostname: "127.0.0.1", Port: 9, DisableAutoConnect: true, DisableAutoReconnect: true})
	require.NoError(t, err)
	defer s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.ConnectWith(func(o *Options) { o.MaxBacklog = 5 })
	}()
	time.Sleep(50 * time.Millisecond)
	_ = s.Receiver("x") // first receiver stream: makes the demux
	<-done
}

// MaxBacklog and BacklogPolicy are those given at creation, for every
// stream family, however late its first stream is asked for.
func TestBacklogBoundIsTheCreationOne(t *testing.T) {
	s, err := Create(Options{Hostname: "127.0.0.1", Port: 9, DisableAutoConnect: true, DisableAutoReconnect: true})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.ConnectWith(func(o *Options) { o.MaxBacklog = 2 }))
	c := s.Listener("custom").CreateConsumer(0)
	for i := 0; i < 5; i++ {
		s.Emit(Event{Name: "custom"})
	}
	st, _ := s.ListenerConsumerStats(c.ID())
	require.Equal(t, 5, st.Backpressure, "the creation options (no bound) apply")
}

// The longest reason a close frame holds reaches the server whole.
func TestDisconnectLongestReasonReachesServer(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoReconnect: true}, EventConnect, EventDisconnect)
	w.waitFor(EventConnect, 5*time.Second)
	reason := strings.Repeat("r", maxCloseReason)
	require.NoError(t, s.Disconnect(4100, reason))
	ev := w.waitFor(EventDisconnect, 5*time.Second)
	require.Equal(t, reason, ev.Reason)
	want := `code=4100 reason="` + reason + `"`
	require.Eventually(t, func() bool { return strings.Contains(srv.Log(), want) }, 5*time.Second, 10*time.Millisecond,
		"the server did not log %s:\n%s", want, srv.Log())
}
