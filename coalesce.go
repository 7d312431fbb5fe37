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
// SO_RCVLOWAT) to wake it only once about as many bytes have arrived as
// its last wake brought, and never more than half of the outstanding
// answers' worth or coalesceMaxBytes. Since every wake also brings what
// arrived while the reader was busy, the groups grow to what the server
// and the callers keep up with. While that many calls are in flight, a
// caller about to write lets the others the reader woke with it run first
// (see drain), so that their requests leave in one write and the server
// answers them together in turn.
//
// A timer bounds every wait: when the bytes have not come within
// Options.ReadCoalesceDelay, the mark drops back to one byte and whatever
// has arrived is read. When waits keep ending that way short of the mark
// (the answers the mark counted on are not coming, say because the calls
// in flight are mostly ones the server holds), the reader stops raising
// the mark for a while (learn).

// coalesceMinCalls is the fewest calls in flight that make the reader wait
// for more than one byte.
const coalesceMinCalls = 8

// coalesceMaxBytes is the highest low-water mark the reader asks for.
const coalesceMaxBytes = 1024

// coalesceMaxStrikes is how many waits in a row the timer may end short
// of the mark before the reader stops raising it for coalesceCooldown
// waits.
const (
	coalesceMaxStrikes = 3
	coalesceCooldown   = 256
)

// readCoalescer is a connection's read coalescing state. The reader makes
// it when it waits with coalesceMinCalls calls in flight, and drops it when
// the connection parks.
type readCoalescer struct {
	raw   syscall.RawConn // the socket
	nc    net.Conn        // closed when the mark cannot be lowered
	delay time.Duration   // the longest a wait for the mark may last

	mu       sync.Mutex
	mark     int         // the socket's low-water mark in bytes; 1 is the kernel's default (under mu)
	timer    *time.Timer // drops the mark to 1 once a wait outlasts delay (under mu)
	stopped  bool        // the connection closes or parks: the mark stays at 1 (under mu)
	failed   bool        // raising the mark failed: it is not raised again (under mu)
	raises   int         // how many times the mark went up from 1 (under mu)
	expiry   int         // how many waits the timer ended (under mu)
	strikes  int         // waits in a row the timer ended short of the mark (under mu)
	cooldown int         // waits left before the mark may be raised again (under mu)
	seen     int         // expiry as learn last saw it (under mu)
	active   atomic.Bool // mark > 1

	responses   int    // answers handled since the reader last waited; reader only
	bytesAtWait uint64 // rd.rawBytes when the reader last waited; reader only
	// waitFor is the mark of the reader's last wait: after a raised one,
	// learn must see the next wake, whatever it brought. Reader only.
	waitFor int
}

// isTCP reports whether nc is a TCP connection: the low-water mark is
// left alone on other sockets.
func isTCP(nc net.Conn) bool {
	_, ok := nc.(*net.TCPConn)
	return ok
}

// beforeWait runs when a read found nothing and is about to wait for the
// socket (fd): it sets the mark the wait should use, from what the last
// wake brought and the calls still in flight, and makes sure a raised mark
// cannot hold bytes back for longer than the delay. It must not block: it
// runs while the read holds the descriptor, which a Close waits for.
func (c *conn) beforeWait(fd uintptr) {
	inFlight := int(c.s.inFlight.Load())
	deep := inFlight >= coalesceMinCalls
	k := c.coalesce.Load()
	if k == nil {
		if deep {
			c.coalesce.Store(&readCoalescer{raw: c.rd.raw, nc: c.nc, delay: c.opts.ReadCoalesceDelay, mark: 1, bytesAtWait: c.rd.rawBytes})
		}
		return
	}
	responses := k.responses
	k.responses = 0
	bytes := int64(c.rd.rawBytes - k.bytesAtWait)
	k.bytesAtWait = c.rd.rawBytes
	if (!deep || responses < 2) && !k.active.Load() && k.waitFor <= 1 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped {
		return
	}
	k.learn(bytes)
	want := 1
	if deep && responses >= 2 && !k.failed && k.cooldown == 0 {
		// Answers come in several per wake: wait for about as many
		// bytes as this wake brought, but for no more than half of the
		// answers still out, supposing they are as long as these.
		want = int(min(coalesceMaxBytes, bytes, int64(inFlight/2)*(bytes/int64(responses))))
		want = max(want, 1)
	}
	// Small changes of the mark are not worth a system call.
	if want != k.mark && (want == 1 || k.mark == 1 || want < k.mark*3/4 || want > k.mark*5/4) {
		if err := setRcvLowat(fd, want); err != nil {
			c.s.log.Debug("scclient: setting the receive low-water mark failed", "error", err)
			if want == 1 {
				// A mark that cannot come down could hold messages
				// back for good: give the connection up instead.
				k.closeConn()
				return
			}
			k.failed = true
		} else {
			if k.mark == 1 {
				k.raises++
			}
			k.mark = want
		}
	}
	k.active.Store(k.mark > 1)
	k.waitFor = k.mark
	if k.mark > 1 {
		if k.timer == nil {
			k.timer = time.AfterFunc(k.delay, k.endWait)
		} else {
			k.timer.Reset(k.delay)
		}
	}
}

