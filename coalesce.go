package scclient

import (
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Read coalescing. A socket with many calls in flight to a server that
// answers each one with a write of its own would otherwise wake for every
// answer: a client faster than the server reads each answer as it lands
// and sends that caller's next request on its own, paying a wake-up, a
// read and a write per call. While answers keep arriving several at a
// time, the reader instead asks the kernel (the receive low-water mark,
// SO_RCVLOWAT) to wake it only once a share of the outstanding answers'
// worth of bytes has arrived: half of them at first, at most
// coalesceMaxBytes. While that many calls are in flight, a caller about to
// write lets the others the reader woke with it run first (see drain), so
// that their requests leave in one write and the server answers them
// together in turn. A timer bounds every wait: when the bytes have not
// come within Options.ReadCoalesceDelay, the mark drops back to one byte
// and whatever has arrived is read. Waits the timer keeps ending short of
// the mark (some of the calls are slow to answer) make the reader wait for
// a smaller share (learn).

// coalesceMinCalls is the fewest calls in flight that make the reader wait
// for more than one byte.
const coalesceMinCalls = 8

// coalesceMaxBytes is the highest low-water mark the reader asks for.
const coalesceMaxBytes = 1024

// coalesceMaxShift bounds how small a share of the answers in flight the
// reader waits for: one in 2^coalesceMaxShift.
const coalesceMaxShift = 5

// coalesceWindow is how many waits for a raised mark learn judges the
// share by.
const coalesceWindow = 16

// readCoalescer is a connection's read coalescing state. The reader makes
// it the first time it waits with coalesceMinCalls calls in flight, so a
// connection that never has that many holds none.
type readCoalescer struct {
	raw   syscall.RawConn // the socket
	delay time.Duration   // the longest a wait for the mark may last

	mu     sync.Mutex
	mark   int         // the socket's low-water mark in bytes; 1 is the kernel's default (under mu)
	timer  *time.Timer // drops the mark to 1 once a wait outlasts delay (under mu)
	failed bool        // setting the mark failed: coalescing stays off (under mu)
	raises int         // how many times the mark went up from 1 (under mu)
	expiry int         // how many waits the timer ended (under mu)
	// The reader waits for one in 2^shift of the answers in flight
	// (shift ≥ 1); learn raises shift when the timer ends waits.
	shift      uint
	window     int         // raised waits since shift last changed or was confirmed (under mu)
	strikes    int         // of those, waits the timer ended short of the mark (under mu)
	expirySeen int         // expiry as learn last saw it (under mu)
	raisedWait bool        // the reader's last wait was for a raised mark (under mu)
	waitedFor  int         // the mark of that wait (under mu)
	active     atomic.Bool // mark > 1
	// deep reports that at least coalesceMinCalls calls were in flight
	// when the reader last waited: writers then give the callers the
	// reader woke with them a chance to queue their frames first.
	deep atomic.Bool

	responses   int    // responses handled since the reader last waited; reader only
	bytesAtWait uint64 // rd.rawBytes when the reader last waited; reader only
}

// isTCP reports whether nc is a TCP connection: the low-water mark is
// left alone on other sockets.
func isTCP(nc net.Conn) bool {
	_, ok := nc.(*net.TCPConn)
	return ok
}

// beforeWait runs when a read found nothing and is about to wait for the
// socket (fd): it sets the mark the wait should use, from the answers the
// last wake brought and the calls still in flight, and makes sure a raised
// mark cannot hold bytes back for longer than the delay.
func (c *conn) beforeWait(fd uintptr) {
	c.s.mu.Lock()
	inFlight := len(c.s.pending)
	c.s.mu.Unlock()
	deep := inFlight >= coalesceMinCalls
	k := c.coalesce.Load()
	if k == nil {
		if deep {
			k = &readCoalescer{raw: c.rd.raw, delay: c.opts.ReadCoalesceDelay, mark: 1, shift: 1, bytesAtWait: c.rd.rawBytes}
			k.deep.Store(true)
			c.coalesce.Store(k)
		}
		return
	}
	responses := k.responses
	k.responses = 0
	bytes := int64(c.rd.rawBytes - k.bytesAtWait)
	k.bytesAtWait = c.rd.rawBytes
	if deep != k.deep.Load() {
		k.deep.Store(deep)
	}
	if (!deep || responses < 2) && !k.active.Load() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failed {
		return
	}
	k.learn(bytes)
	want := 1
	if deep && responses >= 2 {
		// Answers come in faster than one per wake: wait for a share of
		// those still out, supposing they are as long as these.
		want = int(min(coalesceMaxBytes, max(1, int64(inFlight)*(bytes/int64(responses))>>k.shift)))
	}
	// Small changes of the mark are not worth a system call.
	if want != k.mark && (want == 1 || k.mark == 1 || want < k.mark*3/4 || want > k.mark*5/4) {
		if err := setRcvLowat(fd, want); err != nil {
			// The mark stays where it was; the timer below still
			// lowers it, and nothing raises it again.
			k.failed = true
			c.s.log.Debug("scclient: read coalescing is off", "error", err)
		} else {
			if k.mark == 1 {
				k.raises++
			}
			k.mark = want
		}
	}
	k.active.Store(k.mark > 1)
	k.raisedWait = k.mark > 1
	k.waitedFor = k.mark
	if k.raisedWait {
		if k.timer == nil {
			k.timer = time.AfterFunc(k.delay, k.endWait)
		} else {
			k.timer.Reset(k.delay)
		}
	}
}

// countResponse counts an answer the reader handled towards the next wait.
func (c *conn) countResponse() {
	if k := c.coalesce.Load(); k != nil {
		k.responses++
	}
}

// deepInFlight reports whether the connection had coalesceMinCalls calls
// in flight when its reader last waited.
func (c *conn) deepInFlight() bool {
	k := c.coalesce.Load()
	return k != nil && k.deep.Load()
}

// learn adjusts the share of the answers in flight the reader waits for,
// after each wait for a raised mark, from the bytes the wake brought. A
// wait the timer ended with fewer bytes than the mark is a strike (one
// that had the bytes only found the reader busy):
// two strikes within coalesceWindow such waits halve the share (some calls
// in flight are slow to answer, so fewer answers come than the share
// supposes); a window without one doubles it again, up to a half. A
// single strike, such as a pause of the server's, changes nothing. Called
// with mu held.
func (k *readCoalescer) learn(bytes int64) {
	if !k.raisedWait {
		return
	}
	if k.expiry != k.expirySeen {
		k.expirySeen = k.expiry
		if bytes < int64(k.waitedFor) {
			k.strikes++
		}
		if k.strikes >= 2 {
			k.shift = min(k.shift+1, coalesceMaxShift)
			k.strikes, k.window = 0, 0
			return
		}
	}
	k.window++
	if k.window >= coalesceWindow {
		if k.strikes == 0 && k.shift > 1 {
			k.shift--
		}
		k.strikes, k.window = 0, 0
	}
}

// endWait drops a raised mark to one byte: a wait for the mark lasted the
// whole delay. Lowering the mark wakes the reader when any byte is there.
func (k *readCoalescer) endWait() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mark <= 1 {
		return
	}
	var err error
	if cerr := k.raw.Control(func(fd uintptr) { err = setRcvLowat(fd, 1) }); cerr != nil {
		return // closed: nothing waits on it any more
	}
	if err != nil {
		k.failed = true
		return
	}
	k.mark = 1
	k.expiry++
	k.active.Store(false)
}

// stopCoalescing stops the connection's coalescing timer.
func (c *conn) stopCoalescing() {
	k := c.coalesce.Load()
	if k == nil {
		return
	}
	k.mu.Lock()
	if k.timer != nil {
		k.timer.Stop()
	}
	k.mu.Unlock()
}
