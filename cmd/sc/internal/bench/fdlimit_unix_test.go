//go:build unix

package bench

import (
	"strings"
	"syscall"
	"testing"
)

func TestCheckFileLimit(t *testing.T) {
	if err := checkFileLimit(1); err != nil {
		t.Fatalf("one client: %v", err)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	cur := int64(lim.Cur)
	if cur < 0 {
		if err := checkFileLimit(1 << 30); err != nil {
			t.Fatalf("no limit, yet: %v", err)
		}
		return
	}
	err := checkFileLimit(int(cur))
	if err == nil || !strings.Contains(err.Error(), "ulimit -n") {
		t.Fatalf("%d clients with a limit of %d: got %v, want an error naming ulimit -n", cur, cur, err)
	}
}
