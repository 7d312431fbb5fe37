package scclient

// Conformance: the "Events" block of the JavaScript client's integration
// suite.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Events: "Should trigger unsubscribe event on channel before disconnect event"
//
// The JavaScript listener sets a flag on the channel's unsubscribe event
// and the case checks it once disconnect fired. In Go the channel's
// unsubscribe event must already wait in its consumer when the disconnect
// event is read, and the socket-level events come in that order too.
func TestConformance_ShouldTriggerUnsubscribeEventOnChannelBeforeDisconnectEvent(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	foo := s.Subscribe("foo")
	fooSubscribes := foo.Listener(EventSubscribe).CreateConsumer(0)
	fooUnsubscribes := foo.Listener(EventUnsubscribe).CreateConsumer(0)
	events := confListen(t, s, EventUnsubscribe, EventDisconnect)
	require.NoError(t, s.Connect())

	ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
	defer cancel()
	_, ok, err := fooSubscribes.Next(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, s.Disconnect(0, ""))

	events.expect(EventUnsubscribe, EventDisconnect)
	require.Equal(t, 1, fooUnsubscribes.Backpressure(), "the channel's unsubscribe event must come before disconnect")
}

// Events: "Should not invoke subscribeFail event if connection is aborted"
//
// Once connected, the case invokes someEvent (which the server never
// answers), subscribes to foo and disconnects on the next turn. Go's Invoke
// blocks, so it runs on its own goroutine and the test goes on once the call
// is sent; the disconnect follows the subscribe at once. The 100 ms wait
// after close is a quiet period for subscribeFail.
func TestConformance_ShouldNotInvokeSubscribeFailEventIfConnectionIsAborted(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	closes := confListen(t, s, EventClose)
	subscribeFails := confListen(t, s, EventSubscribeFail)
	require.NoError(t, s.Connect())

	connects.next() // wasConnected
	invoke := confStart(t, s, "someEvent", func(ctx context.Context) error {
		_, err := s.Invoke(ctx, "someEvent", 123)
		return err
	})
	fooFails := s.Channel("foo").Listener(EventSubscribeFail).CreateConsumer(0)
	s.Subscribe("foo")
	require.NoError(t, s.Disconnect(0, ""))

	closes.next()
	err := invoke.wait(t)
	var bce *BadConnectionError
	require.True(t, errors.As(err, &bce), "got %T %v", err, err)
	require.Equal(t, "BadConnectionError", bce.Name)

	subscribeFails.quiet(100 * time.Millisecond)
	require.Zero(t, fooFails.Backpressure(), "foo must not get subscribeFail")
}

// Events: "Should resolve invoke Promise with BadConnectionError before triggering the disconnect event"
//
// The invoke starts before the connection opens (it connects the socket,
// as create() does in JavaScript) and gets a 10 s deadline instead of the
// 200 ms ack timeout, so that a slow connection cannot turn it into a
// TimeoutError. The JavaScript order
// of the error and the disconnect event becomes: when the disconnect event
// is read, the call has already been settled. The state is closed when the
// call returns, and no second disconnect follows within 200 ms.
func TestConformance_ShouldResolveInvokePromiseWithBadConnectionErrorBeforeTriggeringTheDisconnectEvent(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	disconnects := confListen(t, s, EventDisconnect)

	var stateAtError State
	invoke := confStart(t, s, "someEvent", func(ctx context.Context) error {
		_, err := s.Invoke(ctx, "someEvent", 123)
		stateAtError = s.State()
		return err
	})
	require.NotNil(t, invoke.call)

	connects.next()
	require.NoError(t, s.Disconnect(0, ""))
	ev := disconnects.next()
	require.True(t, invoke.settled(), "the disconnect event was emitted before the invoke failed")

	err := invoke.wait(t)
	var bce *BadConnectionError
	require.True(t, errors.As(err, &bce), "got %T %v", err, err)
	require.Equal(t, "BadConnectionError", bce.Name)
	require.Equal(t, StateClosed, stateAtError)
	require.Equal(t, 1000, ev.Code)
	disconnects.quiet(200 * time.Millisecond)
}

