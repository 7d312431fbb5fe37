//go:build unix

package bench

import (
	"fmt"
	"syscall"
)

// checkFileLimit fails early when the process may not open a descriptor for
// every client (Go already raised the soft limit to the hard one).
func checkFileLimit(clients int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil
	}
	need := uint64(clients) + 64
	// Rlimit's fields are int64 on FreeBSD and uint64 elsewhere; either
	// way infinity reads as negative here and leaves nothing to check.
	if cur := int64(lim.Cur); cur >= 0 && uint64(cur) < need {
		return fmt.Errorf("%d clients need about %d file descriptors but the limit is %d: raise it (ulimit -n)", clients, need, cur)
	}
	return nil
}
