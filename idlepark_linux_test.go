package scclient

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A set that cannot be waited on (the runtime poller refused its
// descriptor, as at the limit on epoll watches) gives its connections their
// read loops back instead of keeping them parked.
func TestIdleSetThatCannotBeWaitedOn(t *testing.T) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	require.NoError(t, err)
	// A blocking descriptor: os.NewFile does not register it with the
	// runtime poller, as when the registration fails.
	f := os.NewFile(uintptr(epfd), "test-idle")
	rc, err := f.SyscallConn()
	require.NoError(t, err)
	set := &idleSet{file: f, rc: rc, conns: map[int32]*conn{}, evs: make([]syscall.EpollEvent, 128)}
	// The set replaces the current one, which exists only while sockets of
	// earlier tests are still closing.
	require.Eventually(t, func() bool {
		idle.mu.Lock()
		defer idle.mu.Unlock()
		if idle.set != nil {
			return false
		}
		idle.set = set
		return true
	}, 10*time.Second, 10*time.Millisecond, "sockets of earlier tests stay registered in the idle set")
	go set.run()

	srv := newFakeServer(t, echoUntilClosed)
	s, w := newWatchedSocket(t, srv.wsURL(), Options{DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	for i := 0; i < 3; i++ {
		time.Sleep(5 * idleParkAfter)
		res, err := s.Invoke(ctxT(t, 2*time.Second), "echo", i)
		require.NoError(t, err, "the parked connection never resumed")
		var got int
		require.NoError(t, res.Decode(&got))
		require.Equal(t, i, got)
	}
	require.True(t, set.failed.Load())
}
