package testserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"time"
)

// readyInfo is the line server.js prints on stdout once it listens.
type readyInfo struct {
	Ready bool `json:"ready"`
	Port  int  `json:"port"`
	PID   int  `json:"pid"`
}

// process is one run of `node server.js`.
type process struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	ready chan readyInfo // receives the ready line once
	done  chan struct{}  // closed when the process has exited and was reaped
	err   error          // what Wait returned; read only after done is closed
	asked chan struct{}  // closed once the launcher has asked it to stop
}

// launch starts node server.js in dir with env and the given port, sending
// its output to log. It does not wait for the ready line.
func launch(node, dir string, env []string, port int, log *logBuffer) (*process, error) {
	cmd := exec.Command(node, "server.js")
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), env...), portVar+"="+strconv.Itoa(port))
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second

	p := &process{
		cmd:   cmd,
		ready: make(chan readyInfo, 1),
		done:  make(chan struct{}),
		asked: make(chan struct{}),
	}
	sentReady := false
	stdout := &lineWriter{log: log, onLine: func(line []byte) {
		if sentReady {
			return
		}
		var info readyInfo
		if json.Unmarshal(line, &info) == nil && info.Ready {
			sentReady = true
			p.ready <- info
		}
	}}
	stderr := &lineWriter{log: log}
	cmd.Stdout = stdout
	cmd.Stderr = stderr

	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("cannot make the server's stdin pipe: %w", err)
	}
	p.stdin = stdin
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s server.js: %w", node, err)
	}
	go func() {
		p.err = cmd.Wait()
		stdout.flush()
		stderr.flush()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitReady waits for the ready line, the process's exit, or the timeout.
func (p *process) waitReady(timeout time.Duration) (readyInfo, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case info := <-p.ready:
		if info.Port <= 0 || info.Port > 65535 {
			return info, fmt.Errorf("server reported an invalid port %d", info.Port)
		}
		return info, nil
	case <-p.done:
		return readyInfo{}, fmt.Errorf("server exited before it was ready: %v", exitDescription(p.err))
	case <-timer.C:
		return readyInfo{}, fmt.Errorf("server did not print its ready line within %s", timeout)
	}
}

// stop asks the process to shut down cleanly and waits up to grace for it;
// after that it kills the process group. It returns what Wait returned.
func (p *process) stop(grace time.Duration) error {
	if !p.exited() {
		p.markAsked()
		requestStop(p)
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
			killGroup(p)
			<-p.done
		}
	}
	_ = p.stdin.Close()
	return p.err
}

// kill kills the process group at once and waits for the process.
func (p *process) kill() {
	if !p.exited() {
		p.markAsked()
		killGroup(p)
	}
	<-p.done
	_ = p.stdin.Close()
}

func (p *process) markAsked() {
	select {
	case <-p.asked:
	default:
		close(p.asked)
	}
}

// wasAsked reports whether the launcher asked the process to end.
func (p *process) wasAsked() bool {
	select {
	case <-p.asked:
		return true
	default:
		return false
	}
}

// exitDescription renders a Wait error for a message.
func exitDescription(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.String()
	}
	return err.Error()
}
