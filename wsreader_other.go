//go:build !unix

package scclient

// canWaitRaw: elsewhere reads go through the net.Conn with a buffer of the
// connection's own.
const canWaitRaw = false

// readFD is never called where canWaitRaw is false.
func (r *wsReader) readFD(uintptr) bool { return true }
