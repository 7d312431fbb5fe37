package main

import (
	"fmt"
	"slices"
	"strings"
)

// serverBound is the server CPU utilisation from which a scenario counts as
// limited by the server rather than by the client.
const serverBound = 0.9

// samples gives the successful results of one driver for one scenario.
type samples func(scenarioKey string) []result

// figure is one compared quantity with its target ratio scclient ÷ JS.
type figure struct {
	Name      string
	Unit      string
	Target    float64
	Scenarios []string
	Value     func(get samples) (v float64, n int, ok bool)
}

// median returns the median of the values f gives for rs and how many
// there were.
func median(rs []result, f func(result) (float64, bool)) (float64, int, bool) {
	var vs []float64
	for _, r := range rs {
		if v, ok := f(r); ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, 0, false
	}
	slices.Sort(vs)
	mid := len(vs) / 2
	if len(vs)%2 == 1 {
		return vs[mid], len(vs), true
	}
	return (vs[mid-1] + vs[mid]) / 2, len(vs), true
}

func field(get func(result) *float64) func(result) (float64, bool) {
	return func(r result) (float64, bool) {
		p := get(r)
		if p == nil || *p < 0 {
			return 0, false
		}
		return *p, true
	}
}

// medianFigure is a figure that is the median of one field in one scenario.
func medianFigure(name, unit string, target float64, key string, f func(result) (float64, bool)) figure {
	return figure{
		Name: name, Unit: unit, Target: target, Scenarios: []string{key},
		Value: func(get samples) (float64, int, bool) { return median(get(key), f) },
	}
}

// figures lists the compared quantities for the scenarios of plan.
func figures(scs []scenario) []figure {
	k := map[string]int{}
	for _, sc := range scs {
		k[sc.Key] = sc.K
	}
	cpu100k := field(func(r result) *float64 { return r.CPUPer100k })
	fs := []figure{
		medianFigure("client CPU per 100k channel messages, 64 B", "s", 0.5, "sub-recv-64", cpu100k),
		medianFigure("client CPU per 100k channel messages, 1 KiB", "s", 0.5, "sub-recv-1k", cpu100k),
		medianFigure("client CPU per 100k receiver events, 64 B", "s", 0.5, "evt-recv-64", cpu100k),
		medianFigure("client CPU per 10k RPCs, 64 in flight", "s", 0.6, "rpc-par",
			field(func(r result) *float64 { return r.CPUPer10kOps })),
		medianFigure("rpc-seq latency p50", "µs", 1.0, "rpc-seq", func(r result) (float64, bool) {
			if r.Lat == nil {
				return 0, false
			}
			return r.Lat.P50, true
		}),
		{
			Name:      fmt.Sprintf("client RSS per extra idle socket (%d→%d sockets)", k["conns-few"], k["conns-many"]),
			Unit:      "KiB",
			Target:    0.5,
			Scenarios: []string{"conns-few", "conns-many"},
			Value: func(get samples) (float64, int, bool) {
				few, n1, ok1 := median(get("conns-few"), result.settledKiB)
				many, n2, ok2 := median(get("conns-many"), result.settledKiB)
				extra := k["conns-many"] - k["conns-few"]
				if !ok1 || !ok2 || extra <= 0 {
					return 0, 0, false
				}
				return (many - few) / float64(extra), min(n1, n2), true
			},
		},
	}
	perConn := field(func(r result) *float64 { return r.CPUMsPerConn })
	for _, key := range []string{"conns-few", "conns-many"} {
		fs = append(fs, medianFigure(fmt.Sprintf("client CPU per handshake (%d sockets)", k[key]), "ms", 0.5, key, perConn))
	}
	return fs
}

// boundNote names the drivers whose runs of the figure's scenarios had the
// server at or above serverBound CPU, or returns "".
func boundNote(f figure, byDriver map[string]samples, drivers []string) string {
	var parts []string
	for _, key := range f.Scenarios {
		for _, d := range drivers {
			u, _, ok := median(byDriver[d](key), field(func(r result) *float64 { return r.ServerCPUUtil }))
			if ok && u >= serverBound {
				parts = append(parts, fmt.Sprintf("%s %s %.2f", key, d, u))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "server-bound (server CPU util " + strings.Join(parts, ", ") + ")"
}
