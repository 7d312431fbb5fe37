//go:build !unix

package scclient

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// canWaitRaw: elsewhere reads and writes go through the net.Conn, reads
// with a buffer of the connection's own.
const canWaitRaw = false

// readFD is never called where canWaitRaw is false.
func (r *wsReader) readFD(uintptr) bool { return true }

// rawWriter is never used where canWaitRaw is false.
type rawWriter struct{}

func newRawWriter(syscall.RawConn) *rawWriter { return &rawWriter{} }

func (*rawWriter) write([]byte) (int, error) { return 0, errNoRawWrites }

func (*rawWriter) writeBy([]byte, time.Time, net.Conn) (int, error) {
	return 0, errNoRawWrites
}

var errNoRawWrites = errors.New("scclient: raw writes are not supported here")
