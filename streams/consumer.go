package streams

import (
	"context"
	"iter"
	"sync"
	"time"
)

// Consumer reads, in write order, the values written to its keys since it
// was created. Its queue is unbounded, so a slow consumer never blocks the
// writer or other consumers; Backpressure tells how far behind it is.
//
// A consumer ends when a key it reads is closed (after it has taken what was
// written before the close), when it is killed, when its per-read timeout
// expires, or when it is closed itself. An ended consumer is removed from
// its demux and every later read reports the end.
//
// All methods are safe for concurrent use; concurrent reads share the
// values, each value going to one reader.
type Consumer[K comparable, T any] struct {
	d        *Demux[K, T]
	id       uint64
	keys     []K  // keys read, first one first; nil for a wildcard consumer
	key1     [1]K // storage for keys when there is a single key
	wildcard bool // reads every key
	timeout  time.Duration
	wake     chan struct{} // one token wakes one waiting reader

	removed bool // guarded by the demux lock

	mu        sync.Mutex
	q         ring[T]
	closing   bool  // an end packet follows the queued values
	ended     bool  // the consumer is over; nothing more is queued
	err       error // why it ended, if not normally
	waiters   int   // readers blocked in Next
	timer     *time.Timer
	timerBusy bool // timer is in use by a reader

	maxBacklog  int // 0: unbounded
	policy      OverflowPolicy
	dropped     uint64
	overflowing bool // dropped since the backlog was last at half the limit
}

// ID returns the consumer's id, unique within its demux and never reused.
func (c *Consumer[K, T]) ID() uint64 { return c.id }

// Next waits for the next value and returns it with ok true. At the end of
// the stream it returns ok false and a nil error. If the consumer's
// per-read timeout expires first it returns the timeout error and the
// consumer is removed. If ctx is done first it returns ctx.Err() and the
// consumer stays usable. A value already queued is returned even if ctx is
// done.
func (c *Consumer[K, T]) Next(ctx context.Context) (v T, ok bool, err error) {
	var (
		timer    *time.Timer
		timerC   <-chan time.Time
		deadline time.Time
		expired  bool
	)
	c.mu.Lock()
	for {
		if c.q.len() > 0 {
			v = c.q.pop()
			c.caughtUpLocked()
			c.wakeAnotherLocked()
			c.releaseTimerLocked(timer)
			c.mu.Unlock()
			return v, true, nil
		}
		if c.ended {
			c.wakeAnotherLocked()
			c.releaseTimerLocked(timer)
			c.mu.Unlock()
			return v, false, nil
		}
		if c.closing || expired {
			again, err := c.retireLocked(expired)
			if again {
				expired = false
				continue
			}
			c.releaseTimerLocked(timer)
			c.mu.Unlock()
			return v, false, err
		}

		// Nothing queued: register as a waiter before releasing the lock,
		// so a push made after that sees us and leaves a wake token.
		if c.timeout > 0 && timer == nil {
			timer = c.acquireTimerLocked()
			timerC = timer.C
			deadline = time.Now().Add(c.timeout)
		}
		c.waiters++
		c.mu.Unlock()
		select {
		case <-c.wake:
			c.mu.Lock()
			c.waiters--
		case <-timerC:
			c.mu.Lock()
			c.waiters--
			if rest := time.Until(deadline); rest > 0 {
				timer.Reset(rest) // woke early: keep waiting until the deadline
			} else {
				expired = true
			}
		case <-ctx.Done():
			c.mu.Lock()
			c.waiters--
			c.wakeAnotherLocked() // pass on a token that may have been meant for us
			c.releaseTimerLocked(timer)
			c.mu.Unlock()
			return v, false, ctx.Err()
		}
	}
}

// retireLocked ends the consumer after it found its end packet or its wait
// expired, and removes it from the demux. It must be called with c.mu held
// and returns with c.mu held; it releases c.mu for a moment to take the
// demux lock first. If a value arrived or the consumer was killed meanwhile
// it reports again = true and changes nothing. The returned error is the
// timeout error when the consumer timed out, nil when it reached a normal
// end.
func (c *Consumer[K, T]) retireLocked(expired bool) (again bool, err error) {
	c.mu.Unlock()
	c.d.mu.Lock()
	c.mu.Lock()
	defer c.d.mu.Unlock()
	if c.q.len() > 0 || c.ended {
		return true, nil
	}
	if !c.closing && expired {
		err = c.d.cfg.timeoutError()
		c.err = err
	}
	c.endLocked()
	c.d.removeLocked(c)
	return false, err
}

