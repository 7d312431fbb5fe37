package scclient

// Conformance: the second half of the "Authentication" block of the
// JavaScript client's integration suite (sequences of auth state changes,
// waitForAuth channels, close events around the handshake).

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Authentication: "Should go through the correct sequence of authentication state changes when dealing with disconnections; part 1"
//
// The case's background task (login, then disconnect once authenticate
// fired) runs in sequence with the main flow. The JavaScript check that
// the state is still unauthenticated right after starting the login is
// made just before it: Go's Invoke blocks. Closing the authStateChange
// listener at the end lets the test read the exact list of changes.
func TestConformance_ShouldGoThroughTheCorrectSequenceOfAuthenticationStateChangesWhenDealingWithDisconnectionsPart1(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	stateChanges := confListen(t, s, EventAuthStateChange)
	require.Equal(t, Unauthenticated, s.AuthState())

	connects := confListen(t, s, EventConnect)
	authenticates := confListen(t, s, EventAuthenticate)
	disconnects := confListen(t, s, EventDisconnect)
	require.NoError(t, s.Connect())
	connects.next()
	require.Equal(t, Unauthenticated, s.AuthState())

	_, err := s.Invoke(ctxT(t, confDeadline), "login", map[string]any{"username": "bob"})
	require.NoError(t, err)
	ev := authenticates.next()
	require.NotEmpty(t, ev.SignedAuthToken)
	require.NotNil(t, ev.AuthToken)
	require.Equal(t, Authenticated, s.AuthState())
	require.NoError(t, s.Disconnect(0, ""))

	disconnects.next()
	// A disconnection keeps the last known auth state.
	require.Equal(t, Authenticated, s.AuthState())

	_, err = s.Authenticate(ctxT(t, confDeadline), ev.SignedAuthToken)
	require.NoError(t, err)
	require.Equal(t, Authenticated, s.AuthState())

	s.CloseListener(EventAuthStateChange)
	require.Equal(t, []string{"unauthenticated->authenticated"}, confAuthStateChanges(stateChanges.rest()))
}

// Authentication: "Should go through the correct sequence of authentication state changes when dealing with disconnections; part 2"
//
// The JavaScript case checks the state between calling authenticate() and
// awaiting it; Go's Authenticate blocks, so that check is made just before
// the call (the state only changes once the server answers).
func TestConformance_ShouldGoThroughTheCorrectSequenceOfAuthenticationStateChangesWhenDealingWithDisconnectionsPart2(t *testing.T) {
	srv := confServer(t)
	bob := confToken(t, "bob")
	s := confClient(t, srv, confStorage(t, bob), nil)
	stateChanges := confListen(t, s, EventAuthStateChange)
	require.Equal(t, Unauthenticated, s.AuthState())

	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	require.Equal(t, Authenticated, s.AuthState())
	require.NoError(t, s.Deauthenticate(ctxT(t, confDeadline)))
	require.Equal(t, Unauthenticated, s.AuthState())

	_, err := s.Authenticate(ctxT(t, confDeadline), bob)
	require.NoError(t, err)
	require.Equal(t, Authenticated, s.AuthState())

	require.NoError(t, s.Disconnect(0, ""))
	require.Equal(t, Authenticated, s.AuthState())
	require.NoError(t, s.Deauthenticate(ctxT(t, confDeadline)))
	require.Equal(t, Unauthenticated, s.AuthState())

	s.CloseListener(EventAuthStateChange)
	require.Equal(t, []string{
		"unauthenticated->authenticated",
		"authenticated->unauthenticated",
		"unauthenticated->authenticated",
		"authenticated->unauthenticated",
	}, confAuthStateChanges(stateChanges.rest()))
}

// Authentication: "Should go through the correct sequence of authentication state changes when dealing with disconnections; part 3"
//
// The JavaScript assertions sit in a catch block; the Go test requires the
// error they describe. The state check between the call and its completion
// is made just before the blocking call.
func TestConformance_ShouldGoThroughTheCorrectSequenceOfAuthenticationStateChangesWhenDealingWithDisconnectionsPart3(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, confToken(t, "bob")), nil)
	stateChanges := confListen(t, s, EventAuthStateChange)
	require.Equal(t, Unauthenticated, s.AuthState())

	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()
	require.Equal(t, Authenticated, s.AuthState())

	_, err := s.Authenticate(ctxT(t, confDeadline), confInvalidToken(t))
	require.Error(t, err)
	require.Equal(t, "AuthTokenInvalidError", confErrName(err))
	var invalid *AuthTokenInvalidError
	require.True(t, errors.As(err, &invalid), "got %T %v", err, err)
	require.Equal(t, Unauthenticated, s.AuthState())

	s.CloseListener(EventAuthStateChange)
	require.Equal(t, []string{
		"unauthenticated->authenticated",
		"authenticated->unauthenticated",
	}, confAuthStateChanges(stateChanges.rest()))
}

