package scclient

import (
	"context"
	"time"

	"github.com/socketcluster-go/scclient/codec"
)

// call is one outbound transmit or invoke from the moment it is made until
// it is written (transmit) or settled (invoke).
type call struct {
	event   string
	data    []byte // encoded payload; nil for none
	invoke  bool
	cid     int64 // given when the packet is written, as in JavaScript
	timer   *time.Timer
	settled bool  // under s.mu
	reader  *conn // the connection its caller is reading for it (readFor), under s.mu

	// Exactly one of done and onDone is set for invokes: user calls wait
	// on done; internal calls (handshake, subscribe) get onDone, which runs
	// with s.mu held on the goroutine that settles them.
	done   chan struct{}
	onDone func(res Data, err error)
	res    Data
	err    error
}

// CallOption changes one call.
type CallOption func(*callOptions)

type callOptions struct {
	ackTimeout time.Duration
}

// WithAckTimeout sets this call's ack timeout, overriding the socket's
// AckTimeout and any context deadline. A transmit still queued when it
// expires is dropped.
func WithAckTimeout(d time.Duration) CallOption {
	return func(o *callOptions) { o.ackTimeout = d }
}

// ackTimeoutOption is the ack timeout opts set, 0 when they set none.
func ackTimeoutOption(opts []CallOption) time.Duration {
	if len(opts) == 0 {
		return 0 // the options escape: nothing is made when there are none
	}
	var o callOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o.ackTimeout
}

// Transmit sends an event that expects no response. While the socket is
// not open the event waits in the outbound queue (and a closed socket starts
// connecting); it is dropped if still queued after the ack timeout or when
// the connection fails. It returns an error only when data cannot be
// encoded or the socket was closed for good.
func (s *Socket) Transmit(event string, data any, opts ...CallOption) error {
	payload, err := s.marshalPayload(data)
	if err != nil {
		return err
	}
	timeout := ackTimeoutOption(opts)
	if timeout <= 0 {
		timeout = s.created.AckTimeout
	}
	_, err = s.submit(&call{event: event, data: payload}, timeout)
	return err
}

// Invoke sends an event and waits for the server's response. ctx bounds the
// wait; when ctx has no deadline the socket's AckTimeout applies
// (WithAckTimeout overrides both), counted from the call, queue time
// included. It fails with a server error (typed by its name, see SCError),
// *TimeoutError, *BadConnectionError when the connection closes first, or
// ctx.Err().
func (s *Socket) Invoke(ctx context.Context, event string, data any, opts ...CallOption) (Data, error) {
	payload, err := s.marshalPayload(data)
	if err != nil {
		return Data{}, err
	}
	return s.invokeEncoded(ctx, event, payload, opts)
}

// invokeEncoded is Invoke with the payload already encoded.
func (s *Socket) invokeEncoded(ctx context.Context, event string, payload []byte, opts []CallOption) (Data, error) {
	timeout := ackTimeoutOption(opts)
	if timeout <= 0 {
		if _, ok := ctx.Deadline(); !ok {
			timeout = s.created.AckTimeout
		}
	}
	c := &call{event: event, data: payload, invoke: true, done: make(chan struct{})}
	conn, err := s.submit(c, timeout)
	if err != nil {
		return Data{}, err
	}
	if conn != nil && conn.parked.Load() && conn.parked.CompareAndSwap(true, false) {
		if ctx.Done() != nil {
			stop := context.AfterFunc(ctx, func() { s.abandon(c, ctx.Err()) })
			defer stop()
		}
		conn.readFor(c)
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		s.abandon(c, ctx.Err())
		<-c.done
		return c.res, c.err
	}
}

// marshalPayload encodes data at call time; nil means no data at all.
func (s *Socket) marshalPayload(data any) ([]byte, error) {
	if data == nil {
		return nil, nil
	}
	b, err := s.codec.Marshal(data)
	if err != nil {
		err = &InvalidArgumentsError{newSCError("InvalidArgumentsError", "Failed to encode data: "+err.Error())}
		s.emitError(err)
		return nil, err
	}
	return b, nil
}

