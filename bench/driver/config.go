package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// config holds the driver's flags; bench/README.md gives their meaning.
type config struct {
	URL        string
	Scenario   string
	N          int
	C          int
	M          int
	Size       int
	K          int
	Warmup     int
	SettleMS   int
	HoldS      float64
	TimeoutS   float64
	ServerPID  int
	Protocol   int
	Label      string
	CPUProfile string
	MemProfile string
	Decode     bool
	// Log receives diagnostics (the driver's stderr); nil for none.
	Log io.Writer
}

// parseConfig reads the flags in args (--name value or --name=value).
func parseConfig(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("driver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", "ws://127.0.0.1:8000/socketcluster/", "server URL (loopback only)")
	fs.StringVar(&c.Scenario, "scenario", "rpc-seq", "rpc-seq, rpc-par, sub-recv, evt-recv, conns or ping-hold")
	fs.IntVar(&c.N, "n", 20000, "RPC calls")
	fs.IntVar(&c.C, "c", 64, "calls or handshakes in flight")
	fs.IntVar(&c.M, "m", 200000, "messages to receive")
	fs.IntVar(&c.Size, "size", 64, "payload bytes")
	fs.IntVar(&c.K, "k", 1000, "connections")
	fs.IntVar(&c.Warmup, "warmup", -1, "warm-up count; -1 means n/10 (at most 2000) or m/20 (at most 10000)")
	fs.IntVar(&c.SettleMS, "settle-ms", 2000, "conns: wait before measuring memory, ms")
	fs.Float64Var(&c.HoldS, "hold-s", 5, "ping-hold: idle time, s")
	fs.Float64Var(&c.TimeoutS, "timeout-s", 120, "the driver stops itself after this many seconds")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "sample this process's CPU and RSS from /proc")
	fs.IntVar(&c.Protocol, "protocol", 2, "SocketCluster protocol version (1 or 2)")
	fs.StringVar(&c.Label, "label", "", "free text copied into the output")
	fs.BoolVar(&c.Decode, "decode", true, "receive scenarios: decode each payload into a Go string (false: check the raw JSON length only)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file")
	fs.StringVar(&c.MemProfile, "memprofile", "", "write a heap profile at the end of the measured window (conns: after settling)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Log = stderr
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.check()
}

// check rejects values no scenario can run with.
func (c config) check() error {
	var errs []error
	positive := map[string]int{"--n": c.N, "--c": c.C, "--m": c.M, "--k": c.K}
	for _, name := range []string{"--n", "--c", "--m", "--k"} {
		if positive[name] < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, not %d", name, positive[name]))
		}
	}
	if c.Size < 0 {
		errs = append(errs, fmt.Errorf("--size must not be negative, not %d", c.Size))
	}
	if c.Warmup < -1 {
		errs = append(errs, fmt.Errorf("--warmup must be -1 or more, not %d", c.Warmup))
	}
	if c.SettleMS < 0 || c.HoldS < 0 {
		errs = append(errs, errors.New("--settle-ms and --hold-s must not be negative"))
	}
	if !(c.TimeoutS > 0) {
		errs = append(errs, fmt.Errorf("--timeout-s must be above 0, not %v", c.TimeoutS))
	}
	if c.Protocol != 1 && c.Protocol != 2 {
		errs = append(errs, fmt.Errorf("--protocol must be 1 or 2, not %d", c.Protocol))
	}
	return errors.Join(errs...)
}

// warmupFor is the warm-up count for a run of total operations: --warmup
// when given, else total/10 capped at limit.
func (c config) warmupFor(total, limit int) int {
	if c.Warmup >= 0 {
		return c.Warmup
	}
	return min(total/10, limit)
}
