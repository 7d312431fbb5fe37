package streams

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitLimit bounds every blocking read in the tests so a bug shows up as a
// failure instead of a hang.
const waitLimit = 5 * time.Second

// newTestDemux returns a demux of int values keyed by string.
func newTestDemux() *Demux[string, int] {
	return NewDemux[string, int](Config{})
}

// mustValue reads the next value of c and fails unless it is want.
func mustValue[K comparable, T any](t *testing.T, c *Consumer[K, T], want T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	v, ok, err := c.Next(ctx)
	require.NoError(t, err)
	require.True(t, ok, "stream ended, wanted %v", want)
	require.Equal(t, want, v)
}

// mustEnd reads from c and fails unless the stream has ended normally.
func mustEnd[K comparable, T any](t *testing.T, c *Consumer[K, T]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	v, ok, err := c.Next(ctx)
	require.NoError(t, err)
	require.False(t, ok, "got %v, wanted the end", v)
}

// mustBlock checks that a read of c finds nothing within a short time.
func mustBlock[K comparable, T any](t *testing.T, c *Consumer[K, T]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	v, ok, err := c.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "got value %v (ok=%v)", v, ok)
	require.False(t, ok)
}

// nextAsync starts a read of c in a goroutine and returns the channel its
// result is sent on.
func nextAsync[K comparable, T any](c *Consumer[K, T]) <-chan result[T] {
	out := make(chan result[T], 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		v, ok, err := c.Next(ctx)
		out <- result[T]{v, ok, err}
	}()
	return out
}

// result is the outcome of one Next call.
type result[T any] struct {
	v   T
	ok  bool
	err error
}

// receive waits for the result of nextAsync.
func receive[T any](t *testing.T, ch <-chan result[T]) result[T] {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitLimit):
		t.Fatal("read did not return")
		return result[T]{}
	}
}

// waitBlocked gives a reader started with nextAsync time to block.
func waitBlocked[K comparable, T any](t *testing.T, c *Consumer[K, T]) {
	t.Helper()
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.waiters > 0
	}, waitLimit, time.Millisecond)
}
