package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestSCSubscribeAndPublish(t *testing.T) {
	sub := start(t, "subscribe", "t-news", "t-sport", "--count", "3", "--timeout", "30s")
	sub.stderr.waitFor(t, "subscribed to t-news", 1)
	sub.stderr.waitFor(t, "subscribed to t-sport", 1)

	expectCode(t, sc(t, "", "publish", "t-news", `{"title":"one"}`), 0)
	expectCode(t, sc(t, "", "publish", "t-sport", "two words", "--ack"), 0)
	expectCode(t, sc(t, "", "publish", "t-news"), 0)

	r := sub.wait(t)
	expectCode(t, r, 0)
	want := map[string]bool{
		`{"channel":"t-news","data":{"title":"one"}}`: true,
		`{"channel":"t-sport","data":"two words"}`:    true,
		`{"channel":"t-news","data":null}`:            true,
	}
	got := r.lines()
	if len(got) != 3 {
		t.Fatalf("want 3 lines, got %s", r)
	}
	for _, l := range got {
		if !want[l] {
			t.Fatalf("unexpected line %q in %s", l, r)
		}
		delete(want, l)
	}
}

func TestSCPublishFromStdin(t *testing.T) {
	sub := start(t, "subscribe", "t-lines", "--count", "4", "--timeout", "30s")
	sub.stderr.waitFor(t, "subscribed to t-lines", 1)

	r := sc(t, "1\n\nhello there\n{\"a\": [2]}\n\"quoted\"\n", "publish", "t-lines", "-", "--ack")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "published 4 messages to t-lines")

	r = sub.wait(t)
	expectCode(t, r, 0)
	want := []string{
		`{"channel":"t-lines","data":1}`,
		`{"channel":"t-lines","data":"hello there"}`,
		`{"channel":"t-lines","data":{"a":[2]}}`,
		`{"channel":"t-lines","data":"quoted"}`,
	}
	if strings.Join(r.lines(), "\n") != strings.Join(want, "\n") {
		t.Fatalf("want in order:\n%s\ngot %s", strings.Join(want, "\n"), r)
	}
}

// Without --ack, lines are published as fast as they are read, in order.
func TestSCPublishManyLinesWithoutAck(t *testing.T) {
	const n = 200
	sub := start(t, "subscribe", "t-many", "--count", strconv.Itoa(n), "--timeout", "30s", "-q")
	// -q hides "subscribed to": wait for the subscription through the server.
	waitSubscribers(t, "t-many", 1)
	var in strings.Builder
	for i := range n {
		in.WriteString(strconv.Itoa(i) + "\n")
	}
	expectCode(t, sc(t, in.String(), "publish", "t-many", "-"), 0)
	r := sub.wait(t)
	expectCode(t, r, 0)
	for i, l := range r.lines() {
		if l != `{"channel":"t-many","data":`+strconv.Itoa(i)+`}` {
			t.Fatalf("line %d is %q", i, l)
		}
	}
}

// waitSubscribers polls the server until channel has n subscribers.
func waitSubscribers(t *testing.T, channel string, n int) {
	t.Helper()
	for range 300 {
		r := sc(t, "", "invoke", "subscribers", `{"channel":"`+channel+`"}`, "-q")
		expectCode(t, r, 0)
		var got int
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("subscribers answered %q", r.stdout)
		}
		if got >= n {
			return
		}
	}
	t.Fatalf("channel %s never got %d subscribers", channel, n)
}

func TestSCPublishRefused(t *testing.T) {
	r := sc(t, "", "publish", "noPublish", "x", "--ack")
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, "PublishBlockedError", "Publishing to noPublish is not allowed")
}

func TestSCSubscribeRefused(t *testing.T) {
	r := sc(t, "", "subscribe", "forbidden", "--timeout", "20s")
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, "subscription to forbidden failed", "ForbiddenSubscribeError", `"extraField":123`)

	r = sc(t, "", "subscribe", "private/x", "--timeout", "20s")
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, "PrivateChannelError")
}

func TestSCSubscribeTimeout(t *testing.T) {
	r := sc(t, "", "subscribe", "t-quiet", "--timeout", "300ms")
	expectCode(t, r, 3)
	expectContains(t, "stderr", r.stderr, "no messages arrived within 300ms")

	r = sc(t, "", "subscribe", "t-quiet2", "--count", "2", "--timeout", "5s",
		"--exec", `invoke publish {"channel":"t-quiet2","data":"only one"}`)
	expectCode(t, r, 3)
	expectContains(t, "stderr", r.stderr, "only 1 of 2 messages arrived within 5s")
	if got := r.lines(); len(got) != 1 || got[0] != `{"channel":"t-quiet2","data":"only one"}` {
		t.Fatalf("stdout %q", r.stdout)
	}
}

// --timeout without --count succeeds when something arrived.
func TestSCSubscribeTimeoutAfterMessages(t *testing.T) {
	r := sc(t, "", "subscribe", "t-some", "--timeout", "1s",
		"--exec", `publish --ack t-some 1`, "--exec", `publish --ack t-some 2`)
	expectCode(t, r, 0)
	if len(r.lines()) != 2 {
		t.Fatalf("want 2 messages, got %s", r)
	}
}

// --wait-for-auth keeps the subscription pending until a login.
func TestSCSubscribeWaitForAuth(t *testing.T) {
	script := strings.Join([]string{
		"listen subscribe",
		"subscribe --wait-for-auth private/bob",
		"state",
		`invoke login {"username":"bob"}`,
		"wait 1 20s",
		`publish --ack private/bob "after login"`,
		"wait 1 20s",
	}, "\n")
	r := sc(t, script, "shell", "-e")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout,
		`"pending":["private/bob"]`,
		`{"invoke":"login","result":"ok"}`,
		`{"listener":"subscribe","channel":"private/bob","waitForAuth":true}`,
		`{"channel":"private/bob","data":"after login"}`)
	expectContains(t, "stderr", r.stderr, "private/bob waits for authentication")
}
