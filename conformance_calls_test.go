package scclient

// Fixtures of the conformance tests for what JavaScript gets from its event
// loop: a dial held until released, a call started now and awaited later,
// and an auth engine that fails on demand.

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// confGate is a dialer that holds every TCP dial until released, so that a
// socket stays in the connecting state for as long as a case needs. A
// cancelled dial (Disconnect, Close) returns at once.
type confGate struct {
	open chan struct{}
}

func newConfGate() *confGate { return &confGate{open: make(chan struct{})} }

// dialer returns a websocket dialer whose dials wait for the gate.
func (g *confGate) dialer() *websocket.Dialer {
	return &websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			select {
			case <-g.open:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// release lets every waiting and future dial through.
func (g *confGate) release() { close(g.open) }

// confPending is a blocking call (Invoke, Authenticate, …) running on its
// own goroutine: the Go form of a JavaScript promise that a case starts
// without awaiting it at once.
type confPending struct {
	done chan struct{}
	err  error
	// call is the socket's outbound call for the event, found once it was
	// queued or sent; nil if the call finished before it was seen.
	call *call
}

// confStart runs fn on its own goroutine and returns once the socket holds
// an outbound call for event (queued or awaiting its response): the point
// at which the JavaScript call would have handed back its promise. fn gets
// a context with a generous deadline, which replaces the 200 ms ack timeout
// for calls whose timeout is not what the case checks. When the test ends
// it closes the socket and waits for fn, so no goroutine outlives the test.
func confStart(t *testing.T, s *Socket, event string, fn func(ctx context.Context) error) *confPending {
	t.Helper()
	before := confCalls(s, event)
	p := &confPending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
		defer cancel()
		p.err = fn(ctx)
	}()
	t.Cleanup(func() {
		s.Close()
		<-p.done
	})
	deadline := time.Now().Add(confDeadline)
	for time.Now().Before(deadline) {
		for c := range confCalls(s, event) {
			if !before[c] {
				p.call = c
				return p
			}
		}
		select {
		case <-p.done:
			return p
		case <-time.After(time.Millisecond):
		}
	}
	t.Fatalf("no %q call was queued or sent within %v", event, confDeadline)
	return nil
}

// confCalls returns the socket's queued and pending calls for event.
func confCalls(s *Socket, event string) map[*call]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[*call]bool{}
	for _, c := range s.queue {
		if c.event == event {
			out[c] = true
		}
	}
	for _, c := range s.pending {
		if c.event == event {
			out[c] = true
		}
	}
	return out
}

// wait returns fn's error, failing the test if fn does not return in time.
func (p *confPending) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(confDeadline):
		t.Fatalf("the call did not return within %v", confDeadline)
		return nil
	}
}

// settled reports whether the socket had already settled the call.
func (p *confPending) settled() bool {
	if p.call == nil {
		return false
	}
	select {
	case <-p.call.done:
		return true
	default:
		return false
	}
}

// confSaveFailEngine is an in-memory engine whose SaveToken can be made to
// fail, the Go form of the suite replacing client.auth.saveToken.
type confSaveFailEngine struct {
	*MemoryAuthEngine
	failSave atomic.Bool
}

// SaveToken fails with a FailedToSaveTokenError while failSave is set.
func (e *confSaveFailEngine) SaveToken(ctx context.Context, name, token string) error {
	if e.failSave.Load() {
		return &SCError{Name: "FailedToSaveTokenError", Message: "Failed to save token"}
	}
	return e.MemoryAuthEngine.SaveToken(ctx, name, token)
}
