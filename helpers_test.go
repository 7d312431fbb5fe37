package scclient

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient/internal/testserver"
	"github.com/socketcluster-go/scclient/streams"
)

// startServer starts the real SocketCluster server with env settings.
func startServer(t testing.TB, env map[string]string) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Env: env})
}

// newSocket creates a socket for srv and closes it at the end of the test.
func newSocket(t testing.TB, url string, opts Options) *Socket {
	t.Helper()
	opts.URL = url
	s, err := Create(opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// eventWatcher records socket events from the moment it is created.
type eventWatcher struct {
	t *testing.T
	c *streams.Consumer[string, Event]
}

// newWatchedSocket is newSocket with a watcher that sees every event from
// the start: the socket connects (unless opts disable it) only once the
// watcher exists, so a fast handshake cannot emit events before it.
func newWatchedSocket(t *testing.T, url string, opts Options, names ...string) (*Socket, *eventWatcher) {
	t.Helper()
	autoConnect := !opts.DisableAutoConnect
	opts.DisableAutoConnect = true
	s := newSocket(t, url, opts)
	w := watch(t, s, names...)
	if autoConnect {
		if err := s.Connect(); err != nil {
			t.Fatal(err)
		}
	}
	return s, w
}

func watch(t *testing.T, s *Socket, names ...string) *eventWatcher {
	return &eventWatcher{t: t, c: s.Listener(names...).CreateConsumer(0)}
}

// next returns the next event within d or fails the test.
func (w *eventWatcher) next(d time.Duration) Event {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	ev, ok, err := w.c.Next(ctx)
	if err != nil || !ok {
		w.t.Fatalf("no event within %v (ok=%v err=%v)", d, ok, err)
	}
	return ev
}

// waitFor skips events until one named name arrives within d.
func (w *eventWatcher) waitFor(name string, d time.Duration) Event {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			w.t.Fatalf("no %q event within %v", name, d)
		}
		ev := w.next(left)
		if ev.Name == name {
			return ev
		}
	}
}

// names drains the events that arrive within d and returns their names.
func (w *eventWatcher) names(d time.Duration) []string {
	var out []string
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return out
		}
		ctx, cancel := context.WithTimeout(context.Background(), left)
		ev, ok, err := w.c.Next(ctx)
		cancel()
		if err != nil || !ok {
			return out
		}
		out = append(out, ev.Name)
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func itoaPort(p int) string { return strconv.Itoa(p) }
