package streams

import (
	"context"
	"iter"
	"time"
)

// Stream is a handle on the stream of one key of a Demux. It is a small
// value, cheap to copy, and holds no consumer by itself: the stream exists
// only while consumers created from it (or from the demux) are alive.
type Stream[K comparable, T any] struct {
	d   *Demux[K, T]
	key K
}

// Key returns the key of the stream.
func (s Stream[K, T]) Key() K { return s.key }

// CreateConsumer registers a consumer of the stream now and returns it; it
// receives every value written from this moment on. A timeout above zero
// bounds each wait for the next value (see Demux.NewConsumer).
func (s Stream[K, T]) CreateConsumer(timeout time.Duration) *Consumer[K, T] {
	return s.d.NewConsumer([]K{s.key}, timeout)
}

// All registers a consumer when All is called, not when ranging starts, so
// nothing written in between is lost, and returns an iterator over its
// values. Ranging ends with the stream; breaking out of the loop removes the
// consumer. The returned iterator must be ranged over: until then its
// consumer queues every value written to the stream.
func (s Stream[K, T]) All() iter.Seq[T] {
	return s.CreateConsumer(0).All()
}

// Next waits for the next value written to the stream, using a consumer
// that lives only for this call. It returns ok false if the stream ends
// first, and ctx.Err() if ctx is done first.
func (s Stream[K, T]) Next(ctx context.Context) (v T, ok bool, err error) {
	c := s.CreateConsumer(0)
	defer c.Close()
	return c.Next(ctx)
}

// Once is like Next but returns ErrEnded when the stream ends before a
// value arrives.
func (s Stream[K, T]) Once(ctx context.Context) (T, error) {
	v, ok, err := s.Next(ctx)
	if err == nil && !ok {
		err = ErrEnded
	}
	return v, err
}
