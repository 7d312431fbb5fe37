package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/socketcluster-go/scclient/bench/internal/benchserver"
)

// startBenchServer starts a fresh bench server for one test.
func startBenchServer(t *testing.T) *benchserver.Server {
	t.Helper()
	root, err := benchserver.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := benchserver.Start(filepath.Join(root, "bench", "server"), benchserver.ModuleEnv(root))
	if err != nil {
		t.Fatalf("the bench server did not start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("bench server: %v", err)
		}
	})
	return srv
}

// runDriver runs the driver in this process against srv and decodes its
// output line.
func runDriver(t *testing.T, srv *benchserver.Server, args ...string) (int, map[string]any) {
	t.Helper()
	args = append(args, "--url", srv.URL(), "--server-pid", strconv.Itoa(srv.PID()), "--timeout-s", "30")
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, false)
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("output %q is not one JSON object: %v (stderr %q)", out.String(), err, errb.String())
	}
	if bytes.Count(out.Bytes(), []byte{'\n'}) != 1 {
		t.Fatalf("output is not one line: %q", out.String())
	}
	return code, m
}

func number(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("field %s = %#v, want a number (output %v)", key, m[key], m)
	}
	return v
}

func TestDriverSmokeRPCSeq(t *testing.T) {
	srv := startBenchServer(t)
	code, m := runDriver(t, srv, "--scenario", "rpc-seq", "--n", "200", "--label", "smoke")
	if code != 0 || m["ok"] != true {
		t.Fatalf("exit %d, output %v", code, m)
	}
	if m["driver"] != "go-scclient" || m["scenario"] != "rpc-seq" || m["label"] != "smoke" {
		t.Fatalf("identity fields wrong: %v", m)
	}
	if got := number(t, m, "count"); got != 200 {
		t.Fatalf("count = %v, want 200", got)
	}
	if number(t, m, "errors") != 0 || number(t, m, "ops_per_s") <= 0 || number(t, m, "cpu_s") < 0 || number(t, m, "rss_kib") <= 0 {
		t.Fatalf("implausible figures: %v", m)
	}
	if _, ok := m["server_cpu_util"].(float64); !ok {
		t.Fatalf("no server CPU sample: %v", m)
	}
	lat, ok := m["lat_us"].(map[string]any)
	if !ok || lat["p50"].(float64) <= 0 || lat["max"].(float64) < lat["p99"].(float64) {
		t.Fatalf("lat_us = %v", m["lat_us"])
	}
}

func TestDriverSmokeOtherScenarios(t *testing.T) {
	cases := []struct {
		args  []string
		check func(t *testing.T, m map[string]any)
	}{
		{[]string{"--scenario", "rpc-par", "--n", "300", "--c", "8"}, func(t *testing.T, m map[string]any) {
			if number(t, m, "count") != 300 || number(t, m, "cpu_s_per_10k_ops") <= 0 {
				t.Fatalf("rpc-par: %v", m)
			}
		}},
		{[]string{"--scenario", "sub-recv", "--m", "2000", "--size", "100"}, func(t *testing.T, m map[string]any) {
			if m["complete"] != true || number(t, m, "count") != 2000 || number(t, m, "bad_payload") != 0 {
				t.Fatalf("sub-recv: %v", m)
			}
		}},
		{[]string{"--scenario", "sub-recv", "--m", "2000", "--size", "10", "--decode=false"}, func(t *testing.T, m map[string]any) {
			if m["complete"] != true || number(t, m, "count") != 2000 || number(t, m, "bad_payload") != 0 ||
				!strings.Contains(m["notes"].(string), "left encoded") {
				t.Fatalf("sub-recv without decoding: %v", m)
			}
		}},
		{[]string{"--scenario", "evt-recv", "--m", "2000", "--size", "64"}, func(t *testing.T, m map[string]any) {
			if m["complete"] != true || number(t, m, "count") != 2000 || number(t, m, "cpu_s_per_100k_msgs") < 0 {
				t.Fatalf("evt-recv: %v", m)
			}
		}},
		{[]string{"--scenario", "conns", "--k", "20", "--c", "4", "--settle-ms", "100"}, func(t *testing.T, m map[string]any) {
			if number(t, m, "count") != 20 || m["alive_after_settle"] != true || number(t, m, "rss_base_kib") <= 0 {
				t.Fatalf("conns: %v", m)
			}
		}},
		{[]string{"--scenario", "ping-hold", "--hold-s", "0.2"}, func(t *testing.T, m map[string]any) {
			if m["alive"] != true || number(t, m, "held_s") != 0.2 {
				t.Fatalf("ping-hold: %v", m)
			}
		}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			srv := startBenchServer(t)
			code, m := runDriver(t, srv, c.args...)
			if code != 0 || m["ok"] != true {
				t.Fatalf("exit %d, output %v", code, m)
			}
			c.check(t, m)
		})
	}
}

func TestDriverFailsWhenTheServerIsGone(t *testing.T) {
	srv := startBenchServer(t)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	code, m := runDriver(t, srv, "--scenario", "rpc-seq", "--n", "10")
	if code != 1 || m["ok"] != false || m["error"] == "" {
		t.Fatalf("exit %d, output %v; want a failed run", code, m)
	}
}
