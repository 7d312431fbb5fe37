package scclient

import "time"

// Names of the socket events, for Socket.Listener.
const (
	EventError                = "error"
	EventConnecting           = "connecting"
	EventConnect              = "connect"
	EventConnectAbort         = "connectAbort"
	EventDisconnect           = "disconnect"
	EventClose                = "close"
	EventMessage              = "message"
	EventRaw                  = "raw"
	EventAuthStateChange      = "authStateChange"
	EventAuthenticate         = "authenticate"
	EventDeauthenticate       = "deauthenticate"
	EventRemoveAuthToken      = "removeAuthToken"
	EventKickOut              = "kickOut"
	EventSubscribeRequest     = "subscribeRequest"
	EventSubscribe            = "subscribe"
	EventSubscribeFail        = "subscribeFail"
	EventSubscribeStateChange = "subscribeStateChange"
	EventUnsubscribe          = "unsubscribe"
)

// Event is one socket event. Name says which; each event fills the fields
// its JavaScript payload has (listed per field), the others stay zero.
type Event struct {
	// Name is the event name (EventConnect, EventDisconnect, …).
	Name string

	// Code and Reason: connectAbort, disconnect, close.
	Code   int
	Reason string

	// Error: error, subscribeFail.
	Error error

	// ID, PingTimeout, IsAuthenticated, AuthError, AuthToken and
	// ProcessPendingSubscriptions: connect. AuthToken there is the signed
	// token sent in the handshake (as in JavaScript), not its claims.
	ID              string
	PingTimeout     time.Duration
	IsAuthenticated bool
	AuthError       error
	// ProcessPendingSubscriptions sends the pending subscriptions; useful
	// with DisableAutoSubscribeOnConnect.
	ProcessPendingSubscriptions func()

	// Message: message and raw (the whole frame as received), kickOut
	// (the kick message).
	Message Data

	// OldAuthState, NewAuthState: authStateChange.
	OldAuthState AuthState
	NewAuthState AuthState
	// SignedAuthToken and AuthToken: authenticate, and authStateChange to
	// authenticated (AuthToken holds the decoded claims); connect
	// (SignedAuthToken holds the token sent in the handshake).
	SignedAuthToken string
	AuthToken       map[string]any
	// OldSignedAuthToken and OldAuthToken: deauthenticate; removeAuthToken
	// (OldSignedAuthToken: the token the auth engine removed).
	OldSignedAuthToken string
	OldAuthToken       map[string]any

	// Channel: subscribeRequest, subscribe, subscribeFail,
	// subscribeStateChange, unsubscribe, kickOut.
	Channel string
	// SubscriptionOptions: subscribeRequest, subscribe, subscribeFail,
	// subscribeStateChange to subscribed.
	SubscriptionOptions SubscribeOptions
	// OldChannelState, NewChannelState: subscribeStateChange.
	OldChannelState ChannelState
	NewChannelState ChannelState
}

// State is the connection state of a Socket.
type State int

// The connection states.
const (
	StateClosed State = iota
	StateConnecting
	StateOpen
)

// String returns "closed", "connecting" or "open", the JavaScript names.
func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateOpen:
		return "open"
	default:
		return "closed"
	}
}

// AuthState says whether the socket is authenticated.
type AuthState int

// The authentication states.
const (
	Unauthenticated AuthState = iota
	Authenticated
)

// String returns "authenticated" or "unauthenticated".
func (a AuthState) String() string {
	if a == Authenticated {
		return "authenticated"
	}
	return "unauthenticated"
}

// ChannelState is the subscription state of a channel.
type ChannelState int

// The channel states.
const (
	ChannelUnsubscribed ChannelState = iota
	ChannelPending
	ChannelSubscribed
)

// String returns "unsubscribed", "pending" or "subscribed".
func (c ChannelState) String() string {
	switch c {
	case ChannelPending:
		return "pending"
	case ChannelSubscribed:
		return "subscribed"
	default:
		return "unsubscribed"
	}
}
