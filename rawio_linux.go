//go:build linux

package scclient

import (
	"syscall"
	"unsafe"
)

// readNonblock and writeNonblock make one read or write system call on a
// non-blocking descriptor without entering the scheduler's syscall state.
// Such a call cannot block, and skipping that state matters: after the
// process has been idle, every ordinary system call wakes the runtime's
// monitor thread, which then polls every 20 µs until the process is idle
// again, a cost paid on every request/response round trip.
func readNonblock(fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

func writeNonblock(fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}
