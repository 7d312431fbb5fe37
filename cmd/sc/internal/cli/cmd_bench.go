package cli

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/socketcluster-go/scclient"
	"github.com/socketcluster-go/scclient/cmd/sc/internal/bench"
)

type benchFlags struct {
	clients       int
	connectRate   float64
	channels      string
	subsPerClient int
	rate          float64
	size          int
	ack           bool
	rpc           string
	concurrency   int
	duration      time.Duration
	messages      int64
	drain         time.Duration
	setupTimeout  time.Duration
	interval      time.Duration
	jsonOut       bool
	htmlFile      string
	noProgress    bool
}

const benchLong = `Opens --clients sockets (starting --connect-rate per second) and either
publishes at --rate messages per second in all to channels every client
subscribes to, or calls a procedure (--rpc) at --rate or in closed loop with
--concurrency calls in flight. Each payload carries its send time and a
sequence number, so the report gives publish-to-receive latency from HDR
histograms and counts lost and duplicated messages exactly.

--channels is a count (channels named bench-<run id>-<n>) or a comma-separated
list of names; each client subscribes to --subs-per-client of them, spread
evenly, so a message reaches about clients*subs-per-client/channels sockets.

The run stops by itself after --duration (or --messages), waits up to
--drain for messages still on their way, and prints a report: text, or JSON
with --json; --html writes a self-contained page with charts. A live
progress line goes to stderr when it is a terminal. The exit code is 0 for a
clean run and 1 when a client failed to connect or subscribe, a call failed,
or a message was lost, duplicated or corrupted.

Limits: at most 20000 clients, 1 h, 1000000 messages/s and 1 MiB payloads.`

func newBenchCmd(e *env, cf *connFlags) *cobra.Command {
	var bf benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test a server: many sockets, pub/sub or RPC, latency and loss report",
		Long:  benchLong,
		Example: `  sc bench --clients 1000 --channels 100 --rate 2000 --duration 20s
  sc bench --clients 50 --rpc echo --concurrency 64 --duration 10s --json
  sc bench --clients 200 --channels news,sport --rate 500 --ack --html report.html`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("concurrency") && !cmd.Flags().Changed("rate") {
				bf.rate = 0
			}
			return runBench(cmd, e, cf, bf)
		},
	}
	f := cmd.Flags()
	f.IntVar(&bf.clients, "clients", 10, "number of sockets (at most 20000)")
	f.Float64Var(&bf.connectRate, "connect-rate", bench.DefaultConnectRate, "sockets started per second")
	f.StringVar(&bf.channels, "channels", "1", "channel count, or comma-separated channel names")
	f.IntVar(&bf.subsPerClient, "subs-per-client", 1, "channels each client subscribes to")
	f.Float64Var(&bf.rate, "rate", 100, "publishes (or calls) per second, all clients together")
	f.IntVar(&bf.size, "size", 64, "payload size in bytes")
	f.BoolVar(&bf.ack, "ack", false, "publish with invokePublish and measure the acknowledgement too")
	f.StringVar(&bf.rpc, "rpc", "", "invoke this procedure instead of publishing (e.g. echo)")
	f.IntVar(&bf.concurrency, "concurrency", 0, "with --rpc: calls in flight, back to back (closed loop)")
	f.DurationVar(&bf.duration, "duration", 0, "how long to publish or call (default 10s; with --messages at most 10m)")
	f.Int64Var(&bf.messages, "messages", 0, "stop after this many publishes or calls")
	f.DurationVar(&bf.drain, "drain", bench.DefaultDrain, "how long to wait for messages still on their way")
	f.DurationVar(&bf.setupTimeout, "setup-timeout", bench.DefaultSetupTimeout, "how long connecting and subscribing may take")
	f.DurationVar(&bf.interval, "interval", bench.DefaultInterval, "resolution of the timeline and the progress line")
	f.BoolVar(&bf.jsonOut, "json", false, "print the report as JSON")
	f.StringVar(&bf.htmlFile, "html", "", "also write a self-contained HTML report to this file")
	f.BoolVar(&bf.noProgress, "no-progress", false, "no progress line, even on a terminal")
	return cmd
}

