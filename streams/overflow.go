package streams

import "errors"

// OverflowPolicy says what a consumer whose backlog is at its limit does
// with the next value written to it.
type OverflowPolicy int

// The overflow policies.
const (
	// DropOldest discards the oldest queued value to make room.
	DropOldest OverflowPolicy = iota
	// DropNewest discards the value being written.
	DropNewest
	// CloseConsumer ends the consumer: its queued values are discarded, its
	// reads report the end of the stream and its Err is ErrSlowConsumer.
	CloseConsumer
)

// String returns the policy's name.
func (p OverflowPolicy) String() string {
	switch p {
	case DropNewest:
		return "drop newest"
	case CloseConsumer:
		return "close consumer"
	default:
		return "drop oldest"
	}
}

// ErrSlowConsumer is the error of a consumer ended by the CloseConsumer
// policy: it fell more than its backlog limit behind.
var ErrSlowConsumer = errors.New("streams: consumer ended because its backlog reached its limit")

// Overflow reports that a consumer started dropping values, or was ended,
// because its backlog reached its limit. It is reported once each time a
// consumer starts overflowing: after that only Dropped grows, until the
// consumer catches up to half its limit.
type Overflow struct {
	// Key is the stream key the overflowing write went to (the zero key
	// for a wildcard consumer is not used: it is the written key).
	Key any
	// ConsumerID identifies the consumer.
	ConsumerID uint64
	// Policy is the consumer's policy.
	Policy OverflowPolicy
	// Dropped counts every value the consumer has dropped so far.
	Dropped uint64
}

// SetMaxBacklog bounds this consumer's backlog to max values (0: no bound,
// the default unless the demux's Config says otherwise) with the given
// policy. It applies to the writes that follow.
func (c *Consumer[K, T]) SetMaxBacklog(max int, policy OverflowPolicy) {
	if max < 0 {
		max = 0
	}
	c.mu.Lock()
	c.maxBacklog = max
	c.policy = policy
	c.mu.Unlock()
}

// Dropped returns the number of values this consumer dropped because its
// backlog was at its limit.
func (c *Consumer[K, T]) Dropped() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// pushResult tells Write what a push did beyond queueing.
type pushResult uint8

const (
	pushed pushResult = iota
	pushedOverflowing
	pushEnded // the CloseConsumer policy ended the consumer
)

// overflowLocked applies the policy to a full queue; it reports whether the
// value should still be queued. c.mu must be held.
func (c *Consumer[K, T]) overflowLocked() (queue bool, res pushResult) {
	c.dropped++
	res = pushed
	if !c.overflowing {
		c.overflowing = true
		res = pushedOverflowing
	}
	switch c.policy {
	case DropNewest:
		return false, res
	case CloseConsumer:
		c.err = ErrSlowConsumer
		c.endLocked()
		return false, pushEnded
	default:
		c.q.pop()
		return true, res
	}
}

// caughtUpLocked clears the overflowing mark once the backlog is down to
// half the limit, so that the next overflow is reported again. c.mu must be
// held.
func (c *Consumer[K, T]) caughtUpLocked() {
	if c.overflowing && c.q.len() <= c.maxBacklog/2 {
		c.overflowing = false
	}
}
