//go:build unix && (!linux || 386 || race || msan || asan)

package scclient

import "syscall"

// readNonblock and writeNonblock make one read or write system call on a
// non-blocking descriptor, as ordinary system calls: outside Linux, on
// linux/386 (whose socket calls are multiplexed), and under the race
// detector and the sanitizers, which follow ordinary calls.
func readNonblock(fd uintptr, p []byte) (int, syscall.Errno) {
	n, err := syscall.Read(int(fd), p)
	return n, errnoOf(err)
}

func writeNonblock(fd uintptr, p []byte) (int, syscall.Errno) {
	n, err := syscall.Write(int(fd), p)
	return n, errnoOf(err)
}

func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return syscall.EIO
}
