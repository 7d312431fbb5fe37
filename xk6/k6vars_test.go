package xk6_test

import (
	"os"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtBin  string
	builtDir  string
	buildErr  error
)

// TestMain removes the k6 binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}