// Authentication: "Should go through the correct sequence of authentication state changes when authenticating as a user while already authenticated as another user"
//
// The JavaScript listeners record client.signedAuthToken when each
// authenticate/deauthenticate event is handled; in Go the authenticate
// event carries its token, and a deauthenticate (none is expected) would
// record "" as JavaScript records null.
func TestConformance_ShouldGoThroughTheCorrectSequenceOfAuthenticationStateChangesWhenAuthenticatingAsAUserWhileAlreadyAuthenticatedAsAnotherUser(t *testing.T) {
	srv := confServer(t)
	bob, kate := confToken(t, "bob"), confToken(t, "kate")
	s := confClient(t, srv, confStorage(t, bob), nil)
	stateChanges := confListen(t, s, EventAuthStateChange)
	tokenChanges := confListen(t, s, EventAuthenticate, EventDeauthenticate)
	require.Equal(t, Unauthenticated, s.AuthState())

	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()
	require.Equal(t, Authenticated, s.AuthState())
	require.Equal(t, "bob", confUsername(s.AuthToken()))

	_, err := s.Authenticate(ctxT(t, confDeadline), kate)
	require.NoError(t, err)
	require.Equal(t, Authenticated, s.AuthState())
	require.Equal(t, "kate", confUsername(s.AuthToken()))

	s.CloseListener(EventAuthStateChange)
	s.CloseListener(EventAuthenticate)
	s.CloseListener(EventDeauthenticate)
	require.Equal(t, []string{"unauthenticated->authenticated"}, confAuthStateChanges(stateChanges.rest()))
	tokens := []string{}
	for _, ev := range tokenChanges.rest() {
		tokens = append(tokens, ev.SignedAuthToken) // "" for deauthenticate
	}
	require.Equal(t, []string{bob, kate}, tokens)
}

// Authentication: "Should wait for socket to be authenticated before subscribing to waitForAuth channel"
//
// The 2 s wait before the login is a quiet period without any subscribe
// event. The JavaScript case reads client.authState as soon as the login
// call resolves; the server answers login before it sends #setAuthToken
// (JavaScript usually handles both frames in the same turn), so the Go
// task reads the state once the login has returned and the authenticate
// event has arrived. The final 1 s wait becomes waiting for that task.
func TestConformance_ShouldWaitForSocketToBeAuthenticatedBeforeSubscribingToWaitForAuthChannel(t *testing.T) {
	srv := confServer(t)
	bob := confToken(t, "bob")
	s := confClient(t, srv, confStorage(t, ""), nil)
	subscribes := confListen(t, s, EventSubscribe)
	connects := confListen(t, s, EventConnect)
	authenticates := confListen(t, s, EventAuthenticate)

	priv := s.Subscribe("priv", SubscribeOptions{WaitForAuth: true})
	require.Equal(t, ChannelPending, priv.State())

	require.NoError(t, s.Connect())
	connects.next()
	require.Equal(t, ChannelPending, priv.State())

	subscribes.quiet(2 * time.Second)

	var loginState AuthState
	login := confStart(t, s, "login", func(ctx context.Context) error {
		if _, err := s.Invoke(ctx, "login", map[string]any{"username": "bob"}); err != nil {
			return err
		}
		if _, ok, err := authenticates.c.Next(ctx); err != nil || !ok {
			return fmt.Errorf("no authenticate event after the login (ok=%v, err=%v)", ok, err)
		}
		loginState = s.AuthState()
		return nil
	})

	subscribes.next()
	require.Equal(t, ChannelSubscribed, priv.State())

	require.NoError(t, s.Disconnect(0, ""))
	require.Equal(t, ChannelPending, priv.State())

	reauth := confStart(t, s, "#authenticate", func(ctx context.Context) error {
		_, err := s.Authenticate(ctx, bob)
		return err
	})
	subscribes.next()
	require.Equal(t, ChannelSubscribed, priv.State())

	require.NoError(t, login.wait(t))
	require.Equal(t, Authenticated, loginState)
	require.NoError(t, reauth.wait(t))
}

