package benchserver

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func startHere(t *testing.T) *Server {
	t.Helper()
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(filepath.Join(root, "bench", "server"), ModuleEnv(root))
	if err != nil {
		t.Fatalf("the bench server did not start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func TestBenchServerStartsAndStopsCleanly(t *testing.T) {
	srv := startHere(t)
	if !strings.HasPrefix(srv.URL(), "ws://127.0.0.1:") || !strings.HasSuffix(srv.URL(), "/socketcluster/") {
		t.Fatalf("URL() = %q", srv.URL())
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(srv.PID()) + "/stat"); err != nil {
		t.Fatalf("server pid %d not running: %v", srv.PID(), err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v\n%s", err, srv.Output())
	}
	if !srv.Exited() {
		t.Fatal("server still running after Stop")
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestBenchServerStartFailsWithoutServerJS(t *testing.T) {
	_, err := Start(t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "server.js") {
		t.Fatalf("Start in an empty folder: err = %v, want one naming server.js", err)
	}
}

func TestBenchServerReportsEarlyExit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "server.js"), []byte("console.error('broken on purpose'); process.exit(7);\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(dir, nil)
	if err == nil || !strings.Contains(err.Error(), "broken on purpose") {
		t.Fatalf("err = %v, want the server's output in it", err)
	}
}

func TestModuleRootFailsOutsideTheModule(t *testing.T) {
	if _, err := ModuleRoot(t.TempDir()); err == nil {
		t.Fatal("ModuleRoot found a root in an empty temporary folder")
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	b := &tailBuffer{limit: 5}
	_, _ = b.Write([]byte("abc"))
	_, _ = b.Write([]byte("defg"))
	if got := b.String(); got != "cdefg" {
		t.Fatalf("String() = %q, want %q", got, "cdefg")
	}
}
