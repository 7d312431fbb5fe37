//go:build unix

package scclient

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
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
			if r.beforeWait != nil {
				r.beforeWait(fd)
			}
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

// rawWriter writes to the descriptor under raw, one write at a time,
// waiting for room (and honouring the write deadline) whenever the socket
// buffer is full. Its callback and the state it shares are made once, so
// a write allocates nothing. Its errors are the bare causes (an
// *os.SyscallError, a deadline, a closed connection); the caller gives
// them the connection's context.
type rawWriter struct {
	raw    syscall.RawConn
	fn     func(fd uintptr) bool // w.writeFD as a value, made once
	p      []byte
	n      int
	err    error
	noWait bool // writeFD stops at a full socket buffer instead of waiting
}

func newRawWriter(raw syscall.RawConn) *rawWriter {
	w := &rawWriter{raw: raw}
	w.fn = w.writeFD
	return w
}

// write writes all of p.
func (w *rawWriter) write(p []byte) (int, error) {
	w.p, w.n, w.err = p, 0, nil
	err := w.raw.Write(w.fn)
	return w.result(err)
}

// writeNoWait writes what of p the socket buffer takes at once, and
// returns how much that was.
func (w *rawWriter) writeNoWait(p []byte) (int, error) {
	w.p, w.n, w.err, w.noWait = p, 0, nil, true
	err := w.raw.Write(w.fn)
	w.noWait = false
	return w.result(err)
}

// writeBy writes all of p. Only when the socket buffer is full does it set
// deadline as nc's write deadline, wait for room, and clear the deadline
// again; a write that does not wait, nearly every one, costs no timer
// update.
func (w *rawWriter) writeBy(p []byte, deadline time.Time, nc net.Conn) (int, error) {
	n, err := w.writeNoWait(p)
	if err != nil || n == len(p) {
		return n, err
	}
	_ = nc.SetWriteDeadline(deadline)
	m, err := w.write(p[n:])
	_ = nc.SetWriteDeadline(time.Time{})
	return n + m, err
}

// result ends a write: what was written and its error, without the
// callback's name that net adds.
func (w *rawWriter) result(err error) (int, error) {
	n, werr := w.n, w.err
	w.p, w.err = nil, nil
	if werr != nil {
		return n, werr
	}
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // what net adds names the callback, not the write
		}
	}
	return n, err
}

// writeFD is the callback of raw.Write: non-blocking writes until all of
// w.p is written, or the socket buffer is full and it asks to wait.
func (w *rawWriter) writeFD(fd uintptr) bool {
	for w.n < len(w.p) {
		k, errno := writeNonblock(fd, w.p[w.n:])
		switch errno {
		case 0:
			w.n += k
		case syscall.EINTR:
		case syscall.EAGAIN:
			return w.noWait
		default:
			w.err = os.NewSyscallError("write", errno)
			return true
		}
	}
	return true
}
