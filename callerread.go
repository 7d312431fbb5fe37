package scclient

import (
	"bytes"
	"time"
)

// A caller of Invoke that finds its connection parked reads the response
// itself instead of waking a read loop goroutine for it. Handing a
// response from a read loop to a waiting caller costs two goroutine
// switches and, with an idle processor around, a thread woken to run the
// caller; a caller that reads wakes up only once, straight from the
// network poller. Sequential request and response traffic (one call at a
// time) therefore runs on one thread, as a single-threaded client would.
//
// The caller owns the read loop from the moment it takes the connection
// out of the idle set until it parks it again (or hands it to a read loop
// goroutine), so everything that arrives meanwhile, not only its response,
// is dispatched as the read loop would, except a frame whose dispatch may
// call application code (the auth engine), which it leaves, with the read
// loop, to a goroutine of its own. It only ever waits for the network
// between messages: when the next message is not buffered whole and its
// call is settled, or when its read deadline is hit, it stops.

// aLongTimeAgo is a read deadline that has passed: it wakes a read at once.
var aLongTimeAgo = time.Unix(1, 0)

// readFor runs c's read loop on the calling goroutine, which won the
// connection from the idle set, until cl is settled (its response came, it
// timed out, its context ended or the connection failed). Then it parks
// the connection again or hands it to a read loop goroutine.
func (c *conn) readFor(cl *call) {
	s := c.s
	c.disarmIdle()
	s.mu.Lock()
	if cl.settled {
		s.mu.Unlock()
		c.handBack()
		return
	}
	cl.reader = c // from here on, settling cl from elsewhere wakes the read
	s.mu.Unlock()
	c.callerTurns.Add(1)

	c.callerReading = true
	_ = c.nc.SetReadDeadline(time.Time{}) // a kick sets one from now on
	c.rd.noWait = true
	ended := false
	var (
		passMT    int
		passFrame []byte // a frame left to a read loop goroutine to dispatch
	)
	for !c.closing.Load() {
		mt, frame, err := c.readFrame()
		if err == nil {
			if mayRunUserCode(frame) {
				passMT, passFrame = mt, frame
				break
			}
			s.handleFrame(c, mt, frame)
			continue
		}
		if err != errWouldWait {
			c.readFailed(err)
			ended = true
			break
		}
		buffered := c.rd.w - c.rd.r
		if isSettled(cl) || buffered >= c.rd.bufferedPayloadMax() {
			// Done, or a message too large to complete in the buffer,
			// which the read loop reads straight into its own slice.
			break
		}
		if err := c.rd.fill(buffered + 1); err != nil {
			if err != errHandBack {
				c.readFailed(err)
				ended = true
			}
			break
		}
	}
	c.rd.noWait = false
	c.callerReading = false
	c.parkSoon = false
	if !isSettled(cl) {
		s.mu.Lock()
		cl.reader = nil
		s.mu.Unlock()
	}
	switch {
	case ended:
		c.endReadLoop()
	case passFrame != nil:
		go c.dispatchThenRead(passMT, passFrame)
	default:
		c.handBack()
	}
}

// mayRunUserCode reports whether dispatching frame may call into the
// application (the auth engine saves or removes the token on
// #setAuthToken and #removeAuthToken), which must not run on the goroutine
// of an Invoke: it could hold the call past its timeout, or wait for a
// lock the caller holds. A name spelled with escapes counts too.
func mayRunUserCode(frame []byte) bool {
	return bytes.Contains(frame, authTokenMark) || bytes.Contains(frame, escapeMark)
}

var (
	authTokenMark = []byte("AuthToken")
	escapeMark    = []byte(`\u`)
)

// dispatchThenRead dispatches a frame a caller read and then runs the read
// loop, in a goroutine of its own.
func (c *conn) dispatchThenRead(mt int, frame []byte) {
	c.s.handleFrame(c, mt, frame)
	c.readLoop()
}

// isSettled reports whether an invoke waited on through done is settled.
func isSettled(cl *call) bool {
	select {
	case <-cl.done:
		return true
	default:
		return false
	}
}

// errHandBack ends a caller's turn at reading when its read deadline is
// hit: its call was settled from elsewhere, or the connection is closing.
var errHandBack = errIdle

// handBack ends a caller's turn at reading: the connection parks again
// when nothing is left half read, else a read loop goroutine takes over.
// With many calls in flight a read loop goroutine takes over anyway: the
// next caller would only take the connection out of the idle set again,
// two epoll_ctl calls per turn, to read answers that are mostly others'.
func (c *conn) handBack() {
	if c.rd.drained() && !c.deepInFlight() && c.park(false) {
		return
	}
	go c.readLoop()
}

// kickReader wakes a caller waiting in a read for a call settled from
// elsewhere.
func (c *conn) kickReader() { _ = c.nc.SetReadDeadline(aLongTimeAgo) }
