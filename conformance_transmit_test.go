package scclient

// Conformance: the "Transmitting remote events", "Pub/sub", "Reconnecting
// socket" and "Connecting an already connected socket" blocks of the
// JavaScript client's integration suite.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Transmitting remote events: "Should not throw error on socket if ackTimeout elapses before response to event is sent back"
//
// performTask answers after 1 s and the ack timeout is 200 ms, so the call
// fails with a TimeoutError (the JavaScript case only requires an error);
// disconnecting 250 ms later must not fail.
func TestConformance_ShouldNotThrowErrorOnSocketIfAckTimeoutElapsesBeforeResponseToEventIsSentBack(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	_, responseErr := s.Invoke(context.Background(), "performTask", 123)
	require.Error(t, responseErr)
	var te *TimeoutError
	require.True(t, errors.As(responseErr, &te), "got %T %v", responseErr, responseErr)

	time.Sleep(250 * time.Millisecond)
	require.NoError(t, s.Disconnect(0, ""))
}

// confPublishCase is the body of the two Pub/sub cases: a second socket
// publishes "hello"-style messages to a channel the client subscribed to,
// with the suite's short pauses, using publish. The JavaScript case closes
// the channel 10 ms after the last publish and expects the three messages
// to have arrived by then; the Go test closes it once the third message is
// in, and checks that the loop then ends with exactly three.
func confPublishCase(t *testing.T, channel string, messages []any, publish func(pub *Socket, data any) error) {
	srv := confServer(t)
	// The suite's beforeEach: a publisher socket (connecting at once) and
	// an inbound middleware that allows everything; the test server's
	// middleware blocks none of the channels used here.
	publisher := confClient(t, srv, confStorage(t, ""), func(o *Options) { o.DisableAutoConnect = false })
	s := confClient(t, srv, confStorage(t, ""), nil)

	ch := s.Subscribe(channel)
	subscribes := ch.Listener(EventSubscribe).CreateConsumer(0)
	output := ch.CreateConsumer(0)
	require.NoError(t, s.Connect())
	ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
	defer cancel()
	_, ok, err := subscribes.Next(ctx)
	require.NoError(t, err)
	require.True(t, ok)

	publishErr := make(chan error, 1)
	go func() {
		time.Sleep(10 * time.Millisecond)
		for i, m := range messages {
			if err := publish(publisher, m); err != nil {
				publishErr <- err
				return
			}
			if i == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		publishErr <- nil
	}()

	safety := time.AfterFunc(confDeadline, ch.Close)
	defer safety.Stop()
	var received []string
	for m := range output.All() {
		received = append(received, m.String())
		if len(received) == len(messages) {
			ch.Close()
		}
	}
	require.NoError(t, <-publishErr)
	require.Len(t, received, len(messages))
	for i, m := range messages {
		want, err := s.Codec().Marshal(m)
		require.NoError(t, err)
		require.JSONEq(t, string(want), received[i])
	}
}

// Pub/sub: "Should receive transmitted publish messages if subscribed to channel"
func TestConformance_ShouldReceiveTransmittedPublishMessagesIfSubscribedToChannel(t *testing.T) {
	confPublishCase(t, "foo", []any{"hello", "world", map[string]any{"abc": 123}}, func(pub *Socket, data any) error {
		return pub.TransmitPublish("foo", data)
	})
}

// Pub/sub: "Should receive invoked publish messages if subscribed to channel"
//
// The JavaScript body awaits transmitPublish (which resolves at once); the
// Go test uses InvokePublish, the call the title names, and waits for the
// server's acknowledgement of each publish.
func TestConformance_ShouldReceiveInvokedPublishMessagesIfSubscribedToChannel(t *testing.T) {
	confPublishCase(t, "bar", []any{"hi", "world", map[string]any{"def": 123}}, func(pub *Socket, data any) error {
		ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
		defer cancel()
		return pub.InvokePublish(ctx, "bar", data)
	})
}

// Reconnecting socket: "Should disconnect socket with code 1000 and reconnect"
//
// reconnect() without arguments is Reconnect(0, ""): code 1000, and the
// JavaScript undefined reason is "".
func TestConformance_ShouldDisconnectSocketWithCode1000AndReconnect(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	disconnects := confListen(t, s, EventDisconnect)
	require.NoError(t, s.Reconnect(0, ""))
	connects.next()

	ev := disconnects.next()
	require.Equal(t, 1000, ev.Code)
	require.Equal(t, "", ev.Reason)
}

// Reconnecting socket: "Should disconnect socket with custom code and data when socket.reconnect() is called with arguments"
func TestConformance_ShouldDisconnectSocketWithCustomCodeAndDataWhenSocketReconnectIsCalledWithArguments(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	disconnects := confListen(t, s, EventDisconnect)
	require.NoError(t, s.Reconnect(1000, "About to reconnect"))
	connects.next()

	ev := disconnects.next()
	require.Equal(t, 1000, ev.Code)
	require.Equal(t, "About to reconnect", ev.Reason)
}

// Connecting an already connected socket: "Should not disconnect socket if no options are provided"
//
// connect() without options is Connect(). The JavaScript case checks at
// once that no disconnect happened; a disconnect would be emitted before
// Connect returned, and a 100 ms quiet period follows.
func TestConformance_ShouldNotDisconnectSocketIfNoOptionsAreProvided(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	disconnects := confListen(t, s, EventDisconnect)
	require.NoError(t, s.Connect())
	require.Zero(t, disconnects.queued())
	disconnects.quiet(100 * time.Millisecond)
	require.Equal(t, StateOpen, s.State())
}

// Connecting an already connected socket: "Should disconnect socket with code 1000 and connect again if new options are provided"
//
// connect(clientOptions) is ConnectWith with an update that keeps the
// options as they are.
func TestConformance_ShouldDisconnectSocketWithCode1000AndConnectAgainIfNewOptionsAreProvided(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	disconnects := confListen(t, s, EventDisconnect)
	require.NoError(t, s.ConnectWith(func(*Options) {}))
	connects.next()

	ev := disconnects.next()
	require.Equal(t, 1000, ev.Code)
	require.Equal(t, "Socket was disconnected by the client to initiate a new connection", ev.Reason)
}
