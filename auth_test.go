package scclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func TestFileAuthEngine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	e := NewFileAuthEngine(path)
	ctx := context.Background()
	tok, err := e.LoadToken(ctx, "a")
	require.NoError(t, err)
	require.Empty(t, tok)

	require.NoError(t, e.SaveToken(ctx, "a", "T1"))
	require.NoError(t, e.SaveToken(ctx, "b", "T2"))
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	tok, err = NewFileAuthEngine(path).LoadToken(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, "T1", tok)

	old, err := e.RemoveToken(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, "T1", old)
	tok, _ = e.LoadToken(ctx, "a")
	require.Empty(t, tok)
	tok, _ = e.LoadToken(ctx, "b")
	require.Equal(t, "T2", tok)

	// No temporary files are left behind.
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1)

	require.NoError(t, os.Chmod(path, 0o644))
	_, err = e.LoadToken(ctx, "b")
	require.ErrorIs(t, err, errWorldReadable)
	require.NotContains(t, err.Error(), "T2", "errors never carry tokens")
}

func TestHandshakeWithExpiredTokenReportsAuthError(t *testing.T) {
	srv := startServer(t, nil)
	engine := NewMemoryAuthEngine()
	expired := signToken(t, "testkey", jwt.MapClaims{"username": "old", "exp": time.Now().Add(-time.Hour).Unix()})
	s0, err := Create(Options{DisableAutoConnect: true})
	require.NoError(t, err)
	name := "socketcluster.authToken.127.0.0.1:" + itoaPort(srv.Port())
	s0.Close()
	require.NoError(t, engine.SaveToken(context.Background(), name, expired))

	s := newSocket(t, srv.URL(), Options{AuthEngine: engine, DisableAutoConnect: true})
	require.Equal(t, name, s.AuthTokenName())
	w := watch(t, s, EventConnect, EventRemoveAuthToken)
	require.NoError(t, s.Connect())
	ev := w.waitFor(EventConnect, 5*time.Second)
	require.False(t, ev.IsAuthenticated)
	var exp *AuthTokenExpiredError
	require.True(t, errors.As(ev.AuthError, &exp), "got %v", ev.AuthError)
	require.Equal(t, expired, ev.SignedAuthToken)
	w.waitFor(EventRemoveAuthToken, 5*time.Second)
	stored, _ := engine.LoadToken(context.Background(), name)
	require.Empty(t, stored)
}

func TestSetAndRemoveTokenInvokeForms(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect, EventAuthenticate, EventDeauthenticate)
	w.waitFor(EventConnect, 5*time.Second)
	res, err := s.Invoke(ctxT(t, 5*time.Second), "setAuthTokenInvoke", map[string]any{"username": "carol"})
	require.NoError(t, err, "the server's setAuthToken waits for our acknowledgement")
	require.Equal(t, `"ok"`, res.String())
	ev := w.waitFor(EventAuthenticate, time.Second)
	require.Equal(t, "carol", ev.AuthToken["username"])

	res, err = s.Invoke(ctxT(t, 5*time.Second), "deauthenticateInvoke", nil)
	require.NoError(t, err)
	require.Equal(t, `"ok"`, res.String())
	w.waitFor(EventDeauthenticate, time.Second)
	require.Equal(t, Unauthenticated, s.AuthState())
}

func TestManualPendingSubscriptions(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{DisableAutoSubscribeOnConnect: true}, EventConnect, EventSubscribe)
	s.Subscribe("later")
	ev := w.waitFor(EventConnect, 5*time.Second)
	require.True(t, s.PreparingPendingSubscriptions())
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, ChannelPending, s.ChannelState("later"))
	ev.ProcessPendingSubscriptions()
	require.Equal(t, "later", w.waitFor(EventSubscribe, 5*time.Second).Channel)
	require.False(t, s.PreparingPendingSubscriptions())
}

func TestUnsubscribe(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventSubscribe, EventUnsubscribe)
	ch := s.Subscribe("u")
	w.waitFor(EventSubscribe, 5*time.Second)
	ch.Unsubscribe()
	require.Equal(t, "u", w.waitFor(EventUnsubscribe, time.Second).Channel)
	require.Equal(t, ChannelUnsubscribed, ch.State())
	require.Eventually(t, func() bool {
		res, err := s.Invoke(ctxT(t, 5*time.Second), "subscribers", map[string]any{"channel": "u"})
		return err == nil && res.String() == "0"
	}, 5*time.Second, 20*time.Millisecond)
	s.Unsubscribe("never-subscribed") // a no-op
}