// Events: "Should reconnect if transmit is called on a disconnected socket"
//
// The server's foo receiver counts what it receives; the fooCount
// procedure tells the test whether it fired. The JavaScript listeners
// attach after create() emitted its connecting event, so their list starts
// at connect; the Go consumer exists before Connect and sees that first
// connecting event too. The 1 s wait becomes waiting for the events, then
// a quiet period.
func TestConformance_ShouldReconnectIfTransmitIsCalledOnADisconnectedSocket(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	errs := confListen(t, s, EventError)
	events := confListen(t, s, EventConnecting, EventConnect, EventDisconnect, EventClose, EventConnectAbort)
	require.NoError(t, s.Connect())

	events.expect(EventConnecting, EventConnect)
	require.NoError(t, s.Disconnect(0, ""))
	require.NoError(t, s.Transmit("foo", 123))

	events.expect(EventDisconnect, EventClose, EventConnecting, EventConnect)
	events.quiet(200 * time.Millisecond)
	require.Empty(t, errs.rest())

	deadline := time.Now().Add(confDeadline)
	for {
		res, err := s.Invoke(ctxT(t, confDeadline), "fooCount", nil)
		require.NoError(t, err)
		var n int
		require.NoError(t, res.Decode(&n))
		if n == 1 {
			break
		}
		require.Zero(t, n, "foo received more than once")
		require.True(t, time.Now().Before(deadline), "the server's foo receiver did not fire")
		time.Sleep(10 * time.Millisecond)
	}
}

// Events: "Should correctly handle multiple successive connect and disconnect calls"
//
// The socket connects on creation as in JavaScript (so the first
// connecting event is emitted before any listener exists, in both
// languages). Its dials are held by a gate for the first two connections,
// which the case disconnects while they are still connecting, and let
// through for the third. The 200 ms wait at the end is a quiet period.
func TestConformance_ShouldCorrectlyHandleMultipleSuccessiveConnectAndDisconnectCalls(t *testing.T) {
	srv := confServer(t)
	gate := newConfGate()
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) {
		o.DisableAutoConnect = false
		o.Dialer = gate.dialer()
	})
	events := confListen(t, s, EventConnecting, EventConnect, EventConnectAbort, EventDisconnect, EventClose)

	require.NoError(t, s.Disconnect(1000, "One"))
	require.NoError(t, s.Connect())
	require.NoError(t, s.Disconnect(4444, "Two"))

	gate.release()
	require.NoError(t, s.Connect())
	got := events.expect(EventConnectAbort, EventClose, EventConnecting, EventConnectAbort, EventClose, EventConnecting, EventConnect)
	require.NoError(t, s.Disconnect(4455, "Three"))
	got = append(got, events.expect(EventDisconnect, EventClose)...)
	events.quiet(200 * time.Millisecond)

	type entry struct {
		event  string
		code   int
		reason string
	}
	var list []entry
	for _, ev := range got {
		list = append(list, entry{ev.Name, ev.Code, ev.Reason})
	}
	require.Equal(t, []entry{
		{EventConnectAbort, 1000, "One"},
		{EventClose, 1000, "One"},
		{EventConnecting, 0, ""},
		{EventConnectAbort, 4444, "Two"},
		{EventClose, 4444, "Two"},
		{EventConnecting, 0, ""},
		{EventConnect, 0, ""},
		{EventDisconnect, 4455, "Three"},
		{EventClose, 4455, "Three"},
	}, list)
}

// Events: "Should support event listener timeout using once(timeout) method"
//
// once(100) is a consumer created with a 100 ms per-read timeout; no
// authStateChange happens on a socket without a token, so the read fails
// with a TimeoutError.
func TestConformance_ShouldSupportEventListenerTimeoutUsingOnceTimeoutMethod(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) { o.DisableAutoConnect = false })

	_, ok, err := s.Listener(EventAuthStateChange).CreateConsumer(100 * time.Millisecond).Next(ctxT(t, confDeadline))
	require.False(t, ok)
	require.Error(t, err)
	require.Equal(t, "TimeoutError", confErrName(err))
	var te *TimeoutError
	require.True(t, errors.As(err, &te), "got %T %v", err, err)
}
