package streams

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTimeoutFailsReadAndRemovesConsumer(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(30 * time.Millisecond)
	start := time.Now()
	v, ok, err := c.Next(context.Background())
	require.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	require.False(t, ok)
	require.Zero(t, v)

	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	require.Equal(t, "Stream consumer iteration timed out", err.Error())
	require.Equal(t, "TimeoutError", te.Name())
	require.Same(t, err, c.Err())

	require.False(t, d.HasAnyConsumer(c.ID()))
	require.Empty(t, d.Keys())
	d.Write("a", 1)
	mustEnd(t, c) // once timed out, the consumer reports the end
}

func TestTimeoutUsesConfiguredError(t *testing.T) {
	custom := errors.New("custom timeout")
	d := NewDemux[string, int](Config{NewTimeoutError: func() error { return custom }})
	c := d.Stream("a").CreateConsumer(10 * time.Millisecond)
	_, ok, err := c.Next(context.Background())
	require.False(t, ok)
	require.Same(t, custom, err)

	// A builder returning nil falls back to the default error.
	d2 := NewDemux[string, int](Config{NewTimeoutError: func() error { return nil }})
	c2 := d2.Stream("a").CreateConsumer(10 * time.Millisecond)
	_, _, err = c2.Next(context.Background())
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
}

func TestTimeoutBoundsEachWaitSeparately(t *testing.T) {
	d := newTestDemux()
	// Values come every 50ms, twelve of them: 600ms in all, well over the
	// timeout, while each wait stays far below it.
	const timeout, every, count = 400 * time.Millisecond, 50 * time.Millisecond, 12
	c := d.Stream("a").CreateConsumer(timeout)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= count; i++ {
			select {
			case <-time.After(every):
				d.Write("a", i)
			case <-stop:
				return
			}
		}
	}()
	for i := 1; i <= count; i++ {
		v, ok, err := c.Next(context.Background())
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	close(stop)
	wg.Wait()
	_, ok, err := c.Next(context.Background())
	require.False(t, ok)
	require.Error(t, err)
}

func TestQueuedValueBeatsTimeout(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(10 * time.Millisecond)
	d.Write("a", 1)
	time.Sleep(30 * time.Millisecond)
	mustValue(t, c, 1)
	d.Close("a")
	time.Sleep(30 * time.Millisecond)
	mustEnd(t, c)
	require.NoError(t, c.Err(), "a normal end is not a timeout")
}

func TestTimeoutAppearsOnlyInStatsOfTimedConsumers(t *testing.T) {
	d := newTestDemux()
	plain := d.Stream("a").CreateConsumer(0)
	timed := d.Stream("a").CreateConsumer(time.Minute)
	negative := d.Stream("a").CreateConsumer(-time.Second)
	st, ok := d.ConsumerStats(plain.ID())
	require.True(t, ok)
	require.Zero(t, st.Timeout)
	st, ok = d.ConsumerStats(timed.ID())
	require.True(t, ok)
	require.Equal(t, time.Minute, st.Timeout)
	st, _ = d.ConsumerStats(negative.ID())
	require.Zero(t, st.Timeout, "a negative timeout means none")
	mustBlock(t, negative)
	d.KillAll()
}

func TestAllStopsOnTimeoutAndErrTellsWhy(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(20 * time.Millisecond)
	d.Write("a", 1)
	d.Write("a", 2)
	var got []int
	for v := range c.All() {
		got = append(got, v)
	}
	require.Equal(t, []int{1, 2}, got)
	var te *TimeoutError
	require.ErrorAs(t, c.Err(), &te)
	require.Zero(t, d.AllConsumerCount())
}

func TestContextCancelKeepsConsumerUsable(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, ok, err := c.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ok)
	require.True(t, d.HasConsumer("a", c.ID()))

	d.Write("a", 1)
	v, ok, err := c.Next(ctx)
	require.NoError(t, err, "a queued value is returned even with ctx done")
	require.True(t, ok)
	require.Equal(t, 1, v)

	res := nextAsync(c)
	waitBlocked(t, c)
	d.Write("a", 2)
	require.Equal(t, 2, receive(t, res).v)
	c.Close()
}

func TestContextCancelWakesTimedReader(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err := c.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The consumer's reused timer must be disarmed and usable again.
	d.Write("a", 5)
	mustValue(t, c, 5)
	c.Close()
}

func TestConsumerCloseRemovesNow(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	d.Write("a", 2)
	c.Close()
	require.Zero(t, c.Backpressure())
	require.Zero(t, d.ConsumerCount("a"))
	mustEnd(t, c)
	c.Close() // twice is harmless
	require.NoError(t, c.Err())

	blocked := d.Stream("a").CreateConsumer(0)
	res := nextAsync(blocked)
	waitBlocked(t, blocked)
	blocked.Close()
	r := receive(t, res)
	require.False(t, r.ok)
	require.NoError(t, r.err)
}

func TestConcurrentReadersShareValuesOfOneConsumer(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	const readers, n = 4, 20_000
	var (
		mu   sync.Mutex
		seen = make(map[int]int)
		wg   sync.WaitGroup
	)
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v, ok, err := c.Next(context.Background())
				if err != nil || !ok {
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		d.Write("a", i)
	}
	d.Close("a")
	wg.Wait()
	require.Len(t, seen, n)
	for v, count := range seen {
		require.Equal(t, 1, count, "value %d", v)
	}
}

func TestConcurrentTimedReadersAllTimeOut(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(20 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := c.Next(context.Background())
			if ok {
				err = errors.New("unexpected value")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	timeouts := 0
	for err := range errs {
		var te *TimeoutError
		if errors.As(err, &te) {
			timeouts++
		} else {
			require.NoError(t, err, "other readers see a plain end")
		}
	}
	require.GreaterOrEqual(t, timeouts, 1)
	require.Zero(t, d.AllConsumerCount())
}
