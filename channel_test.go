package scclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func signToken(t testing.TB, key string, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	require.NoError(t, err)
	return tok
}

func TestSubscribeBeforeConnectAndReceive(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoConnect: true})
	w := watch(t, s, EventSubscribeRequest, EventSubscribe, EventSubscribeStateChange, EventConnect)
	ch := s.Subscribe("news")
	msgs := ch.CreateConsumer(0)
	require.Equal(t, ChannelPending, ch.State())
	require.Equal(t, []string{}, s.Subscriptions(false))
	require.Equal(t, []string{"news"}, s.Subscriptions(true))
	require.NoError(t, s.Connect())

	require.Equal(t, []string{EventSubscribeRequest, EventConnect, EventSubscribeStateChange, EventSubscribe}, w.names(time.Second))
	require.Equal(t, ChannelSubscribed, ch.State())
	require.True(t, s.IsSubscribed("news", false))

	_, err := s.Invoke(ctxT(t, 5*time.Second), "publish", map[string]any{"channel": "news", "data": "from server"})
	require.NoError(t, err)
	require.NoError(t, ch.InvokePublish(ctxT(t, 5*time.Second), map[string]any{"from": "client"}))
	v, _, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.Equal(t, `"from server"`, v.String())
	v, _, err = msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.JSONEq(t, `{"from":"client"}`, v.String())
}

func TestPubSubAcrossTwoSocketsLosesNothing(t *testing.T) {
	srv := startServer(t, nil)
	sub := newSocket(t, srv.URL(), Options{DisableAutoConnect: true})
	pub := newSocket(t, srv.URL(), Options{})
	ch := sub.Subscribe("bulk")
	msgs := ch.All()
	w := watch(t, sub, EventSubscribe)
	require.NoError(t, sub.Connect())
	w.waitFor(EventSubscribe, 5*time.Second)

	const n = 10000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if err := pub.TransmitPublish("bulk", i); err != nil {
				t.Errorf("publish %d: %v", i, err)
				return
			}
		}
	}()
	next := 0
	timeout := time.AfterFunc(30*time.Second, func() { sub.CloseChannel("bulk") })
	defer timeout.Stop()
	for v := range msgs {
		var got int
		require.NoError(t, v.Decode(&got))
		require.Equal(t, next, got, "message out of order or lost")
		next++
		if next == n {
			break
		}
	}
	wg.Wait()
	require.Equal(t, n, next)
}

func TestPublishBlockedByMiddlewareFails(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{})
	err := s.InvokePublish(ctxT(t, 5*time.Second), "noPublish", "x")
	var sce *SCError
	require.True(t, errors.As(err, &sce), "got %v", err)
	require.Equal(t, "PublishBlockedError", sce.Name)
}

func TestSubscribeFailDropsChannel(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoConnect: true})
	w := watch(t, s, EventSubscribeFail)
	ch := s.Subscribe("forbidden")
	chFail := ch.Listener(EventSubscribeFail).CreateConsumer(0)
	require.NoError(t, s.Connect())
	ev := w.waitFor(EventSubscribeFail, 5*time.Second)
	require.Equal(t, "forbidden", ev.Channel)
	var sce *SCError
	require.True(t, errors.As(ev.Error, &sce))
	require.Equal(t, "ForbiddenSubscribeError", sce.Name)
	require.Equal(t, float64(123), sce.Fields["extraField"])
	cev, _, err := chFail.Next(ctxT(t, time.Second))
	require.NoError(t, err)
	require.Equal(t, EventSubscribeFail, cev.Name)
	require.Equal(t, ChannelUnsubscribed, ch.State())
}

func TestPriorityOrderOnTheWire(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoConnect: true})
	w := watch(t, s, EventSubscribeRequest)
	s.Subscribe("low", SubscribeOptions{Priority: 1})
	s.Subscribe("high", SubscribeOptions{Priority: 10})
	s.Subscribe("none")
	s.Subscribe("mid", SubscribeOptions{Priority: 5})
	require.NoError(t, s.Connect())
	var order []string
	for i := 0; i < 4; i++ {
		order = append(order, w.waitFor(EventSubscribeRequest, 5*time.Second).Channel)
	}
	require.Equal(t, []string{"high", "mid", "low", "none"}, order)
}