// learn counts the reader's last wait, given the bytes the wake after it
// brought: coalesceMaxStrikes waits in a row that the timer ended short
// of their mark start a cooldown of coalesceCooldown waits without a
// raised mark. A wait the timer ended with the bytes there only found the
// reader busy. Called with mu held.
func (k *readCoalescer) learn(bytes int64) {
	if k.cooldown > 0 {
		k.cooldown--
	}
	if k.waitFor <= 1 {
		return
	}
	if k.expiry == k.seen || bytes >= int64(k.waitFor) {
		k.seen = k.expiry
		k.strikes = 0
		return
	}
	k.seen = k.expiry
	k.strikes++
	if k.strikes >= coalesceMaxStrikes {
		k.strikes = 0
		k.cooldown = coalesceCooldown
	}
}

// countResponse counts an answer the reader handled towards its next wait.
func (c *conn) countResponse() {
	if k := c.coalesce.Load(); k != nil {
		k.responses++
	}
}

// deepInFlight reports whether a connection that coalesces reads has
// coalesceMinCalls calls in flight: writers then give the callers a
// coalesced read woke together a chance to queue their frames first.
func (c *conn) deepInFlight() bool {
	return c.coalescing && c.s.inFlight.Load() >= coalesceMinCalls
}

// endWait drops a raised mark to one byte: a wait for the mark lasted the
// whole delay. Lowering the mark wakes the reader when any byte is there.
func (k *readCoalescer) endWait() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mark > 1 && k.lowerLocked() {
		k.expiry++
	}
}

// lowerLocked sets the mark back to one byte and reports whether it did;
// a connection whose mark cannot come down is closed. Called with mu held.
func (k *readCoalescer) lowerLocked() bool {
	var err error
	if cerr := k.raw.Control(func(fd uintptr) { err = setRcvLowat(fd, 1) }); cerr != nil {
		return false // closed: nothing waits on it any more
	}
	if err != nil {
		k.closeConn()
		return false
	}
	k.mark = 1
	k.active.Store(false)
	return true
}

// closeConn closes the connection from a goroutine of its own: the
// callers hold the descriptor or mu, either of which the close could be
// waiting for.
func (k *readCoalescer) closeConn() {
	go func() { _ = k.nc.Close() }()
}

// stop ends this state's coalescing for good: the mark goes back to one
// byte, so that a parked connection wakes for any byte and a closing one
// reads the close handshake's last frames as they come.
func (k *readCoalescer) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stopped = true
	if k.timer != nil {
		k.timer.Stop()
	}
	if k.mark > 1 {
		k.lowerLocked()
	}
}

// stopCoalescing ends the connection's coalescing (it is closing).
func (c *conn) stopCoalescing() {
	if k := c.coalesce.Load(); k != nil {
		k.stop()
	}
}

// dropCoalescing lets go of the coalescing state of a connection that
// parks; the reader makes it again when calls pile up. Reader only.
func (c *conn) dropCoalescing() {
	if k := c.coalesce.Load(); k != nil {
		k.stop()
		c.coalesce.Store(nil)
	}
}
