package streams

import "slices"

// Close ends the stream of key gracefully: each of its consumers first
// takes every value written before the close, then sees the end and is
// removed. Values written afterwards do not reach those consumers, but a
// consumer created after the close receives them.
func (d *Demux[K, T]) Close(key K) {
	if d == nil {
		return
	}
	d.mu.Lock()
	if s := d.streams[key]; s != nil {
		closeConsumers(s.consumers)
	}
	d.mu.Unlock()
}

// CloseAll closes every stream and ends every wildcard consumer in the same
// graceful way as Close.
func (d *Demux[K, T]) CloseAll() {
	if d == nil {
		return
	}
	d.mu.Lock()
	for s := d.first; s != nil; s = s.next {
		closeConsumers(s.consumers)
	}
	closeConsumers(d.wildcard)
	d.mu.Unlock()
}

// CloseMatching closes, as Close does, every stream whose key satisfies
// match. Wildcard consumers are not affected. match is called with the
// demux locked and must not call back into it.
func (d *Demux[K, T]) CloseMatching(match func(K) bool) {
	if d == nil {
		return
	}
	if match == nil {
		return
	}
	d.mu.Lock()
	for s := d.first; s != nil; s = s.next {
		if match(s.key) {
			closeConsumers(s.consumers)
		}
	}
	d.mu.Unlock()
}

// closeConsumers queues an end packet for each consumer in list.
func closeConsumers[K comparable, T any](list []*Consumer[K, T]) {
	for _, c := range list {
		c.closeQueue()
	}
}

// Kill ends every consumer of key at once: the values queued for them are
// discarded, their backpressure drops to 0, they are removed, and a read
// waiting on one of them returns the end of the stream immediately.
func (d *Demux[K, T]) Kill(key K) {
	if d == nil {
		return
	}
	d.mu.Lock()
	if s := d.streams[key]; s != nil {
		d.killLocked(slices.Clone(s.consumers))
	}
	d.mu.Unlock()
}

// KillAll kills every consumer of the demux, wildcard consumers included.
func (d *Demux[K, T]) KillAll() {
	if d == nil {
		return
	}
	d.mu.Lock()
	var all []*Consumer[K, T]
	for s := d.first; s != nil; s = s.next {
		all = append(all, s.consumers...)
	}
	all = append(all, d.wildcard...)
	d.killLocked(all)
	d.mu.Unlock()
}

// KillMatching kills, as Kill does, every stream whose key satisfies
// match. Wildcard consumers are not affected. match is called with the
// demux locked and must not call back into it.
func (d *Demux[K, T]) KillMatching(match func(K) bool) {
	if d == nil {
		return
	}
	if match == nil {
		return
	}
	d.mu.Lock()
	var hit []*Consumer[K, T]
	for s := d.first; s != nil; s = s.next {
		if match(s.key) {
			hit = append(hit, s.consumers...)
		}
	}
	d.killLocked(hit)
	d.mu.Unlock()
}

// KillConsumer kills the consumer with that id and reports whether it
// existed.
func (d *Demux[K, T]) KillConsumer(id uint64) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.byID[id]
	if c == nil {
		return false
	}
	c.kill()
	d.removeLocked(c)
	return true
}

// killLocked kills and removes every consumer in list; a consumer listed
// more than once is handled once. d.mu must be held.
func (d *Demux[K, T]) killLocked(list []*Consumer[K, T]) {
	for _, c := range list {
		if c.removed {
			continue
		}
		c.kill()
		d.removeLocked(c)
	}
}