// All returns an iterator over the consumer's values. Ranging stops at the
// end of the stream or on a timeout (see Err); breaking out of the loop
// closes the consumer.
func (c *Consumer[K, T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		defer c.Close()
		ctx := context.Background()
		for {
			v, ok, err := c.Next(ctx)
			if !ok || err != nil {
				return
			}
			if !yield(v) {
				return
			}
		}
	}
}

// Close removes the consumer at once, like breaking out of a range: values
// queued for it are discarded, a waiting Next returns the end of the stream,
// and later reads do too. It does not drain; closing an ended consumer does
// nothing.
func (c *Consumer[K, T]) Close() {
	c.d.mu.Lock()
	if !c.removed {
		c.kill()
		c.d.removeLocked(c)
	}
	c.d.mu.Unlock()
}

// Backpressure returns how many packets are queued for the consumer and not
// yet taken, counting a pending end packet; 0 once it has ended.
func (c *Consumer[K, T]) Backpressure() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.backpressureLocked()
}

// Err returns why the consumer ended: the timeout error after a timeout,
// nil after a normal end, a kill, a close, or while it is still running.
func (c *Consumer[K, T]) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// backpressureLocked is Backpressure with c.mu held.
func (c *Consumer[K, T]) backpressureLocked() int {
	if c.ended {
		return 0
	}
	n := c.q.len()
	if c.closing {
		n++
	}
	return n
}

// push queues v unless the consumer is ending, waking a waiting reader. A
// full bounded queue applies the consumer's overflow policy.
func (c *Consumer[K, T]) push(v T) pushResult {
	res := pushed
	c.mu.Lock()
	if !c.closing && !c.ended {
		queue := true
		if c.maxBacklog > 0 && c.q.len() >= c.maxBacklog {
			queue, res = c.overflowLocked()
		}
		if queue {
			c.q.push(v)
		}
		if c.waiters > 0 {
			c.signalLocked()
		}
	}
	c.mu.Unlock()
	return res
}

// closeQueue queues the end packet: the consumer ends once it has taken
// what is already queued.
func (c *Consumer[K, T]) closeQueue() {
	c.mu.Lock()
	if !c.closing && !c.ended {
		c.closing = true
		if c.waiters > 0 {
			c.signalLocked()
		}
	}
	c.mu.Unlock()
}

// kill ends the consumer now, discarding its queue and waking any waiting
// reader. The caller holds the demux lock and removes it from the demux.
func (c *Consumer[K, T]) kill() {
	c.mu.Lock()
	c.endLocked()
	c.mu.Unlock()
}

// endLocked marks the consumer ended, drops what it had queued and wakes a
// waiting reader. c.mu must be held.
func (c *Consumer[K, T]) endLocked() {
	if !c.ended {
		c.ended = true
		c.closing = false
		c.q.reset()
	}
	c.wakeAnotherLocked()
}

// wakeAnotherLocked hands a wake token to a waiting reader when there is
// something for it to find. c.mu must be held.
func (c *Consumer[K, T]) wakeAnotherLocked() {
	if c.waiters > 0 && (c.q.len() > 0 || c.closing || c.ended) {
		c.signalLocked()
	}
}

// signalLocked drops a wake token unless one is already pending. c.mu must
// be held.
func (c *Consumer[K, T]) signalLocked() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// acquireTimerLocked returns a timer armed with the consumer's timeout. The
// consumer's own timer is reused; a second concurrent reader gets a fresh
// one. c.mu must be held.
func (c *Consumer[K, T]) acquireTimerLocked() *time.Timer {
	if c.timerBusy {
		return time.NewTimer(c.timeout)
	}
	c.timerBusy = true
	if c.timer == nil {
		c.timer = time.NewTimer(c.timeout)
	} else {
		c.timer.Reset(c.timeout)
	}
	return c.timer
}

// releaseTimerLocked stops a timer obtained from acquireTimerLocked; nil is
// allowed. c.mu must be held.
func (c *Consumer[K, T]) releaseTimerLocked(t *time.Timer) {
	if t == nil {
		return
	}
	t.Stop()
	if t == c.timer {
		c.timerBusy = false
	}
}
