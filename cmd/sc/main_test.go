package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/socketcluster-go/scclient/cmd/sc/internal/cli"
	"github.com/socketcluster-go/scclient/internal/testserver"
)

// serverURL is the real SocketCluster server (testdata/server) shared by the
// tests that do not need one of their own.
var serverURL string

func TestMain(m *testing.M) {
	srv, err := testserver.Launch("", testserver.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverURL = srv.URL()
	code := m.Run()
	srv.Stop()
	cleanupBinary()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// result is what one run of sc produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// lines returns stdout's lines.
func (r result) lines() []string {
	s := strings.TrimRight(r.stdout, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// sc runs the command in-process against the shared server (unless args
// name another --url) and returns its exit code and output.
func sc(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := cli.Run(ctx, withURL(args), cli.Stdio{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// withURL adds --url for the shared server unless args has one.
func withURL(args []string) []string {
	for _, a := range args {
		if a == "--url" || strings.HasPrefix(a, "--url=") {
			return args
		}
	}
	return append(args, "--url="+serverURL)
}

// syncBuffer is a buffer safe for a writer and readers in other goroutines,
// with a way to wait for text to appear.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until text occurs n times in the buffer.
func (s *syncBuffer) waitFor(t *testing.T, text string, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		got, ch := strings.Count(s.b.String(), text), s.changed
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%q did not appear %d times within 30s; output so far:\n%s", text, n, s.String())
		}
	}
}

// running is a command run in the background.
type running struct {
	stdout, stderr *syncBuffer
	stdin          *io.PipeWriter
	cancel         context.CancelFunc
	done           chan int
}

// start runs sc in the background; stdin is a pipe the test writes to and
// closes (wait closes it too).
func start(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	pr, pw := io.Pipe()
	r := &running{stdout: newSyncBuffer(), stderr: newSyncBuffer(), stdin: pw, cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- cli.Run(ctx, withURL(args), cli.Stdio{Stdin: pr, Stdout: r.stdout, Stderr: r.stderr})
		pr.Close()
	}()
	t.Cleanup(func() {
		cancel()
		pw.Close()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Errorf("sc %v did not end after its cleanup", args)
		}
	})
	return r
}

// wait waits for the command to end and returns its result.
func (r *running) wait(t *testing.T) result {
	t.Helper()
	r.stdin.Close()
	select {
	case code := <-r.done:
		r.done <- code // let the cleanup see it too
		return result{code: code, stdout: r.stdout.String(), stderr: r.stderr.String()}
	case <-time.After(60 * time.Second):
		t.Fatalf("command did not end within 60s; stderr:\n%s", r.stderr.String())
		return result{}
	}
}

// expectCode fails the test unless r ended with code.
func expectCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
}

// expectContains fails the test unless s contains every text.
func expectContains(t *testing.T, what, s string, texts ...string) {
	t.Helper()
	for _, x := range texts {
		if !strings.Contains(s, x) {
			t.Fatalf("%s does not contain %q:\n%s", what, x, s)
		}
	}
}

// pipeStdin returns a stdin that stays open until closeStdin.
func pipeStdin() (io.Reader, func()) {
	pr, pw := io.Pipe()
	return pr, func() { pw.Close() }
}
