package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func f64(v float64) *float64 { return &v }

func TestCompareMedian(t *testing.T) {
	get := func(r result) (float64, bool) {
		if r.CPUS == nil {
			return 0, false
		}
		return *r.CPUS, true
	}
	cases := []struct {
		in   []result
		want float64
		n    int
		ok   bool
	}{
		{nil, 0, 0, false},
		{[]result{{CPUS: f64(3)}, {CPUS: f64(1)}, {CPUS: f64(2)}}, 2, 3, true},
		{[]result{{CPUS: f64(4)}, {}, {CPUS: f64(1)}}, 2.5, 2, true},
	}
	for _, c := range cases {
		v, n, ok := median(c.in, get)
		if v != c.want || n != c.n || ok != c.ok {
			t.Errorf("median(%d results) = %v, %d, %v; want %v, %d, %v", len(c.in), v, n, ok, c.want, c.n, c.ok)
		}
	}
}

// fakeOutcomes builds three runs per driver for every planned scenario:
// JS always twice as costly as scclient, except for the 1 KiB messages
// where scclient costs the same, and with the server saturated for JS in
// sub-recv-64.
func fakeOutcomes(scs []scenario) []outcome {
	var outs []outcome
	for _, sc := range scs {
		for rep := 1; rep <= 3; rep++ {
			for _, d := range []string{"js", "scclient"} {
				cost := float64(rep) // medians: 2 for scclient, 4 for JS
				if d == "js" {
					cost *= 2
				}
				if d == "js" && sc.Key == "sub-recv-1k" {
					cost /= 2
				}
				util := 0.5
				if d == "js" && sc.Key == "sub-recv-64" {
					util = 0.97
				}
				r := result{OK: true, CPUPer100k: f64(cost), CPUPer10kOps: f64(cost), CPUMsPerConn: f64(cost),
					ServerCPUUtil: f64(util), CPUUtil: f64(0.3), MsgsPerS: f64(1000), OpsPerS: f64(500), ConnsPerS: f64(100)}
				r.Lat = &struct {
					P50 float64 `json:"p50"`
					P99 float64 `json:"p99"`
				}{P50: cost * 10}
				// RSS added: 1000 KiB + 4 KiB (JS) or 2 KiB per socket.
				perSocket := 2.0
				if d == "js" {
					perSocket = 4
				}
				r.RSSBaseKiB = f64(5000)
				r.RSSKiB = f64(5000 + 1000 + perSocket*float64(sc.K))
				outs = append(outs, outcome{Driver: d, Scenario: sc.Key, Rep: rep, Result: r})
			}
		}
	}
	outs = append(outs, outcome{Driver: "scclient", Scenario: "rpc-seq", Rep: 4, Err: errors.New("crashed")})
	outs[0].Warning = "server killed"
	return outs
}

var testDrivers = []driver{{Name: "js"}, {Name: "scclient"}}

func TestCompareFigureRows(t *testing.T) {
	scs := plan(false)
	rows := figureRows(scs, fakeOutcomes(scs), testDrivers)
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	want := map[string]struct {
		js, gov float64
		bound   bool
	}{
		"client CPU per 100k channel messages, 64 B":           {4, 2, true},
		"client CPU per 100k channel messages, 1 KiB":          {2, 2, false},
		"client CPU per 100k receiver events, 64 B":            {4, 2, false},
		"client CPU per 10k RPCs, 64 in flight":                {4, 2, false},
		"rpc-seq latency p50":                                  {40, 20, false},
		"client RSS per extra idle socket (1000→5000 sockets)": {4, 2, false},
		"client CPU per handshake (1000 sockets)":              {4, 2, false},
		"client CPU per handshake (5000 sockets)":              {4, 2, false},
	}
	for _, r := range rows {
		w, ok := want[r.Figure.Name]
		if !ok {
			t.Errorf("unexpected figure %q", r.Figure.Name)
			continue
		}
		if !r.OK || r.JS != w.js || r.Go != w.gov {
			t.Errorf("%s: JS %v scclient %v ok %v; want %v, %v", r.Figure.Name, r.JS, r.Go, r.OK, w.js, w.gov)
		}
		// Ratio 0.5 passes the 0.5 targets; only 0.6 and 1.0 targets are
		// then loose, and the 1 KiB figure (ratio 1) fails.
		pass := verdict(r.ratio(), r.Figure.Target) == "PASS"
		if r.Figure.Name == "client CPU per 100k channel messages, 1 KiB" {
			if pass {
				t.Errorf("%s: ratio %v passed target %v", r.Figure.Name, r.ratio(), r.Figure.Target)
			}
		} else if !pass {
			t.Errorf("%s: ratio %v failed target %v", r.Figure.Name, r.ratio(), r.Figure.Target)
		}
		if bound := r.Note != ""; bound != w.bound {
			t.Errorf("%s: note %q, server-bound want %v", r.Figure.Name, r.Note, w.bound)
		}
	}
}

func TestCompareReportTable(t *testing.T) {
	scs := plan(false)
	outs := fakeOutcomes(scs)
	var b bytes.Buffer
	failed := printReport(&b, options{Reps: 3}, scs, []driver{{Name: "js", Command: []string{"node-that-does-not-exist"}}, {Name: "scclient"}}, outs, 0)
	out := b.String()
	if failed != 1 {
		t.Errorf("printReport counted %d failed runs, want 1", failed)
	}
	for _, want := range []string{
		"| client CPU per 100k channel messages, 64 B | 4.00 s | 2.00 s | 0.500 | ≤ 0.500 | PASS | server-bound (server CPU util sub-recv-64 js 0.97) |",
		"| client CPU per 100k channel messages, 1 KiB | 2.00 s | 2.00 s | 1.00 | ≤ 0.500 | FAIL |  |",
		"| rpc-seq | 500 call/s | 0.30 | 0.50 | 3/3 | 500 call/s | 0.30 | 0.50 | 3/4 |",
		"- rpc-seq rep 4 scclient: crashed",
		"Warnings (figures kept):\n\n- rpc-seq rep 1 js: server killed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestCompareTableWithoutData(t *testing.T) {
	scs := plan(true)
	var b bytes.Buffer
	writeFigures(&b, figureRows(scs, nil, testDrivers), 3)
	if got := strings.Count(b.String(), "NO DATA"); got != 8 {
		t.Fatalf("%d rows say NO DATA, want 8:\n%s", got, b.String())
	}
}

func TestCompareNumberFormat(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.000123456: "0.000123", 0.5: "0.500", 12.34: "12.3", 1234.5: "1234", -2: "-2.00"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestCompareReportNamesGoSettings(t *testing.T) {
	for _, name := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG"} {
		t.Setenv(name, "")
	}
	if s := goSettings(); s != "" {
		t.Errorf("no settings: %q", s)
	}
	t.Setenv("GOMAXPROCS", "1")
	t.Setenv("GOGC", "400")
	if s := goSettings(); s != "GOMAXPROCS=1 GOGC=400" {
		t.Errorf("settings: %q", s)
	}
}
