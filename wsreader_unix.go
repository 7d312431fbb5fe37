//go:build unix

package scclient

import (
	"io"
	"syscall"
)

// canWaitRaw: on Unix a read can wait for data on the file descriptor
// before a buffer is taken.
const canWaitRaw = true

// readFD is the callback of raw.Read: one non-blocking read into the
// buffer. When nothing is there it gives the buffer back and asks to wait.
func (r *wsReader) readFD(fd uintptr) bool {
	r.acquire()
	for {
		n, err := syscall.Read(int(fd), r.buf[r.w:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			r.release()
			return false
		case err != nil:
			r.rawN, r.rawErr = 0, err
		case n == 0:
			r.rawN, r.rawErr = 0, io.EOF
		default:
			r.rawN, r.rawErr = n, nil
		}
		return true
	}
}
