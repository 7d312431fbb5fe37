package scclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// relLockedBuffer is a bytes.Buffer safe for the logger's concurrent
// writes.
type relLockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *relLockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *relLockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// relTextsOf returns every text an event carries that could end up in a
// log: error strings (with their causes), auth errors and reasons.
func relTextsOf(ev Event) []string {
	var out []string
	for _, err := range []error{ev.Error, ev.AuthError} {
		for e := err; e != nil; e = errors.Unwrap(e) {
			out = append(out, e.Error(), fmt.Sprintf("%+v", e))
		}
	}
	if ev.Reason != "" {
		out = append(out, ev.Reason)
	}
	return out
}

// TestReliabilitySignedTokensNeverInLogsOrErrors logs in, reconnects
// (the stored token goes out in each handshake), authenticates with good,
// forged and expired tokens and deauthenticates, with a debug logger
// attached: no signed token may appear in the log, in an error string or
// in a close reason.
func TestReliabilitySignedTokensNeverInLogsOrErrors(t *testing.T) {
	srv := startServer(t, nil)
	var logs relLockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug - 4}))
	engine := NewMemoryAuthEngine()
	s := newSocket(t, srv.URL(), Options{Logger: logger, AuthEngine: engine, AutoReconnectOptions: relFastReconnect, AckTimeout: 2 * time.Second, DisableAutoConnect: true})
	all := s.Listener().CreateConsumer(0)
	w := watch(t, s, EventConnect, EventAuthenticate)
	if err := s.Connect(); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t, 30*time.Second)
	w.waitFor(EventConnect, 5*time.Second)

	var tokens []string
	// Logged in by the server.
	if _, err := s.Invoke(ctx, "login", map[string]any{"username": "alice"}); err != nil {
		t.Fatal(err)
	}
	w.waitFor(EventAuthenticate, 5*time.Second)
	tokens = append(tokens, s.SignedAuthToken())

	// The server dies: dials fail (and are logged) until it is back, and
	// the stored token goes out in the new handshake.
	srv.Kill()
	if !relWaitUntil(5*time.Second, func() bool { return s.State() != StateOpen }) {
		t.Fatal("the socket did not notice the server's death")
	}
	time.Sleep(300 * time.Millisecond) // a few failed dials
	srv.Restart()
	if ev := w.waitFor(EventConnect, 10*time.Second); !ev.IsAuthenticated {
		t.Fatalf("the stored token was not accepted on reconnect: %v", ev.AuthError)
	}

	// A bad token in the store goes out in the handshake.
	expired := signToken(t, "testkey", jwt.MapClaims{"username": "old", "exp": time.Now().Add(-time.Hour).Unix()})
	tokens = append(tokens, expired)
	var errs []error
	if err := engine.SaveToken(context.Background(), s.AuthTokenName(), expired); err != nil {
		t.Fatal(err)
	}
	if err := s.Reconnect(4100, "again"); err != nil {
		t.Fatal(err)
	}
	if ev := w.waitFor(EventConnect, 10*time.Second); ev.AuthError == nil {
		t.Fatal("the expired token in the store gave no auth error")
	} else {
		errs = append(errs, ev.AuthError)
	}

	// Authenticate with a good token, a forged one and an expired one.
	good := signToken(t, "testkey", jwt.MapClaims{"username": "bob"})
	forged := signToken(t, "not the key", jwt.MapClaims{"username": "mallory"})
	tokens = append(tokens, good, forged)
	if st, err := s.Authenticate(ctx, good); err != nil || !st.IsAuthenticated {
		t.Fatalf("good token: %+v %v", st, err)
	}
	for _, tok := range []string{forged, expired} {
		_, err := s.Authenticate(ctx, tok)
		if err == nil {
			t.Fatalf("a bad token was accepted")
		}
		errs = append(errs, err)
	}

	if err := s.Deauthenticate(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	var texts []string
	for _, err := range errs {
		texts = append(texts, relTextsOf(Event{Error: err})...)
	}
	for _, ev := range relDrain(all) {
		texts = append(texts, relTextsOf(ev)...)
	}
	log := logs.String()
	if !strings.Contains(log, "dial failed") {
		t.Fatalf("the logger saw nothing of the failed dials:\n%s", log)
	}
	for _, tok := range tokens {
		signature := tok[strings.LastIndexByte(tok, '.')+1:]
		if strings.Contains(log, signature) {
			t.Errorf("a signed token appears in the log:\n%s", log)
		}
		for _, text := range texts {
			if strings.Contains(text, signature) {
				t.Errorf("a signed token appears in %q", text)
			}
		}
	}
	t.Logf("checked %d tokens against %d log bytes and %d error texts", len(tokens), len(log), len(texts))
}
