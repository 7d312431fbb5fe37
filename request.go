package scclient

import (
	"strconv"
	"sync/atomic"

	"github.com/socketcluster-go/scclient/codec"
)

// Request is an inbound invoke from the server, delivered to Procedure
// consumers. Answer it once with End or Error; the server's call times out
// if nobody does.
type Request struct {
	sock *Socket
	conn *conn
	sent atomic.Bool

	// ID is the request's call id.
	ID int64
	// Procedure is the event name.
	Procedure string
	// Data is the request's payload (Absent when it had none).
	Data Data
}

// Socket returns the socket the request arrived on.
func (r *Request) Socket() *Socket { return r.sock }

// Sent reports whether a response was sent.
func (r *Request) Sent() bool { return r.sent.Load() }

// End answers the request with data (nil for none). A second answer is an
// *InvalidActionError. If the connection the request came on is gone, the
// answer is dropped silently (it is never sent on a newer connection).
func (r *Request) End(data any) error {
	payload, err := r.sock.marshalPayload(data)
	if err != nil {
		return err
	}
	return r.respond(&codec.Packet{Kind: codec.KindResponse, RID: r.ID, Data: payload})
}

// Error answers the request with an error. An *SCError (or any named error
// of this package) keeps its name, message and fields on the wire; any other
// error is sent with its message and the name "Error".
func (r *Request) Error(err error) error {
	if err == nil {
		return newInvalidArgumentsError("Request.Error needs a non-nil error")
	}
	payload, merr := r.sock.codec.Marshal(dehydrateError(err))
	if merr != nil {
		return merr
	}
	return r.respond(&codec.Packet{Kind: codec.KindResponse, RID: r.ID, Error: payload})
}

func (r *Request) respond(p *codec.Packet) error {
	if !r.sent.CompareAndSwap(false, true) {
		return newInvalidActionError("Response to request " + strconv.FormatInt(r.ID, 10) + " has already been sent")
	}
	r.sock.mu.Lock()
	current := r.sock.conn == r.conn
	r.sock.mu.Unlock()
	if !current {
		return nil
	}
	if err := r.conn.writePacket(p); err != nil && err != ErrNotOpen {
		return err
	}
	return nil
}
