// Command compare runs the JavaScript client's benchmark driver and the
// scclient driver side by side against fresh bench servers, interleaved,
// and prints a markdown table of medians with the ratio scclient ÷ JS per
// figure and PASS/FAIL against its target. `make bench-compare` runs it;
// bench/README.md explains the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// minFiles is the open-file limit the largest conns scenario needs in each
// process (sockets plus the runtime's own files).
const minFiles = 5200

// options are compare's flags.
type options struct {
	Reps      int
	Budget    time.Duration
	GoDriver  string
	JSDriver  string
	ServerDir string
	Node      string
	Raw       string
	Quick     bool
	Only      string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Reps, "reps", 3, "runs per driver and scenario")
	fs.DurationVar(&o.Budget, "budget", 8*time.Minute+30*time.Second, "time for all runs; runs that would end later are not started, and each run's timeout is cut to fit")
	fs.StringVar(&o.GoDriver, "go-driver", "", "path of the built scclient driver (go build ./bench/driver)")
	fs.StringVar(&o.JSDriver, "js-driver", "bench/js/driver.js", "path of the JavaScript driver")
	fs.StringVar(&o.ServerDir, "server-dir", "bench/server", "folder of the bench server")
	fs.StringVar(&o.Node, "node", "node", "Node.js executable")
	fs.StringVar(&o.Raw, "raw", "", "also write every driver's JSON line to this file")
	fs.BoolVar(&o.Quick, "quick", false, "smaller counts, to try the rig out")
	fs.StringVar(&o.Only, "only", "", "comma-separated scenario keys to run (default all)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if o.GoDriver == "" {
		errs = append(errs, errors.New("--go-driver is required"))
	}
	if o.Reps < 1 || o.Reps > 20 {
		errs = append(errs, fmt.Errorf("--reps must be from 1 to 20, not %d", o.Reps))
	}
	if o.Budget <= 0 {
		errs = append(errs, fmt.Errorf("--budget must be positive, not %v", o.Budget))
	}
	return o, errors.Join(errs...)
}

// selected returns the planned scenarios that --only names (all without it).
func selected(o options) ([]scenario, error) {
	all := plan(o.Quick)
	if o.Only == "" {
		return all, nil
	}
	var out []scenario
	for _, key := range strings.Split(o.Only, ",") {
		found := false
		for _, sc := range all {
			if sc.Key == strings.TrimSpace(key) {
				out = append(out, sc)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("--only: no scenario %q", key)
		}
	}
	return out, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	scs, err := selected(o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	drivers, err := locateDrivers(o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if limit, err := raiseFileLimit(); err != nil || limit < minFiles {
		fmt.Fprintf(stderr, "compare: open-file limit %d (%v); the conns scenarios need %d: raise `ulimit -Hn`\n", limit, err, minFiles)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	serverDir, err := filepath.Abs(o.ServerDir)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}
	started := time.Now()
	rn := runner{serverDir: serverDir, grace: killGrace}
	outs := runAll(ctx, o, rn.grace, rn.once, scs, drivers, stderr)
	wall := time.Since(started)
	if o.Raw != "" {
		if err := writeRaw(o.Raw, outs); err != nil {
			fmt.Fprintln(stderr, "compare:", err)
		}
	}
	failed := printReport(stdout, o, scs, drivers, outs, wall)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "compare: interrupted")
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// locateDrivers checks that both drivers exist and returns their commands.
func locateDrivers(o options) ([]driver, error) {
	node, err := exec.LookPath(o.Node)
	if err != nil {
		return nil, fmt.Errorf("compare: Node.js not found: %w", err)
	}
	js, err := filepath.Abs(o.JSDriver)
	if err != nil {
		return nil, err
	}
	goDriver, err := filepath.Abs(o.GoDriver)
	if err != nil {
		return nil, err
	}
	for _, p := range []string{js, goDriver, filepath.Join(o.ServerDir, "server.js")} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
	}
	return []driver{
		{Name: "js", Command: []string{node, js}},
		{Name: "scclient", Command: []string{goDriver}},
	}, nil
}

// onceFunc runs one driver once; runner.once is the real one.
type onceFunc func(ctx context.Context, d driver, sc scenario, rep int, timeoutS int) outcome

// runAll runs every scenario o.Reps times per driver, the two drivers one
// after the other and alternating which goes first, with a fresh server per
// run, until the budget is spent; grace is how long past its timeout a run
// may last.
func runAll(ctx context.Context, o options, grace time.Duration, once onceFunc, scs []scenario, drivers []driver, log io.Writer) []outcome {
	deadline := time.Now().Add(o.Budget)
	total := len(scs) * o.Reps * len(drivers)
	var outs []outcome
	n := 0
	// Every scenario gets its first repetition before any gets its second,
	// so that a spent budget thins all scenarios alike.
	for rep := 1; rep <= o.Reps; rep++ {
		for _, sc := range scs {
			for i := range drivers {
				d := drivers[(i+rep)%len(drivers)]
				n++
				left := time.Until(deadline)
				timeoutS := min(sc.TimeoutS, int((left-grace)/time.Second))
				if ctx.Err() != nil || timeoutS < 10 {
					outs = append(outs, outcome{Driver: d.Name, Scenario: sc.Key, Rep: rep, Err: errors.New("not run: time budget spent or interrupted")})
					continue
				}
				oc := once(ctx, d, sc, rep, timeoutS)
				outs = append(outs, oc)
				fmt.Fprintf(log, "[%2d/%d] %-11s rep %d %-8s %s\n", n, total, sc.Key, rep, d.Name, summary(oc))
			}
		}
	}
	return outs
}

// summary is one progress line about a run.
func summary(o outcome) string {
	if o.Err != nil {
		return fmt.Sprintf("FAILED after %.1fs: %v", o.Took.Seconds(), o.Err)
	}
	r := o.Result
	s := fmt.Sprintf("ok in %.1fs", o.Took.Seconds())
	if o.Warning != "" {
		s += " (" + o.Warning + ")"
	}
	if r.CPUS != nil {
		s += fmt.Sprintf(", client CPU %.3fs", *r.CPUS)
	}
	if r.ServerCPUUtil != nil {
		s += fmt.Sprintf(", server util %.2f", *r.ServerCPUUtil)
	}
	return s
}

// writeRaw saves every driver's JSON line, one per line.
func writeRaw(path string, outs []outcome) error {
	var b strings.Builder
	for _, o := range outs {
		if len(o.Line) > 0 {
			b.Write(o.Line)
			b.WriteByte('\n')
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
