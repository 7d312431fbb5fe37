package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestSCListenConnect(t *testing.T) {
	r := sc(t, "", "listen", "connect", "--count", "1")
	expectCode(t, r, 0)
	lines := r.lines()
	if len(lines) != 1 {
		t.Fatalf("want one line, got %s", r)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatalf("not JSON: %q", lines[0])
	}
	if ev["listener"] != "connect" || ev["isAuthenticated"] != false || ev["id"] == "" || ev["pingTimeout"] != float64(30000) {
		t.Fatalf("connect event %v", ev)
	}
}

// Without names every event is printed, in the order the socket emitted
// them, starting with the first connection.
func TestSCListenEverything(t *testing.T) {
	r := sc(t, "", "listen", "--count", "2")
	expectCode(t, r, 0)
	lines := r.lines()
	if len(lines) != 2 || lines[0] != `{"listener":"connecting"}` || !strings.HasPrefix(lines[1], `{"listener":"message","message":{"rid":1,`) {
		t.Fatalf("want connecting then the handshake message, got %s", r)
	}
}

func TestSCListenKickOut(t *testing.T) {
	r := sc(t, "", "listen", "kickOut", "unsubscribe",
		"--exec", "subscribe room",
		"--exec", `invoke kick {"channel":"room","message":"bye"}`,
		"--count", "2", "--timeout", "20s")
	expectCode(t, r, 0)
	want := `{"listener":"kickOut","channel":"room","message":"bye"}` + "\n" + `{"listener":"unsubscribe","channel":"room"}` + "\n"
	if r.stdout != want {
		t.Fatalf("want\n%sgot %s", want, r)
	}
}

func TestSCListenDisconnect(t *testing.T) {
	r := sc(t, "", "listen", "disconnect", "close",
		"--exec", `invoke disconnectMe {"code":4100,"reason":"go away"}`,
		"--count", "2", "--timeout", "20s", "--reconnect-delay", "50ms")
	expectCode(t, r, 0)
	want := `{"listener":"disconnect","code":4100,"reason":"go away"}` + "\n" + `{"listener":"close","code":4100,"reason":"go away"}` + "\n"
	if r.stdout != want {
		t.Fatalf("want\n%sgot %s", want, r)
	}
}

// A server close that the client does not reconnect after (code 1000) ends
// a command that stays connected with exit 4.
func TestSCConnectionLostForGood(t *testing.T) {
	r := sc(t, "", "subscribe", "t-gone", "--exec", `invoke disconnectMe {"code":1000,"reason":"done"}`)
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "connection closed (1000 done) and not reconnecting")
}

func TestSCReceive(t *testing.T) {
	r := sc(t, "", "receive", "ping", "pong",
		"--exec", `invoke serverTransmit {"event":"other","data":0}`,
		"--exec", `invoke serverTransmit {"event":"ping","data":{"x":1}}`,
		"--exec", `transmit echoEvent {"event":"pong","data":"back"}`,
		"--count", "2", "--timeout", "20s")
	expectCode(t, r, 0)
	// Each receiver name is its own stream in the SDK, so the two lines
	// may be printed in either order.
	lines := r.lines()
	slices.Sort(lines)
	if strings.Join(lines, "\n") != `{"event":"ping","data":{"x":1}}`+"\n"+`{"event":"pong","data":"back"}` {
		t.Fatalf("want the ping and pong transmits, got %s", r)
	}
	expectContains(t, "stderr", r.stderr, `{"invoke":"serverTransmit","result":null}`)
}

// A failing --exec line ends the command with that line's exit code.
func TestSCExecFailure(t *testing.T) {
	r := sc(t, "", "receive", "x", "--exec", "invoke fail")
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, `--exec "invoke fail"`, "CustomError")

	r = sc(t, "", "receive", "x", "--exec", "frobnicate")
	expectCode(t, r, 2)
	expectContains(t, "stderr", r.stderr, `unknown command "frobnicate"`)
}

func TestSCTransmit(t *testing.T) {
	before := fooCount(t)
	expectCode(t, sc(t, "", "transmit", "foo", `{"n":1}`), 0)
	expectCode(t, sc(t, "", "transmit", "foo"), 0)
	// The server counts transmits in arrival order; one more round trip
	// on a new socket may still overtake them, so poll.
	for range 200 {
		if fooCount(t) == before+2 {
			return
		}
	}
	t.Fatalf("fooCount stayed at %d, want %d", fooCount(t), before+2)
}

func fooCount(t *testing.T) int {
	t.Helper()
	r := sc(t, "", "invoke", "fooCount", "-q")
	expectCode(t, r, 0)
	var n int
	if err := json.Unmarshal([]byte(r.stdout), &n); err != nil {
		t.Fatalf("fooCount answered %q", r.stdout)
	}
	return n
}
