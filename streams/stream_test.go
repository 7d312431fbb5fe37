package streams

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStreamKey(t *testing.T) {
	d := newTestDemux()
	require.Equal(t, "a", d.Stream("a").Key())
}

func TestStreamAllRegistersWhenCalled(t *testing.T) {
	d := newTestDemux()
	values := d.Stream("a").All()
	require.Equal(t, 1, d.ConsumerCount("a"), "registered before the range starts")
	d.Write("a", 1)
	d.Write("a", 2)
	d.Close("a")
	var got []int
	for v := range values {
		got = append(got, v)
	}
	require.Equal(t, []int{1, 2}, got)
	require.Zero(t, d.ConsumerCount("a"))
}

func TestBreakingOutOfRangeFreesTheConsumer(t *testing.T) {
	d := newTestDemux()
	values := d.Stream("a").All()
	for i := 1; i <= 5; i++ {
		d.Write("a", i)
	}
	require.Equal(t, 5, d.Backpressure("a"))
	for v := range values {
		if v == 2 {
			break
		}
	}
	require.Zero(t, d.ConsumerCount("a"))
	require.Zero(t, d.AllConsumerCount())
	require.Empty(t, d.Keys())
}

func TestBreakingOutOfConsumerRangeClosesIt(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	d.Write("a", 2)
	for range c.All() {
		break
	}
	require.False(t, d.HasAnyConsumer(c.ID()))
	mustEnd(t, c)
}

func TestRangeInAnotherGoroutineLosesNothing(t *testing.T) {
	d := newTestDemux()
	values := d.Stream("a").All()
	sum := make(chan int)
	for i := 1; i <= 100; i++ {
		d.Write("a", i)
	}
	go func() {
		s := 0
		for v := range values {
			s += v
		}
		sum <- s
	}()
	d.Close("a")
	require.Equal(t, 5050, <-sum)
}

func TestStreamNext(t *testing.T) {
	d := newTestDemux()
	s := d.Stream("a")

	done := make(chan result[int], 1)
	go func() {
		v, ok, err := s.Next(context.Background())
		done <- result[int]{v, ok, err}
	}()
	require.Eventually(t, func() bool { return d.ConsumerCount("a") == 1 }, waitLimit, time.Millisecond)
	d.Write("a", 7)
	r := receive(t, done)
	require.NoError(t, r.err)
	require.True(t, r.ok)
	require.Equal(t, 7, r.v)
	require.Zero(t, d.ConsumerCount("a"), "the one-shot consumer is removed")

	go func() {
		v, ok, err := s.Next(context.Background())
		done <- result[int]{v, ok, err}
	}()
	require.Eventually(t, func() bool { return d.ConsumerCount("a") == 1 }, waitLimit, time.Millisecond)
	d.Close("a")
	r = receive(t, done)
	require.NoError(t, r.err)
	require.False(t, r.ok)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, ok, err := s.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, ok)
	require.Zero(t, d.AllConsumerCount())
}

func TestStreamOnce(t *testing.T) {
	d := newTestDemux()
	s := d.Stream("a")
	type onceResult struct {
		v   int
		err error
	}
	done := make(chan onceResult, 1)

	go func() {
		v, err := s.Once(context.Background())
		done <- onceResult{v, err}
	}()
	require.Eventually(t, func() bool { return d.ConsumerCount("a") == 1 }, waitLimit, time.Millisecond)
	d.Write("a", 3)
	r := <-done
	require.NoError(t, r.err)
	require.Equal(t, 3, r.v)

	go func() {
		v, err := s.Once(context.Background())
		done <- onceResult{v, err}
	}()
	require.Eventually(t, func() bool { return d.ConsumerCount("a") == 1 }, waitLimit, time.Millisecond)
	d.Kill("a")
	select {
	case r = <-done:
	case <-time.After(waitLimit):
		t.Fatal("Once hung after the stream was killed")
	}
	require.ErrorIs(t, r.err, ErrEnded)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Once(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, d.AllConsumerCount())
}