// Authentication: "Subscriptions (including those with waitForAuth option) should have priority over the authenticate action"
//
// authenticate() with an invalid token and subscribe() are both called
// before the connection opens: the socket's dial is held by a gate until
// both calls are made. The case's concurrent tasks become one consumer of
// the socket events whose order shows what the JavaScript listeners check
// at each step: priv is still pending when connect is emitted, its
// subscription succeeds before the failed authentication deauthenticates
// the socket, and subscribeFail never fires. The final 1 s wait is a quiet
// period in which priv2 (waitForAuth, unauthenticated) must not subscribe.
func TestConformance_SubscriptionsIncludingThoseWithWaitForAuthOptionShouldHavePriorityOverTheAuthenticateAction(t *testing.T) {
	srv := confServer(t)
	bob, invalid := confToken(t, "bob"), confInvalidToken(t)
	gate := newConfGate()
	s := confClient(t, srv, confStorage(t, bob), func(o *Options) { o.Dialer = gate.dialer() })
	stateChanges := confListen(t, s, EventAuthStateChange)
	events := confListen(t, s, EventAuthStateChange, EventConnect, EventSubscribe, EventSubscribeFail, EventDeauthenticate)
	privFails := s.Channel("priv").Listener(EventSubscribeFail).CreateConsumer(0)
	priv2Subscribes := s.Channel("priv2").Listener(EventSubscribe).CreateConsumer(0)

	auth := confStart(t, s, "#authenticate", func(ctx context.Context) error {
		_, err := s.Authenticate(ctx, invalid)
		return err
	})
	priv := s.Subscribe("priv", SubscribeOptions{WaitForAuth: true})
	require.Equal(t, ChannelPending, priv.State())
	gate.release()

	evs := events.expect(EventAuthStateChange, EventConnect, EventSubscribe, EventAuthStateChange, EventDeauthenticate)
	connect, subscribe, deauth := evs[1], evs[2], evs[4]
	require.True(t, connect.IsAuthenticated)
	initialSignedAuthToken := connect.SignedAuthToken
	require.Equal(t, "priv", subscribe.Channel)

	// The subscription went through before the authentication failed.
	require.Equal(t, ChannelSubscribed, priv.State())
	require.Equal(t, Unauthenticated, s.AuthState())
	require.Nil(t, s.AuthToken())
	require.NotNil(t, deauth.OldAuthToken)
	require.Equal(t, "bob", confUsername(deauth.OldAuthToken))
	require.Equal(t, initialSignedAuthToken, deauth.OldSignedAuthToken)

	err := auth.wait(t)
	require.Error(t, err)
	require.Equal(t, "AuthTokenInvalidError", confErrName(err))

	s.Subscribe("priv2", SubscribeOptions{WaitForAuth: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if ev, ok, err := priv2Subscribes.Next(ctx); err == nil && ok {
		t.Fatalf("priv2 subscribed although the socket is not authenticated: %+v", ev)
	}
	require.Equal(t, ChannelPending, s.ChannelState("priv2"))
	require.Empty(t, events.rest(), "no further events (subscribeFail in particular)")
	require.Zero(t, privFails.Backpressure(), "priv must not get subscribeFail")

	s.CloseListener(EventAuthStateChange)
	require.Equal(t, []string{
		"unauthenticated->authenticated",
		"authenticated->unauthenticated",
	}, confAuthStateChanges(stateChanges.rest()))
}

// Authentication: "Should trigger the close event if the socket disconnects in the middle of the handshake phase"
//
// The socket connects on creation as in JavaScript, with its dial held by
// a gate so that it is certainly still connecting when it disconnects.
// The events are emitted before Disconnect returns; the JavaScript 300 ms
// wait is a quiet period in which no disconnect event may follow.
func TestConformance_ShouldTriggerTheCloseEventIfTheSocketDisconnectsInTheMiddleOfTheHandshakePhase(t *testing.T) {
	srv := confServer(t)
	gate := newConfGate()
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) {
		o.DisableAutoConnect = false
		o.Dialer = gate.dialer()
	})
	events := confListen(t, s, EventConnectAbort, EventDisconnect, EventClose)
	require.NoError(t, s.Disconnect(0, ""))

	require.Equal(t, 2, events.queued())
	events.expect(EventConnectAbort, EventClose)
	events.quiet(300 * time.Millisecond)
}

// Authentication: "Should trigger the close event if the socket disconnects after the handshake phase"
func TestConformance_ShouldTriggerTheCloseEventIfTheSocketDisconnectsAfterTheHandshakePhase(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	events := confListen(t, s, EventConnectAbort, EventDisconnect, EventClose)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())

	connects.next()
	require.NoError(t, s.Disconnect(0, ""))
	events.expect(EventDisconnect, EventClose)
	events.quiet(300 * time.Millisecond)
}
