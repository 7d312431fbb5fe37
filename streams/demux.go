package streams

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Demux is a family of streams told apart by a key of type K, each carrying
// values of type T. A stream exists only while it has consumers; values
// written to a key nobody consumes are discarded.
//
// Every method is safe for concurrent use. The zero value is ready to use
// with the default Config. A nil *Demux is an empty one that stays empty:
// writes to it are dropped, lookups find nothing and closes do nothing;
// only Stream and NewConsumer need a real one.
//
// Locking: mu guards the stream table, the consumer index and each
// consumer's removed flag. A consumer's own mutex guards its queue and
// state. When both are needed, mu is taken first.
type Demux[K comparable, T any] struct {
	cfg Config

	// live counts registered consumers so that Write can return without
	// locking when there are none.
	live atomic.Int64

	mu       sync.Mutex
	lastID   uint64
	streams  map[K]*stream[K, T]
	first    *stream[K, T] // oldest stream; streams form a list in creation order
	last     *stream[K, T] // newest stream
	wildcard []*Consumer[K, T]
	byID     map[uint64]*Consumer[K, T]
}

// stream is the set of consumers of one key, in creation order. It is a
// node of the demux's list of streams.
type stream[K comparable, T any] struct {
	key       K
	consumers []*Consumer[K, T]
	prev      *stream[K, T]
	next      *stream[K, T]
}

// NewDemux returns an empty Demux using cfg.
func NewDemux[K comparable, T any](cfg Config) *Demux[K, T] {
	return &Demux[K, T]{cfg: cfg}
}

// Write sends v to every live consumer of key and to every wildcard
// consumer. It never blocks on a consumer: each one queues what it has not
// taken yet. With no consumer, v is discarded.
func (d *Demux[K, T]) Write(key K, v T) {
	if d == nil {
		return
	}
	if d.live.Load() == 0 {
		return
	}
	var overflows []Overflow
	d.mu.Lock()
	if s := d.streams[key]; s != nil {
		for i := 0; i < len(s.consumers); i++ {
			c := s.consumers[i]
			if res := c.push(v); res != pushed {
				overflows = append(overflows, d.overflowLocked(c, key, res))
				if res == pushEnded {
					i-- // c was removed from the list; the next one moved to i
				}
			}
		}
	}
	for i := 0; i < len(d.wildcard); i++ {
		c := d.wildcard[i]
		if res := c.push(v); res != pushed {
			overflows = append(overflows, d.overflowLocked(c, key, res))
			if res == pushEnded {
				i--
			}
		}
	}
	d.mu.Unlock()
	if d.cfg.OnOverflow != nil {
		for _, o := range overflows {
			d.cfg.OnOverflow(o)
		}
	}
}

// overflowLocked builds the report of an overflowing push and removes a
// consumer the CloseConsumer policy ended. d.mu must be held.
func (d *Demux[K, T]) overflowLocked(c *Consumer[K, T], key K, res pushResult) Overflow {
	if res == pushEnded {
		d.removeLocked(c)
	}
	c.mu.Lock()
	o := Overflow{Key: key, ConsumerID: c.id, Policy: c.policy, Dropped: c.dropped}
	c.mu.Unlock()
	return o
}

// Stream returns a handle on the stream of key. It is cheap and creates no
// consumer.
func (d *Demux[K, T]) Stream(key K) Stream[K, T] {
	return Stream[K, T]{d: d, key: key}
}

// NewConsumer registers a consumer of every key in keys and returns it. It
// receives everything written to those keys from now on, in write order,
// and ends when any of its keys is closed (after draining what was written
// before the close) or killed. Duplicate keys count once. With no keys it
// is a wildcard consumer of every key, ended only by CloseAll, KillAll,
// KillConsumer or its own Close.
//
// A timeout above zero bounds each wait for the next value: when it expires
// the read fails with the Config's timeout error and the consumer is
// removed. Zero or a negative timeout means no limit.
func (d *Demux[K, T]) NewConsumer(keys []K, timeout time.Duration) *Consumer[K, T] {
	c := &Consumer[K, T]{d: d, wake: make(chan struct{}, 1), maxBacklog: max(d.cfg.MaxBacklog, 0), policy: d.cfg.Overflow}
	if timeout > 0 {
		c.timeout = timeout
	}
	switch len(keys) {
	case 0:
		c.wildcard = true
	case 1:
		c.key1[0] = keys[0]
		c.keys = c.key1[:]
	default:
		c.keys = uniqueKeys(keys)
	}

	d.mu.Lock()
	if d.byID == nil {
		d.byID = make(map[uint64]*Consumer[K, T])
		d.streams = make(map[K]*stream[K, T])
	}
	d.lastID++
	c.id = d.lastID
	d.byID[c.id] = c
	if c.wildcard {
		d.wildcard = append(d.wildcard, c)
	} else {
		for _, k := range c.keys {
			s := d.streamLocked(k)
			s.consumers = append(s.consumers, c)
		}
	}
	d.live.Add(1)
	d.mu.Unlock()
	return c
}

// uniqueKeys returns a copy of keys without repeats, first occurrences
// kept in order.
func uniqueKeys[K comparable](keys []K) []K {
	out := make([]K, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// streamLocked returns the stream of key, creating it at the end of the
// creation order if it does not exist. d.mu must be held.
func (d *Demux[K, T]) streamLocked(key K) *stream[K, T] {
	if s := d.streams[key]; s != nil {
		return s
	}
	s := &stream[K, T]{key: key, prev: d.last}
	if d.last != nil {
		d.last.next = s
	} else {
		d.first = s
	}
	d.last = s
	d.streams[key] = s
	return s
}

// unlinkLocked forgets a stream that has lost its last consumer. d.mu must
// be held.
func (d *Demux[K, T]) unlinkLocked(s *stream[K, T]) {
	if s.prev != nil {
		s.prev.next = s.next
	} else {
		d.first = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	} else {
		d.last = s.prev
	}
	s.prev, s.next = nil, nil
	delete(d.streams, s.key)
}

// removeLocked unregisters c from every stream it belongs to, dropping the
// streams it leaves empty. Removing twice is harmless. d.mu must be held.
func (d *Demux[K, T]) removeLocked(c *Consumer[K, T]) {
	if c.removed {
		return
	}
	c.removed = true
	delete(d.byID, c.id)
	d.live.Add(-1)
	defer d.dropMapsIfIdleLocked()
	if c.wildcard {
		d.wildcard = deleteConsumer(d.wildcard, c)
		return
	}
	for _, k := range c.keys {
		s := d.streams[k]
		if s == nil {
			continue
		}
		s.consumers = deleteConsumer(s.consumers, c)
		if len(s.consumers) == 0 {
			d.unlinkLocked(s)
		}
	}
}

// dropMapsIfIdleLocked lets the consumer and stream maps go once the last
// consumer has left: a map keeps its memory after its entries are deleted,
// and sockets that listened once should not pay for it while idle. d.mu
// must be held.
func (d *Demux[K, T]) dropMapsIfIdleLocked() {
	if len(d.byID) == 0 {
		d.byID, d.streams = nil, nil
	}
}

// deleteConsumer removes c from list, keeping the order of the others.
func deleteConsumer[K comparable, T any](list []*Consumer[K, T], c *Consumer[K, T]) []*Consumer[K, T] {
	if i := slices.Index(list, c); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return list
}
