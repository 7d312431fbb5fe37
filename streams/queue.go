package streams

import "unsafe"

// Sizes of the per-consumer ring buffer.
const (
	// ringMinCap is the capacity allocated on the first push for small
	// values.
	ringMinCap = 8
	// ringFirstBytes bounds the first buffer of a queue of large values
	// (events are a few hundred bytes): many consumers only ever get one
	// or two of them, as a socket's connect event.
	ringFirstBytes = 512
	// ringKeepCap is the largest capacity always kept when the queue
	// drains. A bigger buffer is kept only while the queue keeps filling a
	// good part of it; one left over from a past burst is released.
	ringKeepCap = 1024
)

// ring is an unbounded FIFO queue stored in a circular buffer whose
// capacity is a power of two. Storage is reused, so a queue whose length
// stays bounded stops allocating. It is not safe for concurrent use.
type ring[T any] struct {
	buf  []T
	head int
	n    int
	peak int // largest n since the queue was last empty
}

// len returns the number of queued values.
func (r *ring[T]) len() int { return r.n }

// push appends v at the tail, growing the buffer when it is full.
func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
	if r.n > r.peak {
		r.peak = r.n
	}
}

// pop removes and returns the value at the head. The queue must not be
// empty. The vacated slot is zeroed so the collector can free what it held.
func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	if r.n == 0 {
		r.head = 0
		if len(r.buf) > ringKeepCap && r.peak <= len(r.buf)/4 {
			r.buf = nil
		}
		r.peak = 0
	}
	return v
}

// reset drops every queued value and releases the buffer.
func (r *ring[T]) reset() {
	r.buf = nil
	r.head = 0
	r.n = 0
	r.peak = 0
}

// grow doubles the capacity of a full buffer, moving the values so the
// head lands at index 0.
func (r *ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = ringFirstCap[T]()
	}
	buf := make([]T, size)
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf = buf
	r.head = 0
}

// ringFirstCap is the capacity of a ring's first buffer: ringMinCap values,
// or fewer (a power of two, at least 2) where that many would take more
// than ringFirstBytes.
func ringFirstCap[T any]() int {
	var zero T
	size := int(unsafe.Sizeof(zero))
	c := ringMinCap
	for c > 2 && c*size > ringFirstBytes {
		c /= 2
	}
	return c
}
