package testserver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTB records failures instead of failing the real test, so the tests
// can check what Start and Restart report. Fatalf ends the calling
// goroutine, as testing.T does.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// run calls fn on a new goroutine and returns the Fatalf message it ended
// with ("" if it returned normally).
func (f *fakeTB) run(fn func()) string {
	f.mu.Lock()
	f.fatal = ""
	f.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fatal
}

// finish runs the registered cleanups, last first.
func (f *fakeTB) finish() {
	f.mu.Lock()
	fns := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

func newFakeTB(t *testing.T) *fakeTB {
	f := &fakeTB{TB: t}
	t.Cleanup(f.finish)
	return f
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
}

func TestStartReportsAServerThatExitsEarly(t *testing.T) {
	f := newFakeTB(t)
	msg := f.run(func() {
		Start(f, Options{Env: map[string]string{"SC_PROTOCOL_VERSION": "3"}})
	})
	mustContain(t, msg,
		"server exited before it was ready",
		"exit status 2",
		"SC_PROTOCOL_VERSION must be between 1 and 2, got 3")
}

func TestStartRejectsBadOptions(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"empty name":    {"": "1"},
		"name with =":   {"SC_A=B": "1"},
		"NUL in value":  {"SC_ORIGINS": "a\x00b"},
		"port not int":  {"SC_PORT": "http"},
		"port too high": {"SC_PORT": "70000"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeTB(t)
			msg := f.run(func() { Start(f, Options{Env: env}) })
			mustContain(t, msg, "testserver: bad Options.Env")
		})
	}
}

func TestStartWithoutInstalledPackagesSaysHowToInstall(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/x\n")
	writeFile(t, filepath.Join(root, "testdata", "server", "server.js"), "")
	sub := filepath.Join(root, "some", "pkg")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)

	f := newFakeTB(t)
	msg := f.run(func() { Start(f, Options{}) })
	mustContain(t, msg, "node_modules", "npm ci --prefix testdata/server", "make test")
}

func TestStartWithoutNodeSaysHowToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	f := newFakeTB(t)
	msg := f.run(func() { Start(f, Options{}) })
	mustContain(t, msg, "node is not installed", "npm ci --prefix testdata/server")
}

func TestRestartRetriesWhileThePortIsTaken(t *testing.T) {
	srv := Start(t, Options{})
	port := srv.Port()
	srv.Kill()

	ln := listenOn(t, port)
	// Free the port only once a try has failed on it, however slowly Node
	// starts on a busy machine.
	freed := make(chan bool, 1)
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(srv.Log(), "EADDRINUSE") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		freed <- strings.Contains(srv.Log(), "EADDRINUSE")
		_ = ln.Close()
	}()
	srv.Restart()
	if !<-freed {
		t.Errorf("no try failed with EADDRINUSE while the port was taken:\n%s", srv.Log())
	}
	if srv.Port() != port {
		t.Fatalf("port after Restart = %d, want %d", srv.Port(), port)
	}
	c := dialRaw(t, srv.URL())
	c.handshake(nil)
}

func TestRestartFailsWhenThePortStaysTaken(t *testing.T) {
	f := newFakeTB(t)
	var srv *Server
	if msg := f.run(func() { srv = Start(f, Options{}) }); msg != "" {
		t.Fatalf("Start failed: %s", msg)
	}
	srv.restartWindow = 300 * time.Millisecond
	port := srv.Port()
	srv.Kill()

	ln := listenOn(t, port)
	defer ln.Close()
	msg := f.run(srv.Restart)
	mustContain(t, msg, "cannot restart on port "+strconv.Itoa(port), "EADDRINUSE")
}

func TestStopReportsAServerThatDiedOnItsOwn(t *testing.T) {
	f := newFakeTB(t)
	var srv *Server
	if msg := f.run(func() { srv = Start(f, Options{}) }); msg != "" {
		t.Fatalf("Start failed: %s", msg)
	}
	srv.mu.Lock()
	p := srv.proc
	srv.mu.Unlock()
	_ = p.cmd.Process.Kill() // behind the launcher's back
	<-p.done

	srv.Stop()
	f.mu.Lock()
	errs := strings.Join(f.errs, "\n")
	f.mu.Unlock()
	mustContain(t, errs, "exited on its own", "signal: killed")
}

func listenOn(t *testing.T, port int) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("cannot take port %d: %v", port, err)
	}
	return ln
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
