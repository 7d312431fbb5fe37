// Command driver runs one benchmark scenario of the scclient package against
// the bench server and prints one JSON line, with the same flags, scenarios
// and fields as the JavaScript driver in bench/js, so that the two can be
// compared run for run. bench/README.md describes the contract.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// watchdogGrace is how long after its deadline the driver gives up on a
// scenario that does not return and exits on its own.
const watchdogGrace = 15 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, true))
}

// run parses args, runs the scenario and prints the report; it returns the
// exit code: 0 when the run is ok, 1 when it failed, 2 for bad flags. With
// watchdog set, a scenario still running 15 s after its deadline makes the
// process print a failed report and exit with code 3.
func run(args []string, stdout, stderr io.Writer, watchdog bool) int {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	rep := newReport(cfg)
	limit := time.Duration(cfg.TimeoutS * float64(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if watchdog {
		timer := time.AfterFunc(limit+watchdogGrace, func() {
			rep.fail(fmt.Errorf("watchdog: still running %v after the deadline", watchdogGrace))
			rep.print(stdout)
			os.Exit(3)
		})
		defer timer.Stop()
	}
	if err := runScenario(ctx, cfg, rep); err != nil {
		rep.fail(err)
	}
	rep.print(stdout)
	if !rep.ok() {
		return 1
	}
	return 0
}
