package main

import (
	"strings"
	"testing"

	"github.com/socketcluster-go/scclient/internal/testserver"
)

// --header reaches the upgrade request: a server that checks origins
// accepts or refuses the connection by the Origin header given.
func TestSCHeaderOrigin(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Env: map[string]string{"SC_ORIGINS": "good.example:*"}})
	r := sc(t, "", "invoke", "echo", "1", "--url", srv.URL(), "--header", "Origin: http://good.example:8080", "--header", "X-Extra: yes")
	expectCode(t, r, 0)
	r = sc(t, "", "invoke", "echo", "1", "--url", srv.URL(), "--header", "origin: http://evil.example:8080")
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "cannot connect")
}

func TestSCProtocolVersion(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Env: map[string]string{
		"SC_PROTOCOL_VERSION": "1", "SC_PING_INTERVAL": "100", "SC_PING_TIMEOUT": "600"}})
	// The server pings every 100 ms with "#1" and drops a client that has
	// not answered within 600 ms. Protocol 1 answers "#2" and stays.
	script := "invoke slow {\"ms\":1500}\ninvoke echo \"alive\"\n"
	r := sc(t, script, "shell", "--url", srv.URL(), "--protocol-version", "1", "-e")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, `{"invoke":"echo","result":"alive"}`)
	if strings.Contains(r.stderr, "connection lost") {
		t.Fatalf("the connection dropped:\n%s", r.stderr)
	}
	// Protocol 2 does not understand those pings and is dropped.
	r = sc(t, "", "invoke", "slow", `{"ms":1500}`, "--url", srv.URL(), "--protocol-version", "2")
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "BadConnectionError")
}

// subscribe keeps its subscriptions across a server restart.
func TestSCSubscribeSurvivesRestart(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	sub := start(t, "subscribe", "r-chan", "--count", "2", "--timeout", "60s", "--url", srv.URL(), "--reconnect-delay", "100ms")
	sub.stderr.waitFor(t, "subscribed to r-chan", 1)
	expectCode(t, sc(t, "", "publish", "r-chan", "before", "--ack", "--url", srv.URL()), 0)
	sub.stdout.waitFor(t, `"before"`, 1)

	srv.Restart()
	sub.stderr.waitFor(t, "connection lost", 1)
	sub.stderr.waitFor(t, "reconnected", 1)
	sub.stderr.waitFor(t, "subscribed to r-chan", 2)
	expectCode(t, sc(t, "", "publish", "r-chan", "after", "--ack", "--url", srv.URL()), 0)

	r := sub.wait(t)
	expectCode(t, r, 0)
	if r.stdout != `{"channel":"r-chan","data":"before"}`+"\n"+`{"channel":"r-chan","data":"after"}`+"\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
}
