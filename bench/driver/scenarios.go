package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// scenarioFunc runs one scenario, filling in the report.
type scenarioFunc func(ctx context.Context, cfg config, r *report) error

var scenarios = map[string]scenarioFunc{
	"rpc-seq":   rpcSeq,
	"rpc-par":   rpcPar,
	"sub-recv":  subRecv,
	"evt-recv":  evtRecv,
	"conns":     conns,
	"ping-hold": pingHold,
}

// runScenario checks the URL and runs the scenario cfg names.
func runScenario(ctx context.Context, cfg config, r *report) error {
	if err := requireLoopback(cfg.URL); err != nil {
		return err
	}
	f, ok := scenarios[cfg.Scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q", cfg.Scenario)
	}
	return f(ctx, cfg, r)
}

// requireLoopback refuses any server that is not on this machine's
// loopback interface.
func requireLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("--url %q: %w", raw, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("--url %q: the scheme must be ws or wss", raw)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %q: the server must be on loopback (127.0.0.0/8, ::1, localhost)", raw)
}
