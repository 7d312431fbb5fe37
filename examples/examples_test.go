package examples_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketcluster-go/scclient/internal/testserver"
)

// buildExamples compiles every example into a temporary folder once.
func buildExamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", dir+string(filepath.Separator),
		"./quickstart", "./pubsub", "./auth", "./procedures", "./reconnect")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build failed:\n%s", out)
	return dir
}

func binary(dir, name string) string {
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(dir, name)
}

// runExample runs an example to its end and returns its output; it fails
// the test unless the example exits 0 within the deadline.
func runExample(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary(dir, name), args...).CombinedOutput()
	require.NoError(t, err, "%s failed:\n%s", name, out)
	return string(out)
}

func TestExamples(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	dir := buildExamples(t)
	url := "-url=" + srv.URL()

	t.Run("quickstart", func(t *testing.T) {
		out := runExample(t, dir, "quickstart", url)
		require.Contains(t, out, "echo answered: hello world")
		require.Contains(t, out, "received greeting: hi there")
		require.Contains(t, out, "quickstart: ok")
	})
	t.Run("pubsub", func(t *testing.T) {
		out := runExample(t, dir, "pubsub", url, "-count=2")
		require.Contains(t, out, "subscriber: subscribed to news")
		require.Contains(t, out, `subscriber: received #1 "message 1"`)
		require.Contains(t, out, `subscriber: received #2 "message 2"`)
		require.Contains(t, out, "pubsub: ok")
	})
	t.Run("auth", func(t *testing.T) {
		out := runExample(t, dir, "auth", url, "-user=bob")
		require.Contains(t, out, "channel private/bob is pending until we log in")
		require.Contains(t, out, "authenticated as bob")
		require.Contains(t, out, "subscribed to private/bob")
		require.Contains(t, out, "private message: hello bob")
		require.Contains(t, out, "auth: ok")
	})
	t.Run("procedures", func(t *testing.T) {
		out := runExample(t, dir, "procedures", url, "-a=20", "-b=22")
		require.Contains(t, out, "client: server asked add(20, 22)")
		require.Contains(t, out, "add(20, 22) = 42")
		require.Contains(t, out, "procedures: ok")
	})
	t.Run("failure is reported", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, binary(dir, "auth"), url, "-user=mallory").CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "output:\n%s", out)
		require.Equal(t, 1, exit.ExitCode())
		require.Contains(t, string(out), `auth failed: login as "mallory"`)
		require.Contains(t, string(out), "FailedLoginError")
	})
	t.Run("reconnect", func(t *testing.T) {
		testReconnect(t, srv, binary(dir, "reconnect"))
	})
	t.Run("reconnect stops after duration", func(t *testing.T) {
		out := runExample(t, dir, "reconnect", url, "-duration=1s")
		require.Contains(t, out, "connect: id ")
		require.Contains(t, out, "stopping after 1 connection(s)")
	})
}

// testReconnect runs the reconnect example while the server is killed and
// restarted, and checks that it reports the disconnect and the reconnect.
func testReconnect(t *testing.T, srv *testserver.Server, bin string) {
	cmd := exec.Command(bin, "-url="+srv.URL(), "-duration=15s")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})

	var mu sync.Mutex
	var lines []string
	seen := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			seen <- sc.Text()
		}
		close(seen)
	}()
	waitLine := func(substr string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case line, ok := <-seen:
				require.True(t, ok, "output ended before %q", substr)
				if strings.Contains(line, substr) {
					return
				}
			case <-deadline:
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("no line with %q; output so far:\n%s", substr, strings.Join(lines, "\n"))
			}
		}
	}

	waitLine("state closed -> connecting")
	waitLine("connect: id ")
	srv.Kill()
	waitLine("disconnect: code 1006")
	waitLine("reconnect #1 in ")
	srv.Restart()
	waitLine("connect: id ")

	if runtime.GOOS == "windows" {
		require.NoError(t, cmd.Process.Kill())
		return
	}
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	waitLine("stopping after 2 connection(s)")
	select {
	case err := <-done:
		done <- err // for the cleanup
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("reconnect did not exit after the interrupt")
	}
}
