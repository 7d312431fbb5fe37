package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// binary builds the sc binary once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "sc-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "sc")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("building sc: %v", binErr)
	}
	return binPath
}

func cleanupBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// runBinary runs the built binary and returns its real exit status.
func runBinary(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary(t), withURL(args)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running sc: %v", err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestSCBinaryExitCodes(t *testing.T) {
	r := runBinary(t, "invoke", "echo", `{"a":[1,2]}`)
	expectCode(t, r, 0)
	if r.stdout != "{\"a\":[1,2]}\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	r = runBinary(t, "invoke", "fail")
	expectCode(t, r, 1)
	expectContains(t, "stderr", r.stderr, "CustomError", "custom failure")
	r = runBinary(t, "invoke")
	expectCode(t, r, 2)
	r = runBinary(t, "invoke", "slow", `{"ms":3000}`, "--ack-timeout", "200ms")
	expectCode(t, r, 3)
}

// SIGINT ends an open-ended subscribe cleanly (0) and an unanswered invoke
// as interrupted (130).
func TestSCBinaryInterrupt(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		ready string
		code  int
	}{
		{[]string{"subscribe", "sigint-chan"}, "subscribed to sigint-chan", 0},
		{[]string{"invoke", "slow", `{"ms":20000}`, "--ack-timeout", "30s"}, "connected to", 130},
	} {
		cmd := exec.Command(binary(t), withURL(tc.args)...)
		stderr := newSyncBuffer()
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stderr.waitFor(t, tc.ready, 1)
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code {
				t.Fatalf("%v: want exit %d after SIGINT, got %d (%v)\n%s", tc.args, tc.code, code, err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v did not end after SIGINT", tc.args)
		}
	}
}
