package xk6_test

import (
	"strings"
	"testing"
)

// requireOK fails the test when k6 did not exit with 0.
func requireOK(t *testing.T, code int, out string) {
	t.Helper()
	if code != 0 {
		t.Fatalf("k6 exited with %d; output:\n%s", code, out)
	}
	if strings.Contains(out, "DATA RACE") || strings.Contains(out, "panic:") {
		t.Fatalf("k6 reported a data race or a panic; output:\n%s", out)
	}
}

// expect compares a metric total with the wanted value.
func expect(t *testing.T, what string, got, want float64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestK6PubSubFanOut(t *testing.T) {
	srv := startServer(t)
	const iterations, subscribers, messages = 4, 3, 20
	code, out, ss := run(t, srv, "examples/pubsub-fanout.js",
		"VUS=2", "ITERATIONS=4", "SUBSCRIBERS=3", "MESSAGES=20")
	requireOK(t, code, out)

	expect(t, "iterations", ss.sum("iterations"), iterations)
	expect(t, "sc_sessions", ss.sum("sc_sessions"), iterations*(subscribers+1))
	expect(t, "sc_msgs_sent", ss.sum("sc_msgs_sent"), iterations*messages)
	expect(t, "sc_msgs_received", ss.sum("sc_msgs_received"), ss.sum("sc_msgs_sent")*subscribers)
	expect(t, "sc_publish_latency samples", float64(ss.count("sc_publish_latency")), iterations*messages*subscribers)
	expect(t, "sc_errors", ss.sum("sc_errors"), 0)
	expect(t, "sc_connecting samples", float64(ss.count("sc_connecting")), iterations*(subscribers+1))
	expect(t, "sc_session_duration samples", float64(ss.count("sc_session_duration")), iterations*(subscribers+1))
	expect(t, "sc_reconnects", ss.sum("sc_reconnects"), 0)

	channels := map[string]bool{}
	for _, s := range ss {
		if s.Metric != "sc_msgs_received" {
			continue
		}
		channels[s.Tags["channel"]] = true
		if s.Tags["url"] != srv.url() {
			t.Fatalf("sc_msgs_received sample without the url tag: %v", s.Tags)
		}
	}
	if len(channels) != iterations {
		t.Fatalf("messages arrived on %d channels (%v), want %d", len(channels), channels, iterations)
	}
	for ch := range channels {
		expect(t, "sc_msgs_received{channel="+ch+"}", ss.sum("sc_msgs_received", "channel="+ch), messages*subscribers)
	}
}

func TestK6RPCRamp(t *testing.T) {
	srv := startServer(t)
	code, out, ss := run(t, srv, "examples/rpc-ramp.js", "RAMP=1s", "HOLD=1s", "PEAK_VUS=3", "CALLS=5")
	requireOK(t, code, out)

	iterations := ss.sum("iterations")
	if iterations < 3 {
		t.Fatalf("only %v iterations ran", iterations)
	}
	expect(t, "sc_sessions", ss.sum("sc_sessions"), iterations)
	expect(t, "sc_msgs_sent{procedure=echo}", ss.sum("sc_msgs_sent", "procedure=echo"), 5*iterations)
	expect(t, "sc_rpc_duration{procedure=echo} samples", float64(ss.count("sc_rpc_duration", "procedure=echo")), 5*iterations)
	expect(t, "sc_errors", ss.sum("sc_errors"), 0)
}

func TestK6AuthPrivateChannels(t *testing.T) {
	srv := startServer(t)
	const iterations, messages = 4, 5
	code, out, ss := run(t, srv, "examples/auth-private.js", "VUS=2", "ITERATIONS=4", "MESSAGES=5")
	requireOK(t, code, out)

	expect(t, "iterations", ss.sum("iterations"), iterations)
	// One socket logs in, a second one reuses its token.
	expect(t, "sc_sessions", ss.sum("sc_sessions"), 2*iterations)
	expect(t, "sc_rpc_duration{procedure=login} samples", float64(ss.count("sc_rpc_duration", "procedure=login")), iterations)
	expect(t, "sc_msgs_received", ss.sum("sc_msgs_received"), iterations*messages)
	expect(t, "checks", float64(ss.count("checks")), 4*iterations)
	expect(t, "checks passed", ss.sum("checks"), 4*iterations)
	expect(t, "sc_errors", ss.sum("sc_errors"), 0)
}

func TestK6FailingCallsCountErrors(t *testing.T) {
	srv := startServer(t)
	code, out, ss := run(t, srv, "testdata/failing-calls.js", "ITERATIONS=3")
	requireOK(t, code, out)

	expect(t, "checks passed", ss.sum("checks"), 9)
	expect(t, "sc_errors{error=CustomError,procedure=fail}",
		ss.sum("sc_errors", "error=CustomError", "procedure=fail"), 3)
	expect(t, "sc_errors{error=ForbiddenSubscribeError,channel=forbidden}",
		ss.sum("sc_errors", "error=ForbiddenSubscribeError", "channel=forbidden"), 3)
	expect(t, "sc_errors", ss.sum("sc_errors"), 6)
}

func TestK6BadInputThrows(t *testing.T) {
	srv := startServer(t)
	code, out, ss := run(t, srv, "testdata/bad-input.js")
	requireOK(t, code, out)
	expect(t, "checks", float64(ss.count("checks")), 8)
	expect(t, "checks passed", ss.sum("checks"), 8)
	if strings.Contains(out, "panic") {
		t.Fatalf("k6 output mentions a panic:\n%s", out)
	}
}

func TestK6ReconnectIsCounted(t *testing.T) {
	srv := startServer(t)
	code, out, ss := run(t, srv, "testdata/reconnect.js", "ITERATIONS=2")
	requireOK(t, code, out)
	expect(t, "sc_sessions", ss.sum("sc_sessions"), 4)
	expect(t, "sc_reconnects", ss.sum("sc_reconnects"), 2)
	expect(t, "sc_session_duration samples", float64(ss.count("sc_session_duration")), 4)
	expect(t, "sc_errors", ss.sum("sc_errors"), 0)
}
