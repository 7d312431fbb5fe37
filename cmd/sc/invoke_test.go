package main

import (
	"net"
	"strings"
	"testing"
)

func TestSCInvokeEcho(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{`{"hello": "world", "n": [1, 2.5, null]}`, `{"hello":"world","n":[1,2.5,null]}`},
		{`42`, `42`},
		{`"quoted"`, `"quoted"`},
		{`plain words`, `"plain words"`},
		{`{not json`, `"{not json"`},
	} {
		r := sc(t, "", "invoke", "echo", tc.data)
		expectCode(t, r, 0)
		if got := r.lines(); len(got) != 1 || got[0] != tc.want {
			t.Fatalf("echo %s: stdout %q, want %q", tc.data, r.stdout, tc.want)
		}
	}
}

func TestSCInvokeWithoutData(t *testing.T) {
	r := sc(t, "", "invoke", "noData")
	expectCode(t, r, 0)
	if r.stdout != "null\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
}

func TestSCInvokeServerError(t *testing.T) {
	r := sc(t, "", "invoke", "fail")
	expectCode(t, r, 1)
	if r.stdout != "" {
		t.Fatalf("stdout should be empty: %q", r.stdout)
	}
	expectContains(t, "stderr", r.stderr, "invoke fail: CustomError: custom failure", `"code":42`, `"details":{"a":1}`)

	r = sc(t, "", "invoke", "failString")
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, "just a string")

	r = sc(t, "", "invoke", "login", `{"username":"mallory"}`)
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, "FailedLoginError: Failed to login")
}

func TestSCInvokeTimeout(t *testing.T) {
	r := sc(t, "", "invoke", "slow", `{"ms":3000}`, "--ack-timeout", "200ms")
	expectCode(t, r, 3)
	expectContains(t, "stderr", r.stderr, "TimeoutError")

	r = sc(t, "", "invoke", "slow", `{"ms":50,"x":1}`, "--ack-timeout", "5s")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, `{"ms":50,"x":1}`)
}

func TestSCInvokeBadURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1/", "::::", "tcp://127.0.0.1:1"} {
		r := sc(t, "", "invoke", "echo", "1", "--url", u)
		expectCode(t, r, 2)
		expectContains(t, "stderr", r.stderr, "InvalidArgumentsError")
	}
	r := sc(t, "", "invoke", "echo", "1", "--url", "")
	expectCode(t, r, 2)
}

func TestSCInvokeConnectionRefused(t *testing.T) {
	r := sc(t, "", "invoke", "echo", "1", "--url", "ws://"+closedAddr(t)+"/socketcluster/")
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "cannot connect", "connection refused")
}

func TestSCInvokeBadToken(t *testing.T) {
	r := sc(t, "", "invoke", "echo", "1", "--token", "garbage")
	expectCode(t, r, 5)
	expectContains(t, "stderr", r.stderr, "token rejected", "AuthTokenInvalidError")
	if r.stdout != "" {
		t.Fatalf("nothing should be invoked: %q", r.stdout)
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestSCInvokeQuiet(t *testing.T) {
	r := sc(t, "", "invoke", "echo", "1", "-q")
	expectCode(t, r, 0)
	if strings.TrimSpace(r.stderr) != "" {
		t.Fatalf("--quiet should leave stderr empty: %q", r.stderr)
	}
}