func TestBatchOnHandshakeAndCancelBatching(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{BatchOnHandshake: true, BatchOnHandshakeDuration: 300 * time.Millisecond}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	require.True(t, s.IsBufferingBatch())
	require.Eventually(t, func() bool { return !s.IsBufferingBatch() }, 2*time.Second, 10*time.Millisecond)

	s.StartBatching()
	seq := s.Receiver("c").CreateConsumer(0)
	require.NoError(t, s.Transmit("echoEvent", map[string]any{"event": "c", "data": 1}))
	s.CancelBatching()
	require.False(t, s.IsBatching())
	_, ok, err := seq.Next(ctxT(t, 300*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded, "a cancelled batch is never sent (ok=%v)", ok)
}

// socketGoroutines counts the goroutines running this package's code.
func socketGoroutines() (int, string) {
	buf := make([]byte, 4<<20)
	dump := string(buf[:runtime.Stack(buf, true)])
	n := 0
	for _, g := range strings.Split(dump, "\n\n") {
		if strings.Contains(g, "scclient.(*conn)") || strings.Contains(g, "scclient.(*Socket)") || strings.Contains(g, "scclient.(*idleSet)") {
			n++
		}
	}
	return n, dump
}

func TestIdleSocketGoroutines(t *testing.T) {
	srv := startServer(t, nil)
	const n = 20
	var socks []*Socket
	for i := 0; i < n; i++ {
		s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect)
		w.waitFor(EventConnect, 5*time.Second)
		socks = append(socks, s)
	}
	// An open socket's read loop is one goroutine. Where idle parking
	// exists, an idle socket hands its connection to the idle set and
	// holds none; the set's one goroutine waits for all of them.
	want := n
	if idleParking {
		want = 1
	}
	// A reader hands over to a fresh goroutine after each burst of frames,
	// so for an instant a socket can show two.
	open, dump := socketGoroutines()
	for settle := time.Now().Add(2 * time.Second); open != want && time.Now().Before(settle); {
		time.Sleep(10 * time.Millisecond)
		open, dump = socketGoroutines()
	}
	t.Logf("goroutines for %d idle open sockets: %d", n, open)
	require.Equal(t, want, open, "goroutines of idle open sockets:\n%s", dump)
	// Every idle socket still answers at once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i, s := range socks {
		res, err := s.Invoke(ctx, "echo", i)
		require.NoError(t, err)
		var got int
		require.NoError(t, res.Decode(&got))
		require.Equal(t, i, got)
	}
	for _, s := range socks {
		require.NoError(t, s.Close())
	}
	// Close returns once every goroutine has finished its work; allow the
	// instant between the last deferred call and the goroutine's exit.
	deadline := time.Now().Add(2 * time.Second)
	left, dump := socketGoroutines()
	for left > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		left, dump = socketGoroutines()
	}
	require.Zero(t, left, "goroutines left after Close:\n%s", dump)
}

// stackBytes returns the memory held by goroutine stacks, after collecting
// the stacks of goroutines that have ended.
func stackBytes() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.StackInuse)
}

// An idle socket keeps a minimal stack: the read loop sheds what handling
// frames grew by moving to a fresh goroutine.
func TestIdleSocketsKeepMinimalStacks(t *testing.T) {
	srv := startServer(t, nil)
	const n = 200
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before := stackBytes()
	var socks []*Socket
	for i := 0; i < n; i++ {
		s, err := Create(Options{URL: srv.URL()})
		require.NoError(t, err)
		socks = append(socks, s)
		// The call connects the socket and has its read loop handle the
		// handshake and the response.
		_, err = s.Invoke(ctx, "echo", map[string]any{"deep": []any{[]any{[]any{1, 2, 3}}}})
		require.NoError(t, err)
	}
	time.Sleep(100 * time.Millisecond) // let the last read loops park
	per := float64(stackBytes()-before) / n
	t.Logf("stack memory per idle socket: %.0f bytes", per)
	// A fresh goroutine has a 2 KiB stack; one that kept what a burst of
	// work grew has at least 4 KiB (twice both under the race detector).
	require.Less(t, per, 3584.0*stackScale, "idle sockets kept grown stacks")
	for _, s := range socks {
		require.NoError(t, s.Close())
	}
}
