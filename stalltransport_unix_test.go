//go:build unix

package scclient

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func init() {
	stallTransports = append(stallTransports, stallTransport{"tcp", fullTCPConn})
}

// fullTCPConn is a conn over loopback TCP through a corkConn, as dialed,
// with socket buffers that are already full: its next write waits for the
// peer.
func fullTCPConn(t *testing.T) (*conn, net.Conn) {
	a, b := tcpPair(t)
	cc := &corkConn{Conn: a, raw: rawConnOf(a)}
	fillSendBuffer(t, cc)
	return connOver(t, cc), b
}

// fillSendBuffer writes without waiting until the kernel takes nothing
// more, and returns how much it took.
func fillSendBuffer(t *testing.T, cc *corkConn) int {
	t.Helper()
	w := newRawWriter(cc.raw)
	total := 0
	for range 100 {
		n, err := w.writeNoWait(make([]byte, 1<<20))
		require.NoError(t, err)
		total += n
		if n == 0 {
			return total
		}
		time.Sleep(5 * time.Millisecond) // let loopback move what it can
	}
	t.Fatalf("the send buffer took %d bytes and still wants more", total)
	return total
}
