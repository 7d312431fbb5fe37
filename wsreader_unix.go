//go:build unix

package scclient

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// canWaitRaw: on Unix a read can wait for data on the file descriptor
// before a buffer is taken, and writes go straight to the descriptor.
const canWaitRaw = true

// readFD is the callback of raw.Read: one non-blocking read into the
// buffer. When nothing is there it gives the buffer back and asks to wait.
func (r *wsReader) readFD(fd uintptr) bool {
	r.acquire()
	for {
		n, errno := readNonblock(fd, r.buf[r.w:])
		switch {
		case errno == syscall.EINTR:
			continue
		case errno == syscall.EAGAIN:
			r.release()
			return false
		case errno != 0:
			r.rawN, r.rawErr = 0, errno // readError adds the context
		case n == 0:
			r.rawN, r.rawErr = 0, io.EOF
		default:
			r.rawN, r.rawErr = n, nil
		}
		return true
	}
}

// writeRaw writes all of p to the descriptor under raw, waiting for room
// (and honouring the write deadline) whenever the socket buffer is full.
// Its errors are the bare causes (an *os.SyscallError, a deadline, a
// closed connection); the caller gives them the connection's context.
func writeRaw(raw syscall.RawConn, p []byte) (int, error) {
	var (
		n    int
		werr error
	)
	err := raw.Write(func(fd uintptr) bool {
		for n < len(p) {
			k, errno := writeNonblock(fd, p[n:])
			switch errno {
			case 0:
				n += k
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				werr = os.NewSyscallError("write", errno)
				return true
			}
		}
		return true
	})
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err // what net adds names the callback, not the write
	}
	if werr != nil {
		err = werr
	}
	return n, err
}