func runBench(cmd *cobra.Command, e *env, cf *connFlags, bf benchFlags) error {
	d := e.diag(cf)
	base, token, err := cf.options()
	if err != nil {
		return usageError(err)
	}
	if _, err := scclient.Create(withNoConnect(base)); err != nil {
		return usageError(err)
	}
	if cf.insecure {
		d.warnf("--insecure: the server's TLS certificate is not verified")
	}
	if !isLoopback(base.URL) {
		d.warnf("%s is not a loopback address: make sure you may load-test it", base.URL)
	}
	channels, err := benchChannels(bf.channels)
	if err != nil {
		return usageError(err)
	}
	cfg := bench.Config{
		Options:       func() scclient.Options { return base },
		Token:         token,
		Clients:       bf.clients,
		ConnectRate:   bf.connectRate,
		Channels:      channels,
		SubsPerClient: bf.subsPerClient,
		Rate:          bf.rate,
		Size:          bf.size,
		Ack:           bf.ack,
		RPC:           bf.rpc,
		Concurrency:   bf.concurrency,
		Duration:      bf.duration,
		Messages:      bf.messages,
		Drain:         bf.drain,
		SetupTimeout:  bf.setupTimeout,
		Interval:      bf.interval,
		Log:           d.infof,
	}
	if !bf.noProgress && isTerminal(e.stderr) {
		// The progress line and diagnostics share stderr: a diagnostic
		// first clears the line the progress is drawn on.
		d.clearLine = true
		cfg.Progress = d
	}
	var htmlOut *os.File
	if bf.htmlFile != "" {
		if htmlOut, err = os.Create(bf.htmlFile); err != nil {
			return usageError(fmt.Errorf("--html: %w", err))
		}
		defer htmlOut.Close()
	}
	res, err := bench.Run(cmd.Context(), cfg)
	if err != nil {
		if errors.Is(err, bench.ErrConfig) {
			return usageError(err)
		}
		return withCode(ExitConnection, err)
	}
	if bf.jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = res.WriteText(e.stdout)
	}
	if err != nil {
		return withCode(ExitFailure, fmt.Errorf("writing the report: %w", err))
	}
	if htmlOut != nil {
		if err := res.WriteHTML(htmlOut); err != nil {
			return withCode(ExitFailure, fmt.Errorf("--html: %w", err))
		}
		if err := htmlOut.Close(); err != nil {
			return withCode(ExitFailure, fmt.Errorf("--html: %w", err))
		}
		d.infof("HTML report written to %s", bf.htmlFile)
	}
	if cmd.Context().Err() != nil {
		return withCode(ExitInterrupted, cmd.Context().Err())
	}
	if !res.Clean {
		return withCode(ExitFailure, errors.New("the run was not clean (see the report)"))
	}
	return nil
}

func withNoConnect(o scclient.Options) scclient.Options {
	o.DisableAutoConnect = true
	return o
}

// benchChannels turns --channels into names: a count gives fresh names
// unique to this run, anything else is a comma-separated list.
func benchChannels(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > bench.MaxChannels {
			return nil, fmt.Errorf("--channels must be 1 to %d, got %d", bench.MaxChannels, n)
		}
		var id [3]byte
		rand.Read(id[:])
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("bench-%s-%d", hex.EncodeToString(id[:]), i)
		}
		return names, nil
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, fmt.Errorf("--channels %q has an empty name", s)
		}
		if seen[n] {
			return nil, fmt.Errorf("--channels names %q twice", n)
		}
		seen[n] = true
		names = append(names, n)
	}
	return names, nil
}

// isLoopback reports whether the URL's host is a loopback name or address.
func isLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
