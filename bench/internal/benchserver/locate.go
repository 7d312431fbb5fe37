package benchserver

import (
	"fmt"
	"os"
	"path/filepath"
)

// ModuleRoot returns the nearest directory at or above start that holds
// bench/server/server.js, the root of this module's checkout.
func ModuleRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "bench", "server", "server.js")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("benchserver: no bench/server/server.js at or above %s", start)
		}
		dir = parent
	}
}

// ModuleEnv returns the environment that lets the bench server under root
// load socketcluster-server: nothing when bench/server has its own
// node_modules, else NODE_PATH pointing at testdata/server's packages (the
// same socketcluster-server version, installed by `make test`), so that
// tests run without installing the bench's packages separately.
func ModuleEnv(root string) []string {
	own := filepath.Join(root, "bench", "server", "node_modules", "socketcluster-server")
	if _, err := os.Stat(own); err == nil {
		return nil
	}
	shared := filepath.Join(root, "testdata", "server", "node_modules")
	if _, err := os.Stat(filepath.Join(shared, "socketcluster-server")); err == nil {
		return []string{"NODE_PATH=" + shared}
	}
	return nil
}