func TestKickOut(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventSubscribe, EventKickOut, EventSubscribeStateChange, EventUnsubscribe)
	ch := s.Subscribe("a")
	w.waitFor(EventSubscribe, 5*time.Second)
	_, err := s.Invoke(ctxT(t, 5*time.Second), "kick", map[string]any{"channel": "a", "message": "bye"})
	require.NoError(t, err)
	ev := w.waitFor(EventKickOut, 5*time.Second)
	require.Equal(t, "a", ev.Channel)
	require.Equal(t, `"bye"`, ev.Message.String())
	ev = w.next(time.Second)
	require.Equal(t, EventSubscribeStateChange, ev.Name)
	require.Equal(t, ChannelUnsubscribed, ev.NewChannelState)
	require.Equal(t, EventUnsubscribe, w.next(time.Second).Name)
	require.Equal(t, ChannelUnsubscribed, ch.State())
}

func TestChannelPrefix(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{ChannelPrefix: "pre/"}, EventSubscribe)
	ch := s.Subscribe("foo")
	msgs := ch.CreateConsumer(0)
	w.waitFor(EventSubscribe, 5*time.Second)
	n, err := s.Invoke(ctxT(t, 5*time.Second), "subscribers", map[string]any{"channel": "pre/foo"})
	require.NoError(t, err)
	require.Equal(t, "1", n.String())
	require.NoError(t, s.TransmitPublish("foo", 1))
	v, _, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.Equal(t, "1", v.String())
}

func TestResubscribeAfterServerRestart(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{AutoReconnectOptions: ReconnectOptions{InitialDelay: 100 * time.Millisecond, Randomness: -1, MaxDelay: 200 * time.Millisecond}}, EventSubscribe, EventSubscribeStateChange, EventConnect)
	for i := 0; i < 5; i++ {
		s.Subscribe(fmt.Sprint("ch", i))
	}
	for i := 0; i < 5; i++ {
		w.waitFor(EventSubscribe, 5*time.Second)
	}
	srv.Kill()
	for i := 0; i < 5; i++ {
		ev := w.waitFor(EventSubscribeStateChange, 5*time.Second)
		require.Equal(t, ChannelPending, ev.NewChannelState)
	}
	require.Equal(t, []string{}, s.Subscriptions(false))
	srv.Restart()
	w.waitFor(EventConnect, 10*time.Second)
	for i := 0; i < 5; i++ {
		w.waitFor(EventSubscribe, 5*time.Second)
	}
	require.Len(t, s.Subscriptions(false), 5)
	res, err := s.Invoke(ctxT(t, 5*time.Second), "subscribers", map[string]any{"channel": "ch3"})
	require.NoError(t, err)
	require.Equal(t, "1", res.String())
}

func TestLoginSetsTokenAndPrivateChannelWaitsForAuth(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect, EventSubscribeRequest, EventSubscribe, EventAuthStateChange, EventAuthenticate, EventSubscribeFail)
	w.waitFor(EventConnect, 5*time.Second)
	priv := s.Subscribe("private/room", SubscribeOptions{WaitForAuth: true})
	msgs := priv.CreateConsumer(0)
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, ChannelPending, priv.State())

	res, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "alice"})
	require.NoError(t, err)
	require.Equal(t, `"ok"`, res.String())
	// Pending waitForAuth subscriptions go out before authStateChange.
	require.Equal(t, EventSubscribeRequest, w.next(5*time.Second).Name)
	ev := w.next(time.Second)
	require.Equal(t, EventAuthStateChange, ev.Name)
	require.Equal(t, Authenticated, ev.NewAuthState)
	ev = w.next(time.Second)
	require.Equal(t, EventAuthenticate, ev.Name)
	require.Equal(t, "alice", ev.AuthToken["username"])
	w.waitFor(EventSubscribe, 5*time.Second)
	require.Equal(t, Authenticated, s.AuthState())
	require.Equal(t, "alice", s.AuthToken()["username"])
	stored, err := s.AuthEngine().LoadToken(context.Background(), s.AuthTokenName())
	require.NoError(t, err)
	require.Equal(t, s.SignedAuthToken(), stored)

	_, err = s.Invoke(ctxT(t, 5*time.Second), "publish", map[string]any{"channel": "private/room", "data": "secret"})
	require.NoError(t, err)
	v, _, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.Equal(t, `"secret"`, v.String())
}

func TestPrivateChannelRejectedWithoutAuth(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventSubscribeFail)
	s.Subscribe("private/x")
	ev := w.waitFor(EventSubscribeFail, 5*time.Second)
	var sce *SCError
	require.True(t, errors.As(ev.Error, &sce))
	require.Equal(t, "PrivateChannelError", sce.Name)
}

