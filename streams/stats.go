package streams

import "time"

// Stats describes one consumer of a demux.
type Stats[K comparable] struct {
	// ID is the consumer's id.
	ID uint64
	// Backpressure is the number of packets queued for the consumer and not
	// yet taken, a pending end packet included.
	Backpressure int
	// Timeout is the per-read timeout the consumer was created with; 0 when
	// it has none.
	Timeout time.Duration
	// Stream is the key of the stream the figures are listed under: the
	// first key for a multi-key consumer looked up by id, the zero K for a
	// wildcard consumer.
	Stream K
}

// statsLocked returns the figures of c listed under key. d.mu must be held.
func (c *Consumer[K, T]) statsLocked(key K) Stats[K] {
	c.mu.Lock()
	bp := c.backpressureLocked()
	c.mu.Unlock()
	return Stats[K]{ID: c.id, Backpressure: bp, Timeout: c.timeout, Stream: key}
}

// firstKey returns the key a consumer is reported under: its first key, or
// the zero K for a wildcard consumer.
func (c *Consumer[K, T]) firstKey() K {
	if c.wildcard {
		var zero K
		return zero
	}
	return c.keys[0]
}

// ConsumerStats returns the figures of the consumer with that id, and
// whether it exists.
func (d *Demux[K, T]) ConsumerStats(id uint64) (Stats[K], bool) {
	if d == nil {
		return Stats[K]{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.byID[id]
	if c == nil {
		return Stats[K]{}, false
	}
	return c.statsLocked(c.firstKey()), true
}

// ConsumerStatsList returns the figures of the consumers of key in creation
// order; the list is empty when the stream has none.
func (d *Demux[K, T]) ConsumerStatsList(key K) []Stats[K] {
	if d == nil {
		return []Stats[K]{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []Stats[K]{}
	if s := d.streams[key]; s != nil {
		out = appendStats(out, s)
	}
	return out
}

// AllConsumerStatsList returns the figures of every consumer, grouped by
// stream in stream-creation order with consumers in creation order. A
// multi-key consumer appears under each of its streams; wildcard consumers
// come last, listed under the zero K.
func (d *Demux[K, T]) AllConsumerStatsList() []Stats[K] {
	if d == nil {
		return []Stats[K]{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []Stats[K]{}
	for s := d.first; s != nil; s = s.next {
		out = appendStats(out, s)
	}
	var zero K
	for _, c := range d.wildcard {
		out = append(out, c.statsLocked(zero))
	}
	return out
}

// MatchingConsumerStatsList is AllConsumerStatsList restricted to the
// streams whose key satisfies match, without wildcard consumers. match is
// called with the demux locked and must not call back into it.
func (d *Demux[K, T]) MatchingConsumerStatsList(match func(K) bool) []Stats[K] {
	if d == nil {
		return []Stats[K]{}
	}
	out := []Stats[K]{}
	if match == nil {
		return out
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for s := d.first; s != nil; s = s.next {
		if match(s.key) {
			out = appendStats(out, s)
		}
	}
	return out
}

// appendStats appends the figures of the consumers of s. d.mu must be held.
func appendStats[K comparable, T any](out []Stats[K], s *stream[K, T]) []Stats[K] {
	for _, c := range s.consumers {
		out = append(out, c.statsLocked(s.key))
	}
	return out
}

// ConsumerCount returns the number of consumers of key, including those
// still draining after a Close.
func (d *Demux[K, T]) ConsumerCount(key K) int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.streams[key]; s != nil {
		return len(s.consumers)
	}
	return 0
}

// AllConsumerCount returns the number of consumers of the demux, wildcard
// consumers included; a multi-key consumer counts once.
func (d *Demux[K, T]) AllConsumerCount() int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.byID)
}

// Backpressure returns the largest backpressure among the consumers of key,
// 0 when it has none.
func (d *Demux[K, T]) Backpressure(key K) int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.streams[key]; s != nil {
		return maxBackpressure(0, s.consumers)
	}
	return 0
}

// AllBackpressure returns the largest backpressure among all consumers of
// the demux, wildcard consumers included; 0 when there are none.
func (d *Demux[K, T]) AllBackpressure() int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	m := 0
	for s := d.first; s != nil; s = s.next {
		m = maxBackpressure(m, s.consumers)
	}
	return maxBackpressure(m, d.wildcard)
}

// MatchingBackpressure returns the largest backpressure among the consumers
// of the streams whose key satisfies match, wildcard consumers excluded.
// match is called with the demux locked and must not call back into it.
func (d *Demux[K, T]) MatchingBackpressure(match func(K) bool) int {
	if d == nil {
		return 0
	}
	if match == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	m := 0
	for s := d.first; s != nil; s = s.next {
		if match(s.key) {
			m = maxBackpressure(m, s.consumers)
		}
	}
	return m
}

// maxBackpressure returns the larger of m and the backpressure of each
// consumer in list. d.mu must be held.
func maxBackpressure[K comparable, T any](m int, list []*Consumer[K, T]) int {
	for _, c := range list {
		c.mu.Lock()
		m = max(m, c.backpressureLocked())
		c.mu.Unlock()
	}
	return m
}

// ConsumerBackpressure returns the backpressure of the consumer with that
// id, 0 if it does not exist.
func (d *Demux[K, T]) ConsumerBackpressure(id uint64) int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	c := d.byID[id]
	d.mu.Unlock()
	if c == nil {
		return 0
	}
	return c.Backpressure()
}

// HasConsumer reports whether the stream of key has the consumer with that
// id.
func (d *Demux[K, T]) HasConsumer(key K, id uint64) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.byID[id]
	if c == nil || c.wildcard {
		return false
	}
	for _, k := range c.keys {
		if k == key {
			return true
		}
	}
	return false
}

// HasAnyConsumer reports whether the demux has the consumer with that id.
func (d *Demux[K, T]) HasAnyConsumer(id uint64) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.byID[id] != nil
}

// ConsumerKey returns the key of the stream the consumer with that id
// belongs to (its first key if it reads several, the zero K for a wildcard
// consumer), and whether the consumer exists.
func (d *Demux[K, T]) ConsumerKey(id uint64) (K, bool) {
	if d == nil {
		var zero K
		return zero, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.byID[id]
	if c == nil {
		var zero K
		return zero, false
	}
	return c.firstKey(), true
}

// Keys returns the keys of the streams that currently have consumers, in
// stream-creation order.
func (d *Demux[K, T]) Keys() []K {
	if d == nil {
		return []K{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]K, 0, len(d.streams))
	for s := d.first; s != nil; s = s.next {
		out = append(out, s.key)
	}
	return out
}
