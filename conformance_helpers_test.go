package scclient

// Shared fixtures of the conformance tests: Go versions of the cases of
// socketcluster-client 20.0.2's own integration suite (test/integration.js),
// run against the real server of testdata/server with the suite's server
// settings (authKey "testkey", ackTimeout 200 ms). docs/CONFORMANCE.md maps
// every JavaScript case to its Go test.
//
// Adaptations that apply to every case:
//
//   - The suite's browser localStorage becomes an AuthEngine: each test gets a
//     fresh MemoryAuthEngine (the suite clears localStorage after each case),
//     pre-seeded with a token where the case seeds localStorage.
//   - JavaScript's create() connects on a later turn of the event loop, after
//     the case has attached its listeners. The Go tests create the socket
//     with DisableAutoConnect, register their consumers, then call Connect:
//     the same order, without a race against the handshake.
//   - A case that needs the socket to stay in the connecting state uses a
//     dialer that holds the TCP dial until released (confGate), where the
//     JavaScript case relies on the single-threaded event loop.
//   - wait(0) turns and "the listener has run by now" become the Go
//     guarantee that every event caused by a call is emitted before the call
//     returns, so a consumer created earlier already holds it.
//   - A fixed wait after which the case asserts that something did NOT happen
//     is kept as a quiet period of the same length; a fixed wait after which
//     something must have happened becomes a wait with a generous deadline.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/socketcluster-go/scclient/internal/testserver"
	"github.com/socketcluster-go/scclient/streams"
)

const (
	// confAuthKey is the suite's server authKey.
	confAuthKey = "testkey"
	// confAuthTokenName is the suite's authTokenName client option.
	confAuthTokenName = "socketcluster.authToken"
	// confAckTimeout is the suite's ackTimeout, for the server and clients.
	confAckTimeout = 200 * time.Millisecond
	// confDeadline bounds every wait for something that must happen.
	confDeadline = 10 * time.Second
	// confFarExpiry is the far-future expiry of the suite's fixed tokens
	// (a Unix time in seconds, about 100 million years ahead).
	confFarExpiry = 3163758978215487
)

// confServer starts the real server with the suite's server options.
func confServer(t *testing.T) *testserver.Server {
	t.Helper()
	srv := startServer(t, map[string]string{
		"SC_AUTH_KEY":    confAuthKey,
		"SC_ACK_TIMEOUT": "200",
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server output:\n%s", srv.Log())
		}
	})
	confWarmUp(t, srv)
	return srv
}

