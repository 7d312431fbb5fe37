package main

import (
	"strings"
	"testing"
)

func TestSCShellScript(t *testing.T) {
	script := strings.Join([]string{
		"# comments and blank lines are ignored",
		"",
		"subscribe s-news",
		`publish s-news {"a": 1}`,
		`publish --ack s-news "two"`,
		"wait 2",
		"invoke echo [1, 2]",
		"receive hey",
		`invoke serverTransmit {"event":"hey","data":"yo"}`,
		"wait 1",
		"listen kickOut",
		`invoke kick {"channel":"s-news","message":"out"}`,
		"wait 1",
		"state",
		"unsubscribe s-news",
		"unreceive",
		"unlisten",
		"state",
		"!6",
		"quit",
		"invoke echo never",
	}, "\n")
	r := sc(t, script, "shell")
	expectCode(t, r, 0)
	got := r.lines()
	want := []string{
		`{"channel":"s-news","data":{"a":1}}`,
		`{"channel":"s-news","data":"two"}`,
		`{"invoke":"echo","result":[1,2]}`,
		`{"invoke":"serverTransmit","result":null}`,
		`{"event":"hey","data":"yo"}`,
		`{"invoke":"kick","result":null}`,
		`{"listener":"kickOut","channel":"s-news","message":"out"}`,
		`"subscriptions":[],"pending":[]}`,
		`"authState":"unauthenticated","subscriptions":[],"pending":[]}`,
		`{"invoke":"echo","result":[1,2]}`,
	}
	// The ack of "publish --ack" and the messages race, so compare as sets
	// where the order is not fixed, and by prefix or suffix for state lines.
	if len(got) != len(want)+1 {
		t.Fatalf("want %d lines, got %s", len(want)+1, r)
	}
	joined := r.stdout
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Fatalf("stdout lacks %q:\n%s", w, r)
		}
	}
	expectContains(t, "stdout", joined, `{"publish":"s-news","ack":true}`, `{"state":"open","id":"`)
	if strings.Contains(joined, "never") {
		t.Fatalf("lines after quit ran:\n%s", r)
	}
	if strings.Contains(r.stderr, "sc> ") {
		t.Fatalf("no prompt when stdin is not a terminal:\n%s", r.stderr)
	}
}

func TestSCShellErrors(t *testing.T) {
	script := "invoke fail\nbogus\ninvoke\nwait x\nwait 1 100ms\n!99\nsubscribe forbidden\ninvoke slow {\"ms\":3000}\ninvoke echo \"still here\"\n"
	r := sc(t, script, "shell", "--ack-timeout", "300ms")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr,
		"invoke fail: CustomError: custom failure",
		`unknown command "bogus"`,
		"usage: invoke PROCEDURE [DATA]",
		"usage: wait N [TIMEOUT]",
		"wait: 0 of 1 lines arrived within 100ms",
		"!99: no such history entry",
		"subscription failed: forbidden: ForbiddenSubscribeError",
		"invoke slow: TimeoutError")
	if strings.Count(r.stderr, "ForbiddenSubscribeError") != 1 {
		t.Fatalf("the refused subscription should be reported once:\n%s", r.stderr)
	}
	if r.stdout != `{"invoke":"echo","result":"still here"}`+"\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
}

func TestSCShellExitOnError(t *testing.T) {
	r := sc(t, "invoke echo 1\ninvoke fail\ninvoke echo 2\n", "shell", "-e")
	expectCode(t, r, 1)
	if r.stdout != `{"invoke":"echo","result":1}`+"\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	r = sc(t, "invoke slow {\"ms\":3000}\n", "shell", "-e", "--ack-timeout", "200ms")
	expectCode(t, r, 3)
}

func TestSCShellHelpAndHistory(t *testing.T) {
	r := sc(t, "help\ninvoke echo 1\n!!\nhistory\n", "shell")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "invoke PROCEDURE [DATA]", "wait N [TIMEOUT]", "    2  invoke echo 1", "    3  invoke echo 1")
	if r.stdout != `{"invoke":"echo","result":1}`+"\n"+`{"invoke":"echo","result":1}`+"\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
}

func TestSCShellAuthenticate(t *testing.T) {
	tok := signToken(t, map[string]any{"username": "carol"})
	script := "listen authenticate deauthenticate\nauthenticate " + tok + "\nwait 1\nstate\ndeauthenticate\nwait 1\nauthenticate garbage\n"
	r := sc(t, script, "shell")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout,
		`{"listener":"authenticate","signedAuthToken":"`+tok+`","authToken":{"username":"carol"}}`,
		`"authState":"authenticated"`,
		`{"listener":"deauthenticate","oldSignedAuthToken":"`+tok+`","oldAuthToken":{"username":"carol"}}`)
	expectContains(t, "stderr", r.stderr, "authenticate: AuthTokenInvalidError")
}