func TestAuthenticateWithSignedAndInvalidTokens(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect, EventAuthenticate, EventDeauthenticate, EventRemoveAuthToken)
	w.waitFor(EventConnect, 5*time.Second)

	good := signToken(t, "testkey", jwt.MapClaims{"username": "bob", "exp": time.Now().Add(time.Hour).Unix()})
	status, err := s.Authenticate(ctxT(t, 5*time.Second), good)
	require.NoError(t, err)
	require.True(t, status.IsAuthenticated)
	require.Nil(t, status.AuthError)
	require.Equal(t, Authenticated, s.AuthState())
	require.Equal(t, good, s.SignedAuthToken())
	w.waitFor(EventAuthenticate, time.Second)

	bad := signToken(t, "wrongkey", jwt.MapClaims{"username": "eve"})
	_, err = s.Authenticate(ctxT(t, 5*time.Second), bad)
	var inv *AuthTokenInvalidError
	require.True(t, errors.As(err, &inv), "got %T %v", err, err)
	require.Equal(t, true, inv.Fields["isBadToken"])
	require.Equal(t, Unauthenticated, s.AuthState())
	w.waitFor(EventDeauthenticate, time.Second)
	w.waitFor(EventRemoveAuthToken, 5*time.Second)
}

func TestReconnectKeepsAuthentication(t *testing.T) {
	srv := startServer(t, nil)
	engine := NewMemoryAuthEngine()
	s, w := newWatchedSocket(t, srv.URL(), Options{AuthEngine: engine, AutoReconnectOptions: ReconnectOptions{InitialDelay: 100 * time.Millisecond, Randomness: -1}}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	_, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "bob"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return s.AuthState() == Authenticated }, 5*time.Second, 10*time.Millisecond)

	srv.Kill()
	srv.Restart()
	ev := w.waitFor(EventConnect, 10*time.Second)
	require.True(t, ev.IsAuthenticated)
	require.NotEmpty(t, ev.SignedAuthToken)
	require.Equal(t, Authenticated, s.AuthState())
}

func TestDeauthenticate(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect, EventAuthenticate, EventAuthStateChange, EventDeauthenticate, EventRemoveAuthToken)
	w.waitFor(EventConnect, 5*time.Second)
	_, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "alice"})
	require.NoError(t, err)
	w.waitFor(EventAuthenticate, 5*time.Second)
	token := s.SignedAuthToken()

	require.NoError(t, s.Deauthenticate(context.Background()))
	ev := w.next(time.Second)
	require.Equal(t, EventAuthStateChange, ev.Name)
	require.Equal(t, Unauthenticated, ev.NewAuthState)
	ev = w.next(time.Second)
	require.Equal(t, EventDeauthenticate, ev.Name)
	require.Equal(t, token, ev.OldSignedAuthToken)
	ev = w.next(time.Second)
	require.Equal(t, EventRemoveAuthToken, ev.Name)
	require.Equal(t, token, ev.OldSignedAuthToken)
	stored, _ := s.AuthEngine().LoadToken(context.Background(), s.AuthTokenName())
	require.Empty(t, stored)

	// The server-initiated form: login again, then have the server log us out.
	_, err = s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "alice"})
	require.NoError(t, err)
	w.waitFor(EventAuthenticate, 5*time.Second)
	_, err = s.Invoke(ctxT(t, 5*time.Second), "logout", nil)
	require.NoError(t, err)
	w.waitFor(EventDeauthenticate, 5*time.Second)
	w.waitFor(EventRemoveAuthToken, 5*time.Second)
	require.Equal(t, Unauthenticated, s.AuthState())
}

func TestBatchGoesOutAsOneFrame(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	seq := s.Receiver("b").CreateConsumer(0)

	frames := func() int {
		res, err := s.Invoke(ctxT(t, 5*time.Second), "stats", nil)
		require.NoError(t, err)
		var stats struct {
			InboundMessages int `json:"inboundMessages"`
		}
		require.NoError(t, res.Decode(&stats))
		return stats.InboundMessages
	}
	before := frames() // counts the stats call itself

	s.StartBatch()
	require.True(t, s.IsBufferingBatch())
	for i := 0; i < 3; i++ {
		require.NoError(t, s.Transmit("echoEvent", map[string]any{"event": "b", "data": i}))
	}
	s.FlushBatch()
	require.False(t, s.IsBufferingBatch())
	for i := 0; i < 3; i++ {
		v, _, err := seq.Next(ctxT(t, 5*time.Second))
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(i), v.String())
	}
	// Three transmits in one frame, then the second stats call.
	require.Equal(t, before+2, frames())

	s.StartBatching()
	require.True(t, s.IsBatching())
	start := time.Now()
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", "batched")
	require.NoError(t, err)
	require.Equal(t, `"batched"`, res.String())
	require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	s.StopBatching()
	require.False(t, s.IsBatching())
}
