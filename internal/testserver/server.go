package testserver

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// readyTimeout bounds the wait for the server's ready line.
	readyTimeout = 15 * time.Second
	// stopGrace is how long Stop waits after SIGTERM before it kills.
	stopGrace = 5 * time.Second
	// restartWindow is how long Restart keeps trying to listen on the old port.
	restartWindow = 5 * time.Second
	// restartPause separates two tries of Restart.
	restartPause = 100 * time.Millisecond
)

// Server is a running (or stopped) test server. Its methods are safe for
// concurrent use, except that Restart must run on the test's goroutine.
type Server struct {
	tb   testing.TB
	node string
	dir  string
	env  []string
	log  *logBuffer

	// restartWindow is how long Restart keeps trying; tests shorten it.
	restartWindow time.Duration

	mu   sync.Mutex // guards the fields below and serialises Stop, Kill and Restart
	proc *process
	port int
	pid  int
}

// Start launches node server.js from the module's testdata/server folder
// with opts, waits up to 15 s for it to listen, and registers a cleanup that
// stops it. It fails the test (never skips it) when the server cannot start,
// reporting the reason and the server's output.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testserver: cannot read the working directory: %v", err)
	}
	dir, err := findServerDir(wd)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	return startIn(tb, dir, opts)
}

// startIn is Start with the server folder already known.
func startIn(tb testing.TB, dir string, opts Options) *Server {
	tb.Helper()
	s, err := newServer(dir, opts)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	s.tb = tb
	tb.Cleanup(s.Stop)
	if err := s.start(opts); err != nil {
		tb.Fatalf("testserver: %v\nserver output:\n%s", err, s.log.String())
	}
	return s
}

// Launch starts the server outside a test, for demos and runnable examples:
// it returns an error instead of failing a test, and the caller must call
// Stop. dir is the server folder, or "" to look for testdata/server from the
// working directory up to the module root.
func Launch(dir string, opts Options) (*Server, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("testserver: cannot read the working directory: %w", err)
		}
		if dir, err = findServerDir(wd); err != nil {
			return nil, fmt.Errorf("testserver: %w", err)
		}
	}
	s, err := newServer(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("testserver: %w", err)
	}
	if err := s.start(opts); err != nil {
		return nil, fmt.Errorf("testserver: %w\nserver output:\n%s", err, s.log.String())
	}
	return s, nil
}

// newServer checks the options and finds node.
func newServer(dir string, opts Options) (*Server, error) {
	node, err := findNode()
	if err != nil {
		return nil, err
	}
	extra, err := opts.envList()
	if err != nil {
		return nil, fmt.Errorf("bad Options.Env: %w", err)
	}
	return &Server{
		node: node,
		dir:  dir,
		env:  append(baseEnv(), extra...),
		log:  &logBuffer{},

		restartWindow: restartWindow,
	}, nil
}

// start launches the first process, on the port opts ask for (0: free).
func (s *Server) start(opts Options) error {
	port := 0
	if v, ok := opts.Env[portVar]; ok && v != "" {
		var err error
		port, err = strconv.Atoi(v)
		if err != nil || port < 0 || port > 65535 {
			return fmt.Errorf("bad Options.Env: %s must be a port number, got %q", portVar, v)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.launchLocked(port)
}

// baseEnv is the test's environment without SC_ variables, plus the
// setting that makes the server exit if this process goes away.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SC_") {
			env = append(env, kv)
		}
	}
	return append(env, "SC_EXIT_ON_STDIN_CLOSE=1")
}

// launchLocked starts one server process on port and waits until it is
// ready. The caller holds s.mu.
func (s *Server) launchLocked(port int) error {
	p, err := launch(s.node, s.dir, s.env, port, s.log)
	if err != nil {
		return err
	}
	info, err := p.waitReady(readyTimeout)
	if err != nil {
		p.kill()
		return err
	}
	if port != 0 && info.Port != port {
		p.kill()
		return fmt.Errorf("server listens on port %d, want %d", info.Port, port)
	}
	s.proc, s.port, s.pid = p, info.Port, p.cmd.Process.Pid
	return nil
}

// URL returns the server's WebSocket URL, ws://127.0.0.1:PORT/socketcluster/.
func (s *Server) URL() string {
	return fmt.Sprintf("ws://127.0.0.1:%d/socketcluster/", s.Port())
}

// Port returns the TCP port the server listens on (kept by Restart).
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// PID returns the process id of the current (or last) server process.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// Log returns everything the server wrote to stdout and stderr so far,
// across restarts.
func (s *Server) Log() string {
	return s.log.String()
}

// Stop sends SIGTERM and waits for the server to exit, killing it if it has
// not exited after 5 s. Calling it again, or after Kill, does nothing. It
// reports an error on the test if the server did not exit cleanly, or had
// exited before without being asked to.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *Server) stopLocked() {
	p := s.proc
	if p == nil {
		return
	}
	s.proc = nil
	crashed := p.exited() && !p.wasAsked()
	err := p.stop(stopGrace)
	if s.tb == nil {
		return
	}
	switch {
	case crashed:
		s.tb.Errorf("testserver: server (pid %d) exited on its own: %s\nserver output:\n%s",
			s.pid, exitDescription(err), s.log.String())
	case err != nil:
		s.tb.Errorf("testserver: server (pid %d) did not exit cleanly on SIGTERM: %s\nserver output:\n%s",
			s.pid, exitDescription(err), s.log.String())
	}
}

// Kill sends SIGKILL to the server's process group and waits for the
// server to exit. Calling it again, or after Stop, does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	s.proc.kill()
	s.proc = nil
}

// Restart stops the server if it still runs, then starts it again on the
// same port and waits until it is ready. While the port is still taken it
// retries for up to 5 s; then it fails the test.
func (s *Server) Restart() {
	if s.tb != nil {
		s.tb.Helper()
	}
	if err := s.Relaunch(); err != nil {
		if s.tb == nil {
			panic(err) // Launch's callers use Relaunch
		}
		s.tb.Fatalf("%v", err)
	}
}

// Relaunch is Restart returning an error instead of failing the test.
func (s *Server) Relaunch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
	port := s.port
	s.log.addLine([]byte(fmt.Sprintf("--- testserver: restarting on port %d ---", port)))

	deadline := time.Now().Add(s.restartWindow)
	for {
		err := s.launchLocked(port)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testserver: cannot restart on port %d: %v\nserver output:\n%s", port, err, s.log.String())
		}
		time.Sleep(restartPause)
	}
}
