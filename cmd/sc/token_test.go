package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signToken signs claims with the test server's default auth key.
func signToken(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("testkey"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSCTokenAuthenticates(t *testing.T) {
	tok := signToken(t, jwt.MapClaims{"username": "alice", "exp": time.Now().Add(time.Hour).Unix()})
	r := sc(t, "", "listen", "connect", "--count", "1", "--token", tok)
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, `"listener":"connect"`, `"isAuthenticated":true`)

	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = sc(t, "", "subscribe", "private/alice", "--wait-for-auth", "--token-file", file,
		"--exec", `publish --ack private/alice "secret"`, "--count", "1", "--timeout", "20s")
	expectCode(t, r, 0)
	if got := r.lines(); len(got) != 1 || got[0] != `{"channel":"private/alice","data":"secret"}` {
		t.Fatalf("stdout %q", r.stdout)
	}
}

func TestSCTokenRejected(t *testing.T) {
	expired := signToken(t, jwt.MapClaims{"username": "alice", "exp": time.Now().Add(-time.Hour).Unix()})
	for _, tc := range []struct{ token, why string }{
		{"garbage", "AuthTokenInvalidError"},
		{expired, "AuthTokenExpiredError"},
		{signToken(t, jwt.MapClaims{"username": "eve", "blocked": true}), "BlockedUserError"},
	} {
		r := sc(t, "", "subscribe", "news", "--token", tc.token)
		expectCode(t, r, 5)
		expectContains(t, "stderr", r.stderr, "token rejected", tc.why)
	}
}

func TestSCTokenFlagErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--token", "a", "--token-file", empty},
		{"--token-file", empty},
		{"--token-file", filepath.Join(dir, "missing")},
	} {
		r := sc(t, "", append([]string{"invoke", "echo"}, args...)...)
		expectCode(t, r, 2)
		expectContains(t, "stderr", r.stderr, "token")
	}
}
