//go:build linux && !386 && !race && !msan && !asan

package scclient

import (
	"syscall"
	"unsafe"
)

// readNonblock and writeNonblock make one receive or send system call on a
// socket without entering the scheduler's syscall state. The call cannot
// block, whatever mode the descriptor is in (MSG_DONTWAIT), and skipping
// that state matters: after the process has been idle, every ordinary
// system call wakes the runtime's monitor thread, which then polls every
// 20 µs until the process is idle again, a cost paid on every
// request/response round trip. (Builds with the race detector or the
// sanitizers use ordinary calls, which those tools follow.)
func readNonblock(fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), syscall.MSG_DONTWAIT, 0, 0)
	return int(n), e
}

// writeNonblock also asks for no SIGPIPE when the peer has gone.
func writeNonblock(fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, 0, 0)
	return int(n), e
}
