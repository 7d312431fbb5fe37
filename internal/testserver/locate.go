package testserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// installHint tells a developer how to install what the server needs.
const installHint = "run `npm ci --prefix testdata/server` from the module root (or `make test`)"

// serverRelDir is where the server lives, relative to the module root.
var serverRelDir = filepath.Join("testdata", "server")

// findServerDir walks up from start to the directory holding go.mod and
// returns that module's testdata/server folder, after checking that
// server.js and the installed socketcluster-server package are there.
func findServerDir(start string) (string, error) {
	root, err := findModuleRoot(start)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, serverRelDir)
	if _, err := os.Stat(filepath.Join(dir, "server.js")); err != nil {
		return "", fmt.Errorf("test server not found: %s has no server.js (%v)", dir, err)
	}
	pkg := filepath.Join(dir, "node_modules", "socketcluster-server", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		return "", fmt.Errorf("test server dependencies are not installed (%s is missing): %s",
			filepath.Join(dir, "node_modules"), installHint)
	}
	return dir, nil
}

// findModuleRoot returns the nearest directory at or above start that holds
// a go.mod file.
func findModuleRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("cannot resolve %q: %w", start, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod found in %s or any parent directory", start)
		}
		dir = parent
	}
}

// findNode returns the path of the node executable.
func findNode() (string, error) {
	path, err := exec.LookPath("node")
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("node is not installed or not in PATH: install Node.js 20 or newer, then %s", installHint)
		}
		return "", fmt.Errorf("cannot use node: %w", err)
	}
	return path, nil
}
