package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient/cmd/sc/internal/cli"
)

func TestSCHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {}} {
		r := sc(t, "", args...)
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "Exit codes:", "invoke", "subscribe", "bench", "shell", "--ack-timeout")
	}
	for _, cmd := range []string{"invoke", "transmit", "publish", "subscribe", "listen", "receive", "shell", "bench"} {
		r := sc(t, "", cmd, "--help")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "Usage:", "sc "+cmd, "--url")
		r = sc(t, "", "help", cmd)
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "sc "+cmd)
	}
}

func TestSCUsageErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"invoke"}, "missing argument"},
		{[]string{"invoke", "a", "b", "c"}, "too many arguments"},
		{[]string{"subscribe"}, "missing argument"},
		{[]string{"receive"}, "missing argument"},
		{[]string{"shell", "extra"}, "unexpected argument"},
		{[]string{"invoke", "echo", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"invoke", "echo", "--ack-timeout", "soon"}, "invalid argument"},
		{[]string{"invoke", "echo", "--ack-timeout", "0s"}, "--ack-timeout must be positive"},
		{[]string{"invoke", "echo", "--connect-timeout", "-1s"}, "--connect-timeout must be positive"},
		{[]string{"invoke", "echo", "--protocol-version", "3"}, "InvalidArgumentsError"},
		{[]string{"invoke", "echo", "--header", "no colon"}, `want "Name: value"`},
		{[]string{"invoke", "echo", "--header", ": empty name"}, `want "Name: value"`},
		{[]string{"invoke", "echo", "--cert", notPEM}, "--cert and --key must be given together"},
		{[]string{"invoke", "echo", "--ca", notPEM}, "no PEM certificate found"},
		{[]string{"invoke", "echo", "--ca", filepath.Join(dir, "missing.pem")}, "--ca:"},
		{[]string{"subscribe", "x", "--count", "-1"}, "--count must not be negative"},
		{[]string{"bench", "--clients", "30000"}, "--clients must be 1 to 20000"},
		{[]string{"bench", "--duration", "2h"}, "--duration must be at most 1h0m0s"},
		{[]string{"bench", "--rate", "0"}, "--rate must be positive"},
		{[]string{"bench", "--rpc", "echo", "--rate", "0"}, "--rpc needs --rate"},
		{[]string{"bench", "--rpc", "echo", "--ack"}, "--ack applies to publishing"},
		{[]string{"bench", "--channels", "a,,b"}, "empty name"},
		{[]string{"bench", "--channels", "0"}, "--channels must be 1 to"},
		{[]string{"bench", "--subs-per-client", "3", "--channels", "2"}, "--subs-per-client must be 1 to 2"},
		{[]string{"bench", "--size", "-1"}, "--size must be 0 to"},
	} {
		r := sc(t, "", tc.args...)
		if r.code != 2 {
			t.Fatalf("%v: want exit 2, got %s", tc.args, r)
		}
		expectContains(t, "stderr", r.stderr, tc.want)
		if r.stdout != "" {
			t.Fatalf("%v: nothing should go to stdout: %q", tc.args, r.stdout)
		}
	}
}

// Cancelling the context (SIGINT in the binary) ends commands: open-ended
// streams with 0, anything unfinished with 130.
func TestSCInterruptInProcess(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"subscribe", "int-chan"}, 0},
		{[]string{"listen", "connect"}, 0},
		{[]string{"subscribe", "int-chan", "--count", "5"}, 130},
		{[]string{"invoke", "slow", `{"ms":20000}`, "--ack-timeout", "30s"}, 130},
		{[]string{"shell"}, 0},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		stderr := newSyncBuffer()
		done := make(chan int, 1)
		stdin, closeStdin := pipeStdin()
		go func() {
			done <- cli.Run(ctx, withURL(tc.args), cli.Stdio{Stdin: stdin, Stdout: newSyncBuffer(), Stderr: stderr})
		}()
		stderr.waitFor(t, "connected to", 1)
		cancel()
		select {
		case code := <-done:
			if code != tc.code {
				t.Fatalf("%v: want %d after the interrupt, got %d\n%s", tc.args, tc.code, code, stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%v did not end after the interrupt", tc.args)
		}
		closeStdin()
	}
}
