package scclient

// Conformance: the "Creation", "Errors" and "Utilities" blocks of the
// JavaScript client's integration suite.

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Creation: "Should automatically connect socket on creation by default"
//
// The socket is created without DisableAutoConnect. Its dials wait for a
// gate so that the state cannot move past connecting before the assertion
// (JavaScript gets that from its event loop); once released, the socket
// completes the connection on its own.
func TestConformance_ShouldAutomaticallyConnectSocketOnCreationByDefault(t *testing.T) {
	srv := confServer(t)
	gate := newConfGate()
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) {
		o.DisableAutoConnect = false
		o.Dialer = gate.dialer()
	})
	require.Equal(t, StateConnecting, s.State())

	connects := confListen(t, s, EventConnect)
	gate.release()
	connects.next()
	require.Equal(t, StateOpen, s.State())
}

// Creation: "Should not automatically connect socket if autoConnect is set to false"
//
// autoConnect: false is DisableAutoConnect: true.
func TestConformance_ShouldNotAutomaticallyConnectSocketIfAutoConnectIsSetToFalse(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) { o.DisableAutoConnect = true })
	require.Equal(t, StateClosed, s.State())
}

// Errors: "Should be able to emit the error event locally on the socket"
//
// client.emit('error', {error}) is Socket.Emit with an error Event; the
// CustomError is an *SCError with that name.
func TestConformance_ShouldBeAbleToEmitTheErrorEventLocallyOnTheSocket(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	errs := confListen(t, s, EventError)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())

	connects.next()
	s.Emit(Event{Name: EventError, Error: &SCError{Name: "CustomError", Message: "Custom error"}})

	ev := errs.next()
	require.NotNil(t, ev.Error)
	require.Equal(t, "CustomError", confErrName(ev.Error))
}

// Utilities: "Can encode a string to base64 and then decode it back to utf8"
//
// The JavaScript socket methods encodeBase64/decodeBase64 are the package
// functions EncodeBase64/DecodeBase64 in Go; they need no socket.
func TestConformance_CanEncodeAStringToBase64AndThenDecodeItBackToUtf8(t *testing.T) {
	encoded := EncodeBase64("This is a string")
	require.Equal(t, "VGhpcyBpcyBhIHN0cmluZw==", encoded)
	require.Equal(t, "This is a string", DecodeBase64(encoded))
}
