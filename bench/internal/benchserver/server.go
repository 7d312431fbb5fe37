// Package benchserver starts the bench server (bench/server/server.js) on a
// free loopback port and stops it again, for the benchmark rig's compare
// program and tests. Every run of the rig gets a fresh server process.
package benchserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

const (
	// ReadyTimeout is how long Start waits for the server's ready line.
	ReadyTimeout = 15 * time.Second
	// stopGrace is how long Stop waits after SIGTERM before it kills; a
	// server closing thousands of sockets on a loaded machine needs seconds.
	stopGrace = 5 * time.Second
	// keptOutput bounds the server output kept for error reports.
	keptOutput = 64 << 10
)

// Server is one running bench server process.
type Server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	port  int
	done  chan struct{}
	out   *tailBuffer

	stopOnce sync.Once
	stopErr  error
}

// ready is the line server.js prints once it listens.
type ready struct {
	Ready bool `json:"ready"`
	Port  int  `json:"port"`
	PID   int  `json:"pid"`
}

// Start launches `node server.js 0` in dir with extra environment variables
// (KEY=VALUE) and waits until it listens. The server exits by itself when
// this process goes away (its standard input closes).
func Start(dir string, env []string) (*Server, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("benchserver: node is not on PATH: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "server.js")); err != nil {
		return nil, fmt.Errorf("benchserver: no server.js in %s: %w", dir, err)
	}
	cmd := exec.Command(node, "server.js", "0")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), "EXIT_ON_STDIN_CLOSE=1")
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	s := &Server{cmd: cmd, done: make(chan struct{}), out: &tailBuffer{limit: keptOutput}}
	cmd.Stderr = s.out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("benchserver: %w", err)
	}
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("benchserver: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("benchserver: cannot start node: %w", err)
	}
	lines := make(chan ready, 1)
	go s.readStdout(stdout, lines)
	timer := time.NewTimer(ReadyTimeout)
	defer timer.Stop()
	select {
	case r := <-lines:
		if r.Port <= 0 || r.Port > 65535 {
			s.kill()
			return nil, fmt.Errorf("benchserver: server reported port %d", r.Port)
		}
		s.port = r.Port
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("benchserver: server exited before it was ready: %v\n%s", cmd.ProcessState, s.out)
	case <-timer.C:
		s.kill()
		return nil, fmt.Errorf("benchserver: no ready line within %v\n%s", ReadyTimeout, s.out)
	}
}

// readStdout hands the ready line to lines, keeps the rest of the output,
// and reaps the process when its output ends.
func (s *Server) readStdout(r io.Reader, lines chan<- ready) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		var info ready
		if !sent && json.Unmarshal(sc.Bytes(), &info) == nil && info.Ready {
			sent = true
			lines <- info
			continue
		}
		_, _ = s.out.Write(append(sc.Bytes(), '\n'))
	}
	_, _ = io.Copy(io.Discard, r)
	_ = s.cmd.Wait()
	close(s.done)
}

// URL is the server's WebSocket URL.
func (s *Server) URL() string {
	return fmt.Sprintf("ws://127.0.0.1:%d/socketcluster/", s.port)
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Output returns the last 64 KiB the server wrote (stderr, and stdout after
// the ready line).
func (s *Server) Output() string { return s.out.String() }

// Exited reports whether the server process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Stop asks the server to exit, kills its process group if it has not
// exited 5 s later, and waits for it. It returns an error when the server
// had to be killed; calling it again returns the same result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.Exited() {
			_ = s.stdin.Close()
			return
		}
		requestStop(s.cmd)
		select {
		case <-s.done:
		case <-time.After(stopGrace):
			s.kill()
			s.stopErr = errors.New("benchserver: the server ignored SIGTERM and was killed")
		}
		_ = s.stdin.Close()
	})
	return s.stopErr
}

// kill kills the process group and waits for the process.
func (s *Server) kill() {
	killGroup(s.cmd)
	_ = s.stdin.Close()
	<-s.done
}

// tailBuffer keeps the last limit bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	b     []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.limit; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}
