package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func TestDriverParseStatus(t *testing.T) {
	text := "Name:\tdriver\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t5\n"
	if got := parseStatus([]byte(text)); got != (memKiB{RSS: 10240, Peak: 20480}) {
		t.Fatalf("parseStatus = %+v", got)
	}
	if got := parseStatus([]byte("Name:\tx\n")); got != (memKiB{RSS: -1, Peak: -1}) {
		t.Fatalf("parseStatus without fields = %+v", got)
	}
}

func TestDriverParseStatCPU(t *testing.T) {
	// A command name with spaces and a parenthesis; utime 250, stime 50.
	stat := "42 (node (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 1000000 5000"
	cpu, err := parseStatCPU([]byte(stat))
	if err != nil || math.Abs(cpu-3.0) > 1e-9 {
		t.Fatalf("parseStatCPU = %v, %v; want 3", cpu, err)
	}
	for _, bad := range []string{"no name", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 a b 0 0"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("parseStatCPU(%q) accepted", bad)
		}
	}
}

func TestDriverOwnSamples(t *testing.T) {
	a := take(pidSelf())
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	b := take(pidSelf())
	if cpuSince(a, b) <= 0 || a.mem.RSS <= 0 || b.server == nil || b.server.RSSKiB <= 0 {
		t.Fatalf("samples: a %+v, b %+v", a, b)
	}
}

func TestDriverTidy(t *testing.T) {
	for in, want := range map[float64]float64{1234.56: 1235, 12.34567: 12.346, 0.1234567: 0.123457, -2.5: -2.5, math.NaN(): -1, math.Inf(1): -1} {
		if got := tidy(in); got != want {
			t.Errorf("tidy(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestDriverConfig(t *testing.T) {
	c, err := parseConfig([]string{"--scenario=conns", "--k", "7", "-c", "3", "--hold-s", "0.5", "--label", "x"}, io.Discard)
	if err != nil || c.Scenario != "conns" || c.K != 7 || c.C != 3 || c.HoldS != 0.5 || c.Label != "x" || c.N != 20000 || c.M != 200000 {
		t.Fatalf("parseConfig = %+v, %v", c, err)
	}
	if c.warmupFor(30000, 2000) != 2000 || c.warmupFor(500, 2000) != 50 {
		t.Fatal("default warm-up is not total/10 capped")
	}
	c.Warmup = 0
	if c.warmupFor(30000, 2000) != 0 {
		t.Fatal("--warmup 0 did not turn warm-up off")
	}
	for _, bad := range [][]string{
		{"--n", "0"}, {"--size", "-1"}, {"--protocol", "3"}, {"--timeout-s", "0"},
		{"--warmup", "-2"}, {"--nope", "1"}, {"--n", "many"}, {"stray"},
	} {
		if _, err := parseConfig(bad, io.Discard); err == nil {
			t.Errorf("parseConfig(%q) accepted", bad)
		}
	}
}

func TestDriverRunRejectsBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--m", "-5"}, &out, &errb, false); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if out.Len() != 0 || !strings.Contains(errb.String(), "--m must be at least 1") {
		t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
	}
}

func TestDriverRefusesNonLoopbackServers(t *testing.T) {
	for _, ok := range []string{"ws://127.0.0.1:1/", "ws://127.1.2.3:8000/x", "ws://localhost:80/", "ws://[::1]:9/"} {
		if err := requireLoopback(ok); err != nil {
			t.Errorf("requireLoopback(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"ws://10.0.0.1:80/", "ws://example.com/", "http://127.0.0.1/", "ws://[::2]:1/", "::"} {
		if err := requireLoopback(bad); err == nil {
			t.Errorf("requireLoopback(%q) accepted", bad)
		}
	}
	var out bytes.Buffer
	if code := run([]string{"--url", "ws://192.168.1.1:8000/socketcluster/"}, &out, io.Discard, false); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil || m["ok"] != false || !strings.Contains(m["error"].(string), "loopback") {
		t.Fatalf("output %q", out.String())
	}
}

func TestDriverReportKeepsFieldOrderAndJoinsErrors(t *testing.T) {
	r := newReport(config{Scenario: "rpc-seq", N: 1, C: 1, M: 1, K: 1, Protocol: 2, TimeoutS: 1})
	r.set("wall_s", 1.23456789)
	r.set("count", 5)
	r.latencies([]time.Duration{3 * time.Microsecond, time.Microsecond, 2 * time.Microsecond, 4 * time.Microsecond})
	r.fail(errors.New("first"))
	r.fail(errors.New("second"))
	var out bytes.Buffer
	r.print(&out)
	line := out.String()
	keys := []string{`"driver"`, `"library"`, `"library_version"`, `"runtime"`, `"notes"`, `"scenario"`, `"label"`, `"params"`,
		`"ok"`, `"error"`, `"pid"`, `"time"`, `"wall_s"`, `"count"`, `"lat_us"`}
	last := -1
	for _, k := range keys {
		i := strings.Index(line, k+":")
		if i <= last {
			t.Fatalf("field %s missing or out of order in %s", k, line)
		}
		last = i
	}
	for _, want := range []string{`"ok":false`, `"error":"first; second"`, `"wall_s":1.235`, `"lat_us":{"p50":2,"p90":4,"p99":4,"max":4}`} {
		if !strings.Contains(line, want) {
			t.Errorf("output lacks %s: %s", want, line)
		}
	}
}

func TestDriverRuntimeDescriptionNamesGCSettings(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GODEBUG", "")
	plain := runtimeDescription()
	if !strings.Contains(plain, "GOMAXPROCS=") || strings.Contains(plain, "GOGC") || strings.Contains(plain, "GOMEMLIMIT") {
		t.Errorf("without settings: %q", plain)
	}
	t.Setenv("GOGC", "400")
	t.Setenv("GOMEMLIMIT", "1GiB")
	if d := runtimeDescription(); !strings.HasSuffix(d, " GOGC=400 GOMEMLIMIT=1GiB") {
		t.Errorf("with settings: %q", d)
	}
}
