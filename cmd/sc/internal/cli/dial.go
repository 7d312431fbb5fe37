package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/socketcluster-go/scclient"
)

// dialMode says whether a command keeps its connection (and so reconnects
// after losing it) or makes one call and leaves.
type dialMode int

const (
	oneShot dialMode = iota
	stayConnected
)

// connection is an open socket with what the command needs to know about it.
type connection struct {
	sock    *scclient.Socket
	connect scclient.Event // the first connect event
	hasTok  bool           // a token was sent with the handshake
}

// dial creates the socket from the flags and waits for its first handshake.
// before runs after the socket exists and before it connects, so listeners
// made there see the first connect. A token the server rejects is an auth
// failure (exit 5); a socket that cannot connect is a connection failure
// (exit 4); bad flags are usage errors (exit 2).
func dial(ctx context.Context, cf *connFlags, d *diag, mode dialMode, before func(*scclient.Socket)) (*connection, error) {
	opts, token, err := cf.options()
	if err != nil {
		return nil, usageError(err)
	}
	opts.DisableAutoReconnect = mode == oneShot
	sock, err := scclient.Create(opts)
	if err != nil {
		return nil, usageError(err)
	}
	if cf.insecure {
		d.warnf("--insecure: the server's TLS certificate is not verified")
	}
	if token != "" {
		if err := sock.AuthEngine().SaveToken(ctx, sock.AuthTokenName(), token); err != nil {
			sock.Close()
			return nil, withCode(ExitFailure, fmt.Errorf("storing the token: %w", err))
		}
	}
	events := sock.Listener(scclient.EventConnect, scclient.EventConnectAbort, scclient.EventError).CreateConsumer(0)
	defer events.Close()
	if before != nil {
		before(sock)
	}
	if err := sock.Connect(); err != nil {
		sock.Close()
		return nil, withCode(ExitConnection, err)
	}
	ev, err := awaitConnect(ctx, events, cf.connectTimeout+cf.ackTimeout)
	if err != nil {
		sock.Close()
		if errors.Is(err, context.Canceled) {
			return nil, withCode(ExitInterrupted, err)
		}
		return nil, withCode(ExitConnection, fmt.Errorf("cannot connect to %s: %w", sock.URI(), err))
	}
	if token != "" && !ev.IsAuthenticated {
		sock.Close()
		why := "the server did not authenticate the socket"
		if ev.AuthError != nil {
			why = errorText(ev.AuthError)
		}
		return nil, withCode(ExitAuth, fmt.Errorf("token rejected: %s", why))
	}
	d.infof("connected to %s (id %s)", sock.URI(), ev.ID)
	return &connection{sock: sock, connect: ev, hasTok: token != ""}, nil
}

// ackTimeout makes a call wait for --ack-timeout whatever the context's
// deadline (a context deadline alone would replace the socket's default).
func ackTimeout(sock *scclient.Socket) scclient.CallOption {
	return scclient.WithAckTimeout(sock.AckTimeout())
}

// awaitConnect reads connection events until the first connect, or until the
// attempt is aborted; the error event that follows an abort explains it.
func awaitConnect(ctx context.Context, events interface {
	Next(context.Context) (scclient.Event, bool, error)
}, limit time.Duration) (scclient.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var abort *scclient.Event
	var lastErr error
	for {
		ev, ok, err := events.Next(ctx)
		switch {
		case err != nil && abort != nil:
			return ev, abortError(*abort, lastErr)
		case errors.Is(err, context.DeadlineExceeded):
			return ev, fmt.Errorf("no handshake within %v", limit)
		case err != nil:
			return ev, err
		case !ok:
			return ev, errors.New("socket closed while connecting")
		}
		switch ev.Name {
		case scclient.EventConnect:
			return ev, nil
		case scclient.EventError:
			lastErr = ev.Error
			if abort != nil {
				return ev, abortError(*abort, lastErr)
			}
		case scclient.EventConnectAbort:
			abort = &ev
			// The error event that explains the abort comes right after it.
			var cancelWait context.CancelFunc
			ctx, cancelWait = context.WithTimeout(ctx, time.Second)
			defer cancelWait()
		}
	}
}

func abortError(abort scclient.Event, cause error) error {
	msg := fmt.Sprintf("connection aborted (%d %s)", abort.Code, abort.Reason)
	if cause == nil {
		return errors.New(msg)
	}
	var pe *scclient.SocketProtocolError
	if errors.As(cause, &pe) && pe.Unwrap() != nil {
		return fmt.Errorf("%s: %w", msg, pe.Unwrap())
	}
	return fmt.Errorf("%s: %s", msg, errorText(cause))
}
