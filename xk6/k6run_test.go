package xk6_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// k6Binary builds k6 with the extension once per test binary; with
// XK6_RACE=1 it is built with the race detector.
func k6Binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "xk6-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtDir = dir
		bin := filepath.Join(dir, "k6")
		args := []string{"build", "-o", bin}
		if os.Getenv("XK6_RACE") == "1" {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./cmd/k6")...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/k6: %v\n%s", err, out)
			return
		}
		builtBin = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// server is a running test server.
type server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	port  int
}

// startServer launches the real SocketCluster test server on a free port
// and stops it when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	script := filepath.Join("..", "testdata", "server", "server.js")
	if _, err := os.Stat(filepath.Join("..", "testdata", "server", "node_modules")); err != nil {
		t.Fatalf("test server dependencies are missing (run `make deps` at the repository root): %v", err)
	}
	cmd := exec.Command("node", script)
	cmd.Env = append(os.Environ(), "SC_PORT=0", "SC_EXIT_ON_STDIN_CLOSE=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	s := &server{cmd: cmd, stdin: stdin}
	t.Cleanup(s.stop)

	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			ready <- fmt.Errorf("reading ready line: %v", err)
			return
		}
		var msg struct {
			Ready bool `json:"ready"`
			Port  int  `json:"port"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil || !msg.Ready || msg.Port == 0 {
			ready <- fmt.Errorf("unexpected ready line %q (%v)", line, err)
			return
		}
		s.port = msg.Port
		ready <- nil
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("test server did not start: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("test server not ready after 60 s; stderr: %s", stderr.String())
	}
	return s
}

// stop ends the server: closing stdin asks it to exit, a kill follows if
// it has not within 10 s.
func (s *server) stop() {
	_ = s.stdin.Close()
	done := make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// url is the server's SocketCluster URL.
func (s *server) url() string {
	return fmt.Sprintf("ws://127.0.0.1:%d/socketcluster/", s.port)
}

// run runs a k6 script against the server with extra environment
// variables and returns k6's exit code, its output and the metric samples
// it wrote.
func run(t *testing.T, srv *server, script string, env ...string) (int, string, samples) {
	t.Helper()
	bin := k6Binary(t)
	out := filepath.Join(t.TempDir(), "out.json")
	args := []string{"run", "--no-color", "--quiet", "--no-usage-report", "--out", "json=" + out}
	for _, e := range append([]string{"URL=" + srv.url()}, env...) {
		args = append(args, "-e", e)
	}
	args = append(args, script)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "K6_NO_USAGE_REPORT=true")
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start k6: %v", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("k6 run %s did not finish in 3 minutes; output:\n%s", script, buf.String())
	}
	return cmd.ProcessState.ExitCode(), buf.String(), readSamples(t, out)
}

// sample is one metric point of k6's JSON output.
type sample struct {
	Metric string            `json:"metric"`
	Value  float64           `json:"value"`
	Tags   map[string]string `json:"tags"`
}

// samples are the points of one run.
type samples []sample

// readSamples parses k6's JSON lines output, keeping the points.
func readSamples(t *testing.T, path string) samples {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read k6 output: %v", err)
	}
	var out samples
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" {
			continue
		}
		var p struct {
			Type   string `json:"type"`
			Metric string `json:"metric"`
			Data   struct {
				Value float64           `json:"value"`
				Tags  map[string]string `json:"tags"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("bad k6 output line %q: %v", line, err)
		}
		if p.Type == "Point" {
			out = append(out, sample{Metric: p.Metric, Value: p.Data.Value, Tags: p.Data.Tags})
		}
	}
	return out
}

// sum adds the values of a metric's points whose tags include every given
// name=value pair.
func (ss samples) sum(metric string, tags ...string) float64 {
	return ss.fold(metric, tags, func(acc float64, s sample) float64 { return acc + s.Value })
}

// count is the number of points of a metric with the given tags.
func (ss samples) count(metric string, tags ...string) int {
	return int(ss.fold(metric, tags, func(acc float64, _ sample) float64 { return acc + 1 }))
}

func (ss samples) fold(metric string, tags []string, f func(float64, sample) float64) float64 {
	acc := 0.0
outer:
	for _, s := range ss {
		if s.Metric != metric {
			continue
		}
		for _, kv := range tags {
			k, v, _ := strings.Cut(kv, "=")
			if s.Tags[k] != v {
				continue outer
			}
		}
		acc = f(acc, s)
	}
	return acc
}
