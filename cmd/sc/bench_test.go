package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socketcluster-go/scclient/cmd/sc/internal/bench"
)

func benchJSON(t *testing.T, r result) bench.Result {
	t.Helper()
	var res bench.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, r)
	}
	return res
}

func TestSCBenchPubSub(t *testing.T) {
	html := filepath.Join(t.TempDir(), "report.html")
	r := sc(t, "", "bench", "--clients", "20", "--channels", "4", "--rate", "200", "--duration", "2s",
		"--size", "100", "--json", "--html", html)
	expectCode(t, r, 0)
	res := benchJSON(t, r)
	if !res.Clean || res.Lost != 0 || res.Duplicates != 0 || res.BadPayloads != 0 || res.ErrorCount != 0 {
		t.Fatalf("run not clean: %s", r)
	}
	if res.Setup.Connected != 20 || res.Setup.Subscriptions != 20 || res.Sent < 100 {
		t.Fatalf("setup or sends wrong: %+v sent %d", res.Setup, res.Sent)
	}
	// 20 clients on 4 channels: every message reaches 5 subscribers.
	if res.Expected != 5*res.Sent || res.Received != res.Expected {
		t.Fatalf("sent %d, expected %d, received %d", res.Sent, res.Expected, res.Received)
	}
	if res.Latency.Count != res.Received || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P99 {
		t.Fatalf("latency %+v", res.Latency)
	}
	if len(res.Timeline) == 0 || len(res.Distribution) == 0 || res.Mode != "pubsub" {
		t.Fatalf("timeline %d points, distribution %d points, mode %q", len(res.Timeline), len(res.Distribution), res.Mode)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	p := string(page)
	if strings.Count(p, "<svg") != 4 || !strings.Contains(p, "clean run") || strings.Contains(p, "<script") ||
		strings.Contains(p, "src=") || strings.Contains(p, "<link") {
		t.Fatalf("HTML report is not the self-contained page expected:\n%s", p)
	}
}

func TestSCBenchTextReport(t *testing.T) {
	r := sc(t, "", "bench", "--clients", "6", "--channels", "b-one,b-two", "--subs-per-client", "2",
		"--rate", "100", "--messages", "40", "--ack")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout,
		"6 clients, 2 channels (2 per client), 100 msg/s, acknowledged",
		"published    40 (", "received     240 of 240 expected",
		"lost         0   duplicates 0   bad payloads 0",
		"ack latency  p50", "result       clean")
}

func TestSCBenchRPC(t *testing.T) {
	r := sc(t, "", "bench", "--clients", "4", "--rpc", "echo", "--concurrency", "8", "--duration", "1s", "--json")
	expectCode(t, r, 0)
	res := benchJSON(t, r)
	if res.Mode != "rpc" || res.Sent == 0 || res.Latency.Count != res.Sent || res.ErrorCount != 0 || !res.Clean {
		t.Fatalf("closed-loop run: %s", r)
	}
	r = sc(t, "", "bench", "--clients", "3", "--rpc", "echo", "--rate", "100", "--messages", "30", "--json")
	expectCode(t, r, 0)
	res = benchJSON(t, r)
	if res.Sent != 30 || res.Latency.Count != 30 {
		t.Fatalf("open-loop run: sent %d, samples %d", res.Sent, res.Latency.Count)
	}
}

// Failed calls are counted by their sc-errors name and make the run unclean.
func TestSCBenchErrors(t *testing.T) {
	r := sc(t, "", "bench", "--clients", "2", "--rpc", "fail", "--rate", "50", "--messages", "20", "--json")
	expectCode(t, r, 1)
	res := benchJSON(t, r)
	if res.Clean || res.Errors["CustomError"] != 20 || res.Sent != 0 {
		t.Fatalf("errors %v, sent %d, clean %v", res.Errors, res.Sent, res.Clean)
	}
	r = sc(t, "", "bench", "--clients", "3", "--channels", "forbidden", "--rate", "50", "--messages", "5", "--json")
	expectCode(t, r, 1)
	res = benchJSON(t, r)
	if res.Setup.SubscribeFailed != 3 || res.Errors["ForbiddenSubscribeError"] != 3 || res.Expected != 0 {
		t.Fatalf("setup %+v, errors %v", res.Setup, res.Errors)
	}
}

func TestSCBenchConnectionRefused(t *testing.T) {
	r := sc(t, "", "bench", "--clients", "3", "--url", "ws://"+closedAddr(t)+"/socketcluster/", "--setup-timeout", "10s")
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "no client connected (3 ConnectAbort)")
}
