package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// byDriver groups the successful results by driver and scenario.
func byDriver(outs []outcome, drivers []driver) map[string]samples {
	got := map[string]map[string][]result{}
	for _, d := range drivers {
		got[d.Name] = map[string][]result{}
	}
	for _, o := range outs {
		if o.Err == nil && got[o.Driver] != nil {
			got[o.Driver][o.Scenario] = append(got[o.Driver][o.Scenario], o.Result)
		}
	}
	m := map[string]samples{}
	for name, per := range got {
		m[name] = func(key string) []result { return per[key] }
	}
	return m
}

// figureRows computes the main table from the outcomes; the first driver
// is the reference (JS), the second scclient.
func figureRows(scs []scenario, outs []outcome, drivers []driver) []figureRow {
	by := byDriver(outs, drivers)
	names := []string{drivers[0].Name, drivers[1].Name}
	var rows []figureRow
	for _, f := range figures(scs) {
		if !planned(scs, f.Scenarios) {
			continue
		}
		js, nj, okj := f.Value(by[names[0]])
		g, ng, okg := f.Value(by[names[1]])
		rows = append(rows, figureRow{Figure: f, JS: js, Go: g, NJS: nj, NG: ng, OK: okj && okg, Note: boundNote(f, by, names)})
	}
	return rows
}

// planned reports whether every key is among the scenarios run.
func planned(scs []scenario, keys []string) bool {
	for _, k := range keys {
		found := false
		for _, sc := range scs {
			found = found || sc.Key == k
		}
		if !found {
			return false
		}
	}
	return true
}

// contextRows computes the rates and CPU shares table.
func contextRows(scs []scenario, outs []outcome, drivers []driver) []contextRow {
	by := byDriver(outs, drivers)
	var rows []contextRow
	for _, sc := range scs {
		row := contextRow{Scenario: sc.Key, Cells: map[string]contextCell{}}
		rate := field(func(r result) *float64 { return r.MsgsPerS })
		row.Unit = "msg/s"
		switch {
		case strings.HasPrefix(sc.Key, "rpc"):
			rate, row.Unit = field(func(r result) *float64 { return r.OpsPerS }), "call/s"
		case strings.HasPrefix(sc.Key, "conns"):
			rate, row.Unit = field(func(r result) *float64 { return r.ConnsPerS }), "conn/s"
			row.Scenario = fmt.Sprintf("%s (%d)", sc.Key, sc.K)
		}
		for _, d := range drivers {
			rs := by[d.Name](sc.Key)
			var c contextCell
			c.Rate, _, c.HasRate = median(rs, rate)
			c.ClientUtil, _, c.HasClient = median(rs, field(func(r result) *float64 { return r.CPUUtil }))
			c.ServerUtil, _, c.HasSrv = median(rs, field(func(r result) *float64 { return r.ServerCPUUtil }))
			c.OK = len(rs)
			for _, o := range outs {
				if o.Driver == d.Name && o.Scenario == sc.Key {
					c.Runs++
				}
			}
			row.Cells[d.Name] = c
		}
		rows = append(rows, row)
	}
	return rows
}

// printReport writes the whole markdown report and returns the number of
// failed runs.
func printReport(w io.Writer, o options, scs []scenario, drivers []driver, outs []outcome, wall time.Duration) int {
	names := make([]string, len(drivers))
	for i, d := range drivers {
		names[i] = d.Name
	}
	fmt.Fprintf(w, "## scclient vs socketcluster-client: side-by-side benchmark\n\n")
	fmt.Fprintf(w, "%s; %s, %s, %d CPUs; %d runs per driver and scenario, interleaved, a fresh server per run; wall time %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.Version(), nodeVersion(drivers[0].Command[0]),
		runtime.NumCPU(), o.Reps, wall.Round(time.Second))
	if set := goSettings(); set != "" {
		fmt.Fprintf(w, "The scclient driver ran with %s (the JS driver ignores them).\n\n", set)
	}
	writeFigures(w, figureRows(scs, outs, drivers), o.Reps)
	fmt.Fprintf(w, "\nratio = scclient ÷ JS (lower is better for scclient); a figure is server-bound when the server's median CPU utilisation in the window was ≥ %.1f, so its rate only says the client kept up.\n\n", serverBound)
	writeContext(w, contextRows(scs, outs, drivers), names)
	failed := 0
	for _, oc := range outs {
		if oc.Err != nil {
			if failed == 0 {
				fmt.Fprintf(w, "\nFailed runs (left out of the medians):\n\n")
			}
			failed++
			fmt.Fprintf(w, "- %s rep %d %s: %v\n", oc.Scenario, oc.Rep, oc.Driver, oc.Err)
		}
	}
	warned := false
	for _, oc := range outs {
		if oc.Warning != "" {
			if !warned {
				fmt.Fprintf(w, "\nWarnings (figures kept):\n\n")
				warned = true
			}
			fmt.Fprintf(w, "- %s rep %d %s: %s\n", oc.Scenario, oc.Rep, oc.Driver, oc.Warning)
		}
	}
	return failed
}

// nodeVersion asks node for its version ("node ?" when that fails).
func nodeVersion(node string) string {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "node ?"
	}
	return "node " + strings.TrimSpace(string(out))
}

// goSettings lists the Go runtime settings in the environment, which the
// scclient driver inherits: they change its costs, so the report says so.
func goSettings() string {
	var set []string
	for _, name := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v := os.Getenv(name); v != "" {
			set = append(set, name+"="+v)
		}
	}
	return strings.Join(set, " ")
}