// submit queues or sends a call, starting its ack timer. It returns the
// connection it wrote the call to, nil when the call was queued.
func (s *Socket) submit(c *call, timeout time.Duration) (*conn, error) {
	s.mu.Lock()
	if s.closedForGood {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.checkStaleLocked()
	if s.state == StateClosed {
		s.connectLocked()
	}
	if timeout > 0 {
		c.timer = time.AfterFunc(timeout, func() { s.onCallTimeout(c) })
	}
	if s.state == StateOpen && len(s.queue) == 0 {
		conn := s.conn
		p := s.prepareLocked(conn, c)
		s.mu.Unlock()
		s.write(conn, c, &p)
		return conn, nil
	}
	s.queue = append(s.queue, c)
	s.mu.Unlock()
	return nil, nil
}

// checkStaleLocked reconnects a connection that has seen no ping for a
// whole ping timeout (PROTOCOL §6.3).
func (s *Socket) checkStaleLocked() {
	if s.conn != nil && s.conn.isStale() && s.state != StateClosed {
		s.disconnectLocked(CloseNormal, "Stale socket was disconnected by the client to initiate a new connection", true)
	}
}

// prepareLocked gives an invoke its call id and registers it as pending,
// and builds the packet to write.
func (s *Socket) prepareLocked(conn *conn, c *call) codec.Packet {
	p := codec.Packet{Kind: codec.KindEvent, Event: c.event, Data: c.data}
	if c.invoke {
		s.lastCID++
		c.cid = s.lastCID
		if s.pending == nil {
			s.pending = map[int64]*call{}
		}
		s.pending[c.cid] = c
		s.inFlight.Store(int32(len(s.pending)))
		s.pendingPeak = max(s.pendingPeak, len(s.pending))
		p.Kind = codec.KindRequest
		p.CID = c.cid
	} else if c.timer != nil {
		c.timer.Stop()
	}
	return p
}

// unpendLocked forgets the pending call cid.
func (s *Socket) unpendLocked(cid int64) {
	delete(s.pending, cid)
	s.inFlight.Store(int32(len(s.pending)))
}

// write sends a prepared packet. A connection failure is handled by the
// close sequence; an encoding failure settles the call here.
func (s *Socket) write(conn *conn, c *call, p *codec.Packet) {
	err := conn.writePacket(p)
	if err == nil || err == ErrNotOpen {
		return
	}
	s.emitError(err)
	s.mu.Lock()
	if c.invoke && !c.settled {
		s.unpendLocked(c.cid)
		s.settleLocked(c, Data{}, err)
	}
	s.mu.Unlock()
}

// flushQueueLocked sends every queued call in order (after the handshake).
func (s *Socket) flushQueueLocked() {
	conn := s.conn
	queue := s.queue
	s.queue = nil
	for _, c := range queue {
		p := s.prepareLocked(conn, c)
		if err := conn.writePacket(&p); err != nil && err != ErrNotOpen {
			s.emitError(err)
			if c.invoke {
				s.unpendLocked(c.cid)
				s.settleLocked(c, Data{}, err)
			}
		}
	}
}

// settleLocked completes a call once.
func (s *Socket) settleLocked(c *call, res Data, err error) {
	if c.settled {
		return
	}
	c.settled = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.res, c.err = res, err
	if c.done != nil {
		if c.reader != nil {
			// Its caller waits in a read: wake it, before the caller can
			// see the call settled and give the connection to another
			// reader that the wake-up would hit instead.
			c.reader.kickReader()
			c.reader = nil
		}
		close(c.done)
	} else if c.onDone != nil {
		c.onDone(res, err)
	}
}

// onCallTimeout handles an expired ack timer.
func (s *Socket) onCallTimeout(c *call) {
	s.mu.Lock()
	if c.settled {
		s.mu.Unlock()
		return
	}
	s.removeQueuedLocked(c)
	if !c.invoke {
		c.settled = true // a transmit still queued is dropped silently
		s.mu.Unlock()
		return
	}
	if c.cid != 0 {
		s.unpendLocked(c.cid)
	}
	s.settleLocked(c, Data{}, newTimeoutError("Event response for "+c.event+" event timed out"))
	s.mu.Unlock()
}

// abandon settles a call whose caller stopped waiting (context done).
func (s *Socket) abandon(c *call, cause error) {
	s.mu.Lock()
	if c.settled {
		s.mu.Unlock()
		return
	}
	s.removeQueuedLocked(c)
	if c.cid != 0 {
		s.unpendLocked(c.cid)
	}
	s.settleLocked(c, Data{}, cause)
	s.mu.Unlock()
}

func (s *Socket) removeQueuedLocked(c *call) {
	for i, q := range s.queue {
		if q == c {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			return
		}
	}
}

// failCallsLocked fails every pending and queued invoke with a
// BadConnectionError and drops queued transmits (the close sequence).
func (s *Socket) failCallsLocked(typ string, code int, reason string) {
	for cid, c := range s.pending {
		s.unpendLocked(cid)
		s.settleLocked(c, Data{}, newBadConnectionError(c.event, typ, code, reason))
	}
	queue := s.queue
	s.queue = nil
	for _, c := range queue {
		if c.invoke {
			s.settleLocked(c, Data{}, newBadConnectionError(c.event, typ, code, reason))
		} else {
			c.settled = true
			if c.timer != nil {
				c.timer.Stop()
			}
		}
	}
}

// handleResponse settles the call a response answers; unknown ids are
// ignored. It runs on whatever reads conn.
func (s *Socket) handleResponse(conn *conn, p *codec.Packet) {
	s.mu.Lock()
	c := s.pending[p.RID]
	if c == nil {
		s.mu.Unlock()
		return
	}
	s.unpendLocked(p.RID)
	conn.countResponse()
	c.reader = nil // settled by its own reader: nothing to wake
	if c.done != nil && len(s.pending) == 0 {
		conn.parkSoon = true
	}
	var err error
	if p.Error != nil && !isFalsy(p.Error) {
		err = s.hydrateError(p.Error)
	}
	s.settleLocked(c, Data{raw: p.Data, codec: s.codec}, err)
	s.mu.Unlock()
}

// Send writes data as one raw text frame on the open connection, bypassing
// the codec, the queue and batching. It returns ErrNotOpen when the
// connection is not open.
func (s *Socket) Send(data []byte) error {
	s.mu.Lock()
	conn := s.conn
	open := s.state == StateOpen
	s.mu.Unlock()
	if !open {
		return ErrNotOpen
	}
	return conn.writeFrame(opText, data, time.Time{})
}
