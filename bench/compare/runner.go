package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/socketcluster-go/scclient/bench/internal/benchserver"
)

// killGrace is how long after its own deadline a driver may run before
// compare kills it (the drivers' watchdogs fire 15 s after it).
const killGrace = 20 * time.Second

// driver is one client library's benchmark driver.
type driver struct {
	// Name labels the driver in the tables ("js", "scclient").
	Name string
	// Command is the program and its first arguments.
	Command []string
}

// outcome is one driver run.
type outcome struct {
	Driver   string
	Scenario string
	Rep      int
	Result   result
	Line     []byte
	Err      error
	Took     time.Duration
	// Warning notes a problem that does not spoil the figures, such as a
	// server that had to be killed after the run.
	Warning string
}

// runner runs drivers against fresh bench servers.
type runner struct {
	// serverDir is the bench server's folder; serverEnv extra KEY=VALUE
	// settings for it.
	serverDir string
	serverEnv []string
	// grace is how long after its own deadline a driver may run before
	// it is killed.
	grace time.Duration
}

// once starts a fresh server, runs the driver against it with the
// scenario's flags, and stops the server. timeoutS bounds the driver's own
// run; it is killed rn.grace later.
func (rn runner) once(ctx context.Context, d driver, sc scenario, rep int, timeoutS int) (o outcome) {
	o = outcome{Driver: d.Name, Scenario: sc.Key, Rep: rep}
	start := time.Now()
	defer func() { o.Took = time.Since(start) }()
	srv, err := benchserver.Start(rn.serverDir, rn.serverEnv)
	if err != nil {
		o.Err = err
		return o
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			o.Warning = err.Error()
		}
	}()
	args := append(append([]string(nil), d.Command[1:]...), sc.Args...)
	args = append(args,
		"--url", srv.URL(),
		"--server-pid", strconv.Itoa(srv.PID()),
		"--timeout-s", strconv.Itoa(timeoutS),
		"--label", fmt.Sprintf("%s#%d", sc.Key, rep))
	limit := time.Duration(timeoutS)*time.Second + rn.grace
	runCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(runCtx, d.Command[0], args...)
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = 3 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	r, line, parseErr := parseResult(stdout.Bytes())
	o.Result, o.Line = r, line
	switch {
	case runCtx.Err() != nil && ctx.Err() == nil:
		o.Err = fmt.Errorf("killed after %v: %s", limit, tail(stderr.String()))
	case parseErr != nil:
		o.Err = fmt.Errorf("%v (exit: %v) %s", parseErr, runErr, tail(stderr.String()))
	case !r.OK:
		o.Err = fmt.Errorf("run failed: %s", r.Error)
	case runErr != nil:
		o.Err = fmt.Errorf("exit: %v", runErr)
	}
	if srv.Exited() && o.Err == nil {
		o.Err = fmt.Errorf("the server exited during the run: %s", tail(srv.Output()))
	}
	return o
}

// tail returns the last few hundred bytes of s on one line.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 400 {
		s = "…" + s[len(s)-400:]
	}
	return strings.ReplaceAll(s, "\n", " | ")
}
