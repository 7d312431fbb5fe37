package scclient

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/socketcluster-go/scclient/streams"
)

// SCError is the common form of every sc-errors error: the error's name,
// its message and any extra fields it carried on the wire. Every named error
// type of this package embeds one, and errors.As finds the *SCError inside
// any of them.
//
// Errors sent by the server arrive as the named type that matches their
// name when this package has one (for example *AuthTokenInvalidError), and
// as a bare *SCError otherwise (for example a "CustomError" thrown by a
// server procedure). An error value that is not an object on the wire (a
// bare string, number or boolean) has an empty Name and its value in Value.
type SCError struct {
	// Name is the sc-errors name, such as "TimeoutError".
	Name string
	// Message is the human-readable message.
	Message string
	// Fields holds every other field of the wire error (code, type,
	// isBadToken, statusCode, details, …) as decoded JSON values. It is nil
	// for errors created locally.
	Fields map[string]any
	// Value is the raw error value when the server sent something other
	// than an object (the JS side then rejects with that value itself).
	Value any
}

// Error returns "Name: Message", or the message alone when there is no name.
func (e *SCError) Error() string {
	if e.Name == "" {
		return e.Message
	}
	return e.Name + ": " + e.Message
}

// As lets errors.As find the *SCError inside any named error type.
func (e *SCError) As(target any) bool {
	if p, ok := target.(**SCError); ok {
		*p = e
		return true
	}
	return false
}

// Field returns one extra field of the error and whether it was present.
func (e *SCError) Field(name string) (any, bool) {
	v, ok := e.Fields[name]
	return v, ok
}

func newSCError(name, message string) *SCError {
	return &SCError{Name: name, Message: message}
}

// TimeoutError reports that an invoke got no response within its ack
// timeout, or that a stream consumer waited longer than its timeout.
type TimeoutError struct{ *SCError }

// BadConnectionError reports that a call was aborted because the connection
// closed before its response arrived.
type BadConnectionError struct {
	*SCError
	// Type is "connectAbort" when the connection closed before the
	// handshake completed, "disconnect" after.
	Type string
	// Code is the close code of the connection.
	Code int
	// Reason is the close reason (the table text for the code when the
	// peer gave none).
	Reason string
}

// SocketProtocolError reports a connection that closed with a code other
// than a normal one (1000, 1001). It is emitted on the error listener.
type SocketProtocolError struct {
	*SCError
	// Code is the close code.
	Code int
	// cause is the network or HTTP error behind a close the client
	// observed itself (a refused dial, an HTTP 401 on the upgrade), if any.
	cause error
}

// Unwrap returns the network or HTTP error behind the close, if known.
func (e *SocketProtocolError) Unwrap() error { return e.cause }

// InvalidArgumentsError reports bad arguments or options given to this
// package.
type InvalidArgumentsError struct{ *SCError }

// InvalidActionError reports an action that is not allowed now, such as a
// second response to the same request.
type InvalidActionError struct{ *SCError }

// InvalidMessageError reports a message from the server that lacks what it
// must carry, such as #setAuthToken without a token.
type InvalidMessageError struct{ *SCError }

// InvalidOptionsError reports invalid options (sent by servers).
type InvalidOptionsError struct{ *SCError }

// AuthTokenExpiredError reports an expired JWT (Fields["expiry"] holds the
// expiry time).
type AuthTokenExpiredError struct{ *SCError }

// AuthTokenInvalidError reports a JWT with a bad signature or format.
type AuthTokenInvalidError struct{ *SCError }

// AuthTokenNotBeforeError reports a JWT that is not valid yet
// (Fields["date"]).
type AuthTokenNotBeforeError struct{ *SCError }

// AuthTokenError reports any other problem with an auth token.
type AuthTokenError struct{ *SCError }

// AuthError reports a failure to deliver or store an auth token.
type AuthError struct{ *SCError }

// SilentMiddlewareBlockedError reports an action blocked by server
// middleware without an error of its own (Fields["type"] names the
// middleware).
type SilentMiddlewareBlockedError struct{ *SCError }

// BrokerError reports a failure of the server's message broker, such as a
// subscription limit.
type BrokerError struct{ *SCError }

// ServerProtocolError reports a protocol error on the server side.
type ServerProtocolError struct{ *SCError }

// HTTPServerError reports an error of the server's HTTP layer.
type HTTPServerError struct{ *SCError }

// ResourceLimitError reports that the server ran out of a resource.
type ResourceLimitError struct{ *SCError }

// ProcessExitError reports that a server process exited.
type ProcessExitError struct{ *SCError }

// UnknownError is the sc-errors catch-all.
type UnknownError struct{ *SCError }

