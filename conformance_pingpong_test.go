package scclient

// Conformance: the "Ping/pong" block of the JavaScript client's
// integration suite.

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// confServerDefaultPingTimeout is socketcluster-server 20's default
// pingTimeout, which the server sends in its handshake response.
const confServerDefaultPingTimeout = 30 * time.Second

// confShortenPingTimeout is the Go form of the suite's hack on the
// transport (transport.pingTimeout = 500; transport._resetPingTimeout()):
// the current connection's ping timeout becomes d and its timer restarts.
func confShortenPingTimeout(t *testing.T, s *Socket, d time.Duration) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conn
	if c == nil || s.state != StateOpen {
		t.Fatalf("the socket is not open (state %v)", s.state)
	}
	c.pingTimeout.Store(int64(d))
	c.resetPingTimer()
}

// Ping/pong: "Should disconnect if ping is not received before timeout"
//
// connectTimeout 500 ms is the ping timeout until the handshake says
// otherwise. Once connected, the connection adopts the server's ping
// timeout, which the test then shortens to 500 ms as the suite does; the
// server pings only every 8 s, so the client closes the connection with
// 4000. The 1 s wait becomes waiting for the disconnect event.
func TestConformance_ShouldDisconnectIfPingIsNotReceivedBeforeTimeout(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) { o.ConnectTimeout = 500 * time.Millisecond })
	require.Equal(t, 500*time.Millisecond, s.PingTimeout())

	connects := confListen(t, s, EventConnect)
	errs := confListen(t, s, EventError)
	disconnects := confListen(t, s, EventDisconnect)
	require.NoError(t, s.Connect())

	ev := connects.next()
	require.Equal(t, confServerDefaultPingTimeout, ev.PingTimeout)
	require.Equal(t, confServerDefaultPingTimeout, s.PingTimeout())
	confShortenPingTimeout(t, s, 500*time.Millisecond)

	disconnect := disconnects.next()
	require.Equal(t, 4000, disconnect.Code)
	require.Equal(t, "Server ping timed out", disconnect.Reason)
	clientErr := errs.next()
	require.NotNil(t, clientErr.Error)
	require.Equal(t, "SocketProtocolError", confErrName(clientErr.Error))
	var spe *SocketProtocolError
	require.True(t, errors.As(clientErr.Error, &spe), "got %T %v", clientErr.Error, clientErr.Error)
	require.Equal(t, 4000, spe.Code)
}

// Ping/pong: "Should not disconnect if ping is not received before timeout when pingTimeoutDisabled is true"
//
// The JavaScript case only waits 1 s, well within the server's 30 s ping
// timeout. The Go test also applies the 500 ms shortening of the previous
// case, so that the 1 s quiet period shows that the disabled ping timeout
// really never fires.
func TestConformance_ShouldNotDisconnectIfPingIsNotReceivedBeforeTimeoutWhenPingTimeoutDisabledIsTrue(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) {
		o.ConnectTimeout = 500 * time.Millisecond
		o.PingTimeoutDisabled = true
	})
	require.Equal(t, 500*time.Millisecond, s.PingTimeout())

	connects := confListen(t, s, EventConnect)
	trouble := confListen(t, s, EventError, EventDisconnect)
	require.NoError(t, s.Connect())
	connects.next()
	confShortenPingTimeout(t, s, 500*time.Millisecond)

	trouble.quiet(time.Second)
	require.Equal(t, StateOpen, s.State())
}
