//go:build linux && !386 && !race && !msan && !asan

package scclient

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The raw calls never block, even when the descriptor has been switched to
// blocking mode (as TCPConn.File does): a call that blocked without the
// scheduler knowing would stall every goroutine waiting for a garbage
// collection.
func TestNonblockingCallsOnABlockingDescriptor(t *testing.T) {
	a, _ := tcpPair(t) // the peer neither writes nor reads
	f, err := a.File()
	require.NoError(t, err)
	defer f.Close()
	fd := f.Fd() // switches the shared socket to blocking mode

	done := make(chan struct{})
	go func() {
		defer close(done)
		n, errno := readNonblock(fd, make([]byte, 64))
		require.Equal(t, syscall.EAGAIN, errno, "read gave %d bytes", n)
		p := make([]byte, 1<<20)
		for {
			if _, errno := writeNonblock(fd, p); errno != 0 {
				require.Equal(t, syscall.EAGAIN, errno)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a raw call blocked")
	}
}