// namedErrors builds the typed error for each sc-errors name; names not in
// the table stay *SCError.
var namedErrors = map[string]func(*SCError) error{
	"TimeoutError":                 func(e *SCError) error { return &TimeoutError{e} },
	"InvalidArgumentsError":        func(e *SCError) error { return &InvalidArgumentsError{e} },
	"InvalidActionError":           func(e *SCError) error { return &InvalidActionError{e} },
	"InvalidMessageError":          func(e *SCError) error { return &InvalidMessageError{e} },
	"InvalidOptionsError":          func(e *SCError) error { return &InvalidOptionsError{e} },
	"AuthTokenExpiredError":        func(e *SCError) error { return &AuthTokenExpiredError{e} },
	"AuthTokenInvalidError":        func(e *SCError) error { return &AuthTokenInvalidError{e} },
	"AuthTokenNotBeforeError":      func(e *SCError) error { return &AuthTokenNotBeforeError{e} },
	"AuthTokenError":               func(e *SCError) error { return &AuthTokenError{e} },
	"AuthError":                    func(e *SCError) error { return &AuthError{e} },
	"SilentMiddlewareBlockedError": func(e *SCError) error { return &SilentMiddlewareBlockedError{e} },
	"BrokerError":                  func(e *SCError) error { return &BrokerError{e} },
	"ServerProtocolError":          func(e *SCError) error { return &ServerProtocolError{e} },
	"HTTPServerError":              func(e *SCError) error { return &HTTPServerError{e} },
	"ResourceLimitError":           func(e *SCError) error { return &ResourceLimitError{e} },
	"ProcessExitError":             func(e *SCError) error { return &ProcessExitError{e} },
	"UnknownError":                 func(e *SCError) error { return &UnknownError{e} },
	"SocketProtocolError": func(e *SCError) error {
		return &SocketProtocolError{SCError: e, Code: intField(e.Fields, "code")}
	},
	"BadConnectionError": func(e *SCError) error {
		t, _ := e.Fields["type"].(string)
		r, _ := e.Fields["reason"].(string)
		return &BadConnectionError{SCError: e, Type: t, Code: intField(e.Fields, "code"), Reason: r}
	},
}

func intField(fields map[string]any, key string) int {
	if f, ok := fields[key].(float64); ok {
		return int(f)
	}
	return 0
}

// SlowConsumerError reports, on the error listener, a stream consumer that
// reached Options.MaxBacklog and started dropping values (or was ended, with
// the CloseConsumer policy).
type SlowConsumerError struct {
	*SCError
	// Family is the kind of stream: "listener", "receiver", "procedure",
	// "channel" or "channel listener".
	Family string
	// Stream is the stream's name (for channel listeners "<channel>/<event>").
	Stream string
	// ConsumerID identifies the consumer.
	ConsumerID uint64
	// Policy is what the consumer does at its limit.
	Policy streams.OverflowPolicy
	// Dropped counts the values the consumer dropped so far.
	Dropped uint64
}

func newSlowConsumerError(family string, o streams.Overflow) *SlowConsumerError {
	name := fmt.Sprint(o.Key)
	if k, ok := o.Key.(ChannelEventKey); ok {
		name = k.Channel + "/" + k.Event
	}
	msg := fmt.Sprintf("The %s consumer %d of %q reached its backlog limit (%s, %d dropped so far)", family, o.ConsumerID, name, o.Policy, o.Dropped)
	return &SlowConsumerError{
		SCError:    newSCError("SlowConsumerError", msg),
		Family:     family,
		Stream:     name,
		ConsumerID: o.ConsumerID,
		Policy:     o.Policy,
		Dropped:    o.Dropped,
	}
}

// ErrClosed is returned by calls on a socket after Close.
var ErrClosed = errors.New("scclient: socket is closed for good")

// ErrNotOpen is returned by Send when the connection is not open.
var ErrNotOpen = errors.New("scclient: connection is not open")

func newTimeoutError(msg string) *TimeoutError {
	return &TimeoutError{newSCError("TimeoutError", msg)}
}

func newInvalidArgumentsError(format string, args ...any) *InvalidArgumentsError {
	return &InvalidArgumentsError{newSCError("InvalidArgumentsError", fmt.Sprintf(format, args...))}
}

func newInvalidActionError(msg string) *InvalidActionError {
	return &InvalidActionError{newSCError("InvalidActionError", msg)}
}

func newBadConnectionError(event, typ string, code int, reason string) *BadConnectionError {
	return &BadConnectionError{
		SCError: newSCError("BadConnectionError", "Event "+event+" was aborted due to a bad connection"),
		Type:    typ,
		Code:    code,
		Reason:  reason,
	}
}

// newSocketProtocolError builds the error emitted when a connection closes
// with an abnormal code (PROTOCOL §11.2).
func newSocketProtocolError(code int, reason string, hasReason bool) *SocketProtocolError {
	msg, ok := ErrorStatuses[code]
	if !ok {
		if hasReason {
			msg = "Socket connection closed with status code " + strconv.Itoa(code) + " and reason: " + reason
		} else {
			msg = "Socket connection closed with status code " + strconv.Itoa(code)
		}
	}
	return &SocketProtocolError{SCError: newSCError("SocketProtocolError", msg), Code: code}
}