// confWarmUp makes a first connection that authenticates in its handshake,
// logs in and authenticates again, with a generous ack timeout. A freshly
// started Node process is slow the first time through these paths, while
// the suite's single server is already warm after its first case; without
// this, the 200 ms ack timeout of the cases could expire on a busy machine.
func confWarmUp(t *testing.T, srv *testserver.Server) {
	t.Helper()
	opts := confOptions(srv, confStorage(t, confToken(t, "bob")))
	opts.AckTimeout = confDeadline
	s, err := Create(opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
	defer cancel()
	if _, err := s.Invoke(ctx, "login", map[string]any{"username": "alice"}); err != nil {
		t.Fatalf("warm-up login: %v", err)
	}
	if _, err := s.Authenticate(ctx, confToken(t, "kate")); err != nil {
		t.Fatalf("warm-up authenticate: %v", err)
	}
}

// confOptions returns the suite's client options for srv: hostname
// 127.0.0.1 and the server's port, ack timeout 200 ms, auth token name
// "socketcluster.authToken", the given engine, and no automatic connection
// (see the file comment).
func confOptions(srv *testserver.Server, engine AuthEngine) Options {
	return Options{
		Hostname:           "127.0.0.1",
		Port:               srv.Port(),
		AckTimeout:         confAckTimeout,
		AuthTokenName:      confAuthTokenName,
		AuthEngine:         engine,
		DisableAutoConnect: true,
	}
}

// confClient creates a socket with the suite's client options, edited by
// edit when it is not nil, and closes it when the test ends.
func confClient(t *testing.T, srv *testserver.Server, engine AuthEngine, edit func(*Options)) *Socket {
	t.Helper()
	opts := confOptions(srv, engine)
	if edit != nil {
		edit(&opts)
	}
	s, err := Create(opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	// Every event is recorded, and shown if the test fails.
	created := time.Now()
	history := s.Listener().CreateConsumer(0)
	t.Cleanup(func() {
		s.Close()
		if !t.Failed() {
			return
		}
		for ev := range history.All() {
			t.Logf("socket event %q code=%d reason=%q error=%v channel=%q", ev.Name, ev.Code, ev.Reason, ev.Error, ev.Channel)
		}
		t.Logf("socket created %v before the end of the test", time.Since(created))
	})
	return s
}

// confStorage returns a fresh in-memory auth engine, the Go form of the
// suite's localStorage, holding token under the suite's token name when
// token is not empty.
func confStorage(t *testing.T, token string) *MemoryAuthEngine {
	t.Helper()
	engine := NewMemoryAuthEngine()
	if token != "" {
		if err := engine.SaveToken(context.Background(), confAuthTokenName, token); err != nil {
			t.Fatalf("seed the auth engine: %v", err)
		}
	}
	return engine
}

// confToken signs a token for username with the suite's key and far-off
// expiry, like the suite's fixed tokens for bob and kate.
func confToken(t *testing.T, username string) string {
	t.Helper()
	return signToken(t, confAuthKey, jwt.MapClaims{
		"username": username,
		"exp":      int64(confFarExpiry),
		"iat":      1502747746,
	})
}

// confInvalidToken returns a token that no key verifies: each of its three
// parts starts with "fake" instead of its real first characters, as the
// suite's invalid token does.
func confInvalidToken(t *testing.T) string {
	t.Helper()
	tok := []byte(confToken(t, "bob"))
	start := 0
	for i := 0; i <= len(tok); i++ {
		if i == len(tok) || tok[i] == '.' {
			copy(tok[start:], "fake")
			start = i + 1
		}
	}
	return string(tok)
}

// confEvents reads socket events from the moment it is created.
type confEvents struct {
	t *testing.T
	c *streams.Consumer[string, Event]
}

// confListen registers a consumer of the named socket events now.
func confListen(t *testing.T, s *Socket, names ...string) *confEvents {
	return &confEvents{t: t, c: s.Listener(names...).CreateConsumer(0)}
}

// next returns the next event, failing the test if none arrives in time.
func (r *confEvents) next() Event {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
	defer cancel()
	ev, ok, err := r.c.Next(ctx)
	if err != nil || !ok {
		r.t.Fatalf("no event within %v (ok=%v, err=%v)", confDeadline, ok, err)
	}
	return ev
}

// expect reads the next events and checks that they have these names, in
// this order.
func (r *confEvents) expect(names ...string) []Event {
	r.t.Helper()
	out := make([]Event, 0, len(names))
	for i, name := range names {
		ev := r.next()
		if ev.Name != name {
			r.t.Fatalf("event %d: got %q (%+v), want %q (expected sequence %q)", i, ev.Name, ev, name, names)
		}
		out = append(out, ev)
	}
	return out
}

// quiet checks that no event arrives within d.
func (r *confEvents) quiet(d time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	ev, ok, err := r.c.Next(ctx)
	if err == nil && ok {
		r.t.Fatalf("unexpected %q event within %v: %+v", ev.Name, d, ev)
	}
}

// queued returns how many events wait in the consumer now.
func (r *confEvents) queued() int { return r.c.Backpressure() }

// rest returns every event already queued, without waiting.
func (r *confEvents) rest() []Event {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a queued value is still returned with a done context
	var out []Event
	for {
		ev, ok, err := r.c.Next(ctx)
		if err != nil || !ok {
			return out
		}
		out = append(out, ev)
	}
}

// confAuthStateChanges turns authStateChange events into the suite's
// "old->new" strings.
func confAuthStateChanges(events []Event) []string {
	out := []string{}
	for _, ev := range events {
		if ev.Name == EventAuthStateChange {
			out = append(out, ev.OldAuthState.String()+"->"+ev.NewAuthState.String())
		}
	}
	return out
}

// confErrName returns the sc-errors name of err ("" when it has none).
func confErrName(err error) string {
	var sce *SCError
	if errors.As(err, &sce) {
		return sce.Name
	}
	return ""
}

// confUsername returns the username claim of a decoded token.
func confUsername(claims map[string]any) any {
	if claims == nil {
		return nil
	}
	return claims["username"]
}
