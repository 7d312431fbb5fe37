package testserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindServerDirFromThisPackage(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := findServerDir(wd)
	if err != nil {
		t.Fatalf("findServerDir: %v", err)
	}
	want := filepath.Join(filepath.Dir(filepath.Dir(wd)), "testdata", "server")
	if dir != want {
		t.Fatalf("findServerDir = %q, want %q", dir, want)
	}
}

func TestFindServerDirErrors(t *testing.T) {
	t.Run("no go.mod", func(t *testing.T) {
		_, err := findServerDir(t.TempDir())
		// The temporary directory may sit below some go.mod on odd machines;
		// then the error is about the missing server instead.
		if err == nil {
			t.Fatal("want an error outside any module")
		}
	})
	t.Run("no server.js", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, filepath.Join(root, "go.mod"), "module example.com/x\n")
		_, err := findServerDir(root)
		if err == nil || !strings.Contains(err.Error(), "server.js") {
			t.Fatalf("err = %v, want one naming server.js", err)
		}
	})
	t.Run("no node_modules", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, filepath.Join(root, "go.mod"), "module example.com/x\n")
		writeFile(t, filepath.Join(root, "testdata", "server", "server.js"), "")
		_, err := findServerDir(filepath.Join(root, "testdata"))
		if err == nil || !strings.Contains(err.Error(), "npm ci --prefix testdata/server") {
			t.Fatalf("err = %v, want install instructions", err)
		}
	})
	t.Run("found from a subfolder", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, filepath.Join(root, "go.mod"), "module example.com/x\n")
		writeFile(t, filepath.Join(root, "testdata", "server", "server.js"), "")
		writeFile(t, filepath.Join(root, "testdata", "server", "node_modules", "socketcluster-server", "package.json"), "{}")
		sub := filepath.Join(root, "a", "b")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		dir, err := findServerDir(sub)
		if err != nil || dir != filepath.Join(root, "testdata", "server") {
			t.Fatalf("findServerDir = %q, %v", dir, err)
		}
	})
}
