package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/socketcluster-go/scclient"
)

func TestDataValue(t *testing.T) {
	for in, want := range map[string]any{
		`{"a":1}`: json.RawMessage(`{"a":1}`),
		` 12 `:    json.RawMessage(`12`),
		`hello`:   "hello",
		``:        "",
		`{bad`:    "{bad",
		`"s"`:     json.RawMessage(`"s"`),
	} {
		got := dataValue(in)
		if gr, ok := got.(json.RawMessage); ok {
			if wr, ok := want.(json.RawMessage); !ok || string(gr) != string(wr) {
				t.Fatalf("dataValue(%q) = %s, want %v", in, gr, want)
			}
		} else if got != want {
			t.Fatalf("dataValue(%q) = %#v, want %#v", in, got, want)
		}
	}
	if optData("  ") != nil {
		t.Fatal("blank DATA should mean none")
	}
}

func TestParseHeaders(t *testing.T) {
	h, err := parseHeaders([]string{"x-a: 1", "X-A:2", "Origin:  http://o "})
	if err != nil || strings.Join(h.Values("X-A"), ",") != "1,2" || h.Get("Origin") != "http://o" {
		t.Fatalf("%v %v", h, err)
	}
	for _, bad := range []string{"nocolon", ": v", "a b: c"} {
		if _, err := parseHeaders([]string{bad}); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestWords(t *testing.T) {
	w, rest := nextWord("  invoke   echo {\"a\": 1} ")
	if w != "invoke" || rest != "echo {\"a\": 1} " {
		t.Fatalf("%q %q", w, rest)
	}
	if rest, ok := takeFlag("--ack ch 1", "--ack"); !ok || rest != "ch 1" {
		t.Fatalf("%q %v", rest, ok)
	}
	if rest, ok := takeFlag("ch --ack", "--ack"); ok || rest != "ch --ack" {
		t.Fatalf("%q %v", rest, ok)
	}
}

func TestHistory(t *testing.T) {
	h := &history{limit: 2}
	if _, err := h.expand("!!"); err == nil {
		t.Fatal("!! on empty history")
	}
	h.add("a")
	h.add("b")
	h.add("c")
	if got, _ := h.expand("!!"); got != "c" {
		t.Fatal(got)
	}
	if got, _ := h.expand("!1"); got != "b" {
		t.Fatal(got)
	}
	if _, err := h.expand("!3"); err == nil {
		t.Fatal("!3 beyond the limit")
	}
	if got, _ := h.expand("plain"); got != "plain" {
		t.Fatal(got)
	}
}

func TestEventLine(t *testing.T) {
	for _, tc := range []struct {
		ev   scclient.Event
		want string
	}{
		{scclient.Event{Name: "connecting"}, `{"listener":"connecting"}`},
		{scclient.Event{Name: "close", Code: 1006, Reason: "Socket hung up"}, `{"listener":"close","code":1006,"reason":"Socket hung up"}`},
		{scclient.Event{Name: "subscribeStateChange", Channel: "c", OldChannelState: scclient.ChannelPending, NewChannelState: scclient.ChannelSubscribed},
			`{"listener":"subscribeStateChange","channel":"c","oldChannelState":"pending","newChannelState":"subscribed"}`},
		{scclient.Event{Name: "subscribeFail", Channel: "c", Error: &scclient.SCError{Name: "E", Message: "m", Fields: map[string]any{"x": 1}}},
			`{"listener":"subscribeFail","channel":"c","error":{"message":"m","name":"E","x":1}}`},
		{scclient.Event{Name: "authStateChange", OldAuthState: scclient.Unauthenticated, NewAuthState: scclient.Authenticated, AuthToken: map[string]any{"u": "a"}},
			`{"listener":"authStateChange","oldAuthState":"unauthenticated","newAuthState":"authenticated","authToken":{"u":"a"}}`},
		{scclient.Event{Name: "subscribe", Channel: "c", SubscriptionOptions: scclient.SubscribeOptions{WaitForAuth: true, Priority: 2}},
			`{"listener":"subscribe","channel":"c","waitForAuth":true,"priority":2}`},
		{scclient.Event{Name: "kickOut", Channel: "c"}, `{"listener":"kickOut","channel":"c","message":null}`},
	} {
		if got := string(eventLine(tc.ev)); got != tc.want {
			t.Fatalf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("plain"), "plain"},
		{&scclient.SCError{Name: "CustomError", Message: "m", Fields: map[string]any{"code": 42}}, `CustomError: m {"code":42}`},
		{&scclient.SCError{Value: "just a string"}, `error value "just a string"`},
	} {
		if got := errorText(tc.err); got != tc.want {
			t.Fatalf("errorText = %q, want %q", got, tc.want)
		}
	}
	if exitCode(errors.New("cobra parse error")) != ExitUsage || exitCode(withCode(ExitAuth, errors.New("x"))) != ExitAuth {
		t.Fatal("exitCode")
	}
}
