package streams

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConsumerIDsStartAtOneAndAreNeverReused(t *testing.T) {
	d := newTestDemux()
	a := d.Stream("a").CreateConsumer(0)
	b := d.Stream("b").CreateConsumer(0)
	require.Equal(t, uint64(1), a.ID())
	require.Equal(t, uint64(2), b.ID())
	a.Close()
	b.Close()
	require.Zero(t, d.AllConsumerCount())
	c := d.Stream("a").CreateConsumer(0)
	require.Equal(t, uint64(3), c.ID())
	w := d.NewConsumer(nil, 0)
	require.Equal(t, uint64(4), w.ID())

	other := newTestDemux()
	require.Equal(t, uint64(1), other.Stream("a").CreateConsumer(0).ID(), "each demux counts on its own")
	c.Close()
	w.Close()
}

func TestWriteWithoutConsumerIsDiscarded(t *testing.T) {
	d := newTestDemux()
	d.Write("a", 1)
	other := d.Stream("b").CreateConsumer(0)
	d.Write("a", 2) // the demux has a consumer, but not for "a"
	c := d.Stream("a").CreateConsumer(0)
	require.Zero(t, c.Backpressure())
	mustBlock(t, c)
	d.Write("a", 3)
	mustValue(t, c, 3)
	require.Zero(t, other.Backpressure())
	c.Close()
	other.Close()
}

func TestConsumerSeesOnlyLaterWritesInOrder(t *testing.T) {
	d := newTestDemux()
	first := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	d.Write("a", 2)
	second := d.Stream("a").CreateConsumer(0)
	d.Write("a", 3)
	d.Write("b", 99)
	d.Write("a", 4)
	for _, v := range []int{1, 2, 3, 4} {
		mustValue(t, first, v)
	}
	mustValue(t, second, 3)
	mustValue(t, second, 4)
	mustBlock(t, first)
	mustBlock(t, second)
	first.Close()
	second.Close()
}

func TestStreamExistsOnlyWhileItHasConsumers(t *testing.T) {
	d := newTestDemux()
	require.Empty(t, d.Keys())
	d.Stream("a") // a handle creates nothing
	require.Empty(t, d.Keys())

	a1 := d.Stream("a").CreateConsumer(0)
	b := d.Stream("b").CreateConsumer(0)
	a2 := d.Stream("a").CreateConsumer(0)
	c := d.Stream("c").CreateConsumer(0)
	require.Equal(t, []string{"a", "b", "c"}, d.Keys())
	require.Equal(t, 2, d.ConsumerCount("a"))

	a1.Close()
	require.Equal(t, []string{"a", "b", "c"}, d.Keys(), "a still has a consumer")
	a2.Close()
	require.Equal(t, []string{"b", "c"}, d.Keys())
	require.Zero(t, d.ConsumerCount("a"))

	a3 := d.Stream("a").CreateConsumer(0)
	require.Equal(t, []string{"b", "c", "a"}, d.Keys(), "a re-created stream goes last")
	require.Equal(t, []uint64{2, 4, 5}, statIDs(d.AllConsumerStatsList()))

	b.Close()
	require.Equal(t, []string{"c", "a"}, d.Keys())
	c.Close()
	a3.Close()
	require.Empty(t, d.Keys())
}

func TestSlowConsumerDoesNotBlockWriterOrOthers(t *testing.T) {
	d := newTestDemux()
	slow := d.Stream("a").CreateConsumer(0)
	fast := d.Stream("a").CreateConsumer(0)
	const n = 100_000
	done := make(chan int)
	go func() {
		sum := 0
		for v := range fast.All() {
			sum += v
		}
		done <- sum
	}()
	for i := 0; i < n; i++ {
		d.Write("a", 1)
	}
	d.Close("a")
	require.Equal(t, n, <-done)
	require.Equal(t, n+1, slow.Backpressure(), "every value plus the end packet waits for the slow consumer")
	slow.Close()
	require.Zero(t, d.AllConsumerCount())
}

func TestZeroValueDemuxIsUsable(t *testing.T) {
	var d Demux[string, int]
	d.Write("a", 1)
	require.Empty(t, d.Keys())
	require.Zero(t, d.AllBackpressure())
	c := d.Stream("a").CreateConsumer(0)
	d.Write("a", 2)
	mustValue(t, c, 2)
	d.Kill("a")
	mustEnd(t, c)
}

func TestDuplicateKeysCountOnce(t *testing.T) {
	d := newTestDemux()
	c := d.NewConsumer([]string{"a", "b", "a"}, 0)
	d.Write("a", 1)
	mustValue(t, c, 1)
	mustBlock(t, c)
	require.Equal(t, 1, d.ConsumerCount("a"))
	require.Len(t, d.AllConsumerStatsList(), 2)
	c.Close()
	require.Empty(t, d.Keys())
}

// statIDs returns the ids of a stats list, in order.
func statIDs[K comparable](list []Stats[K]) []uint64 {
	ids := make([]uint64, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}

func TestSteadyStateWriteAndNextDoNotAllocate(t *testing.T) {
	d := NewDemux[string, [6]int64](Config{})
	c := d.Stream("a").CreateConsumer(0)
	timed := d.Stream("a").CreateConsumer(time.Minute)
	w := d.NewConsumer(nil, 0)
	ctx := context.Background()
	var v [6]int64
	step := func() {
		d.Write("a", v)
		d.Write("a", v)
		d.Write("b", v)
		for _, cons := range []*Consumer[string, [6]int64]{c, c, timed, timed, w, w, w} {
			if _, ok, err := cons.Next(ctx); !ok || err != nil {
				t.Fatalf("read failed: ok=%v err=%v", ok, err)
			}
		}
	}
	step() // first use allocates the queues
	require.Zero(t, testing.AllocsPerRun(200, step))
	d.KillAll()
}

// Once the last consumer has gone, the demux holds no maps, so an idle
// socket that listened once keeps no memory for it; new consumers work.
func TestDemuxDropsItsMapsWhenIdle(t *testing.T) {
	d := NewDemux[string, int](Config{})
	a := d.NewConsumer([]string{"x"}, 0)
	all := d.NewConsumer(nil, 0)
	d.Write("x", 1)
	a.Close()
	if d.byID == nil {
		t.Fatal("maps dropped while a wildcard consumer is still there")
	}
	all.Close()
	if d.byID != nil || d.streams != nil {
		t.Fatalf("maps kept after the last consumer left: %d ids, %d streams", len(d.byID), len(d.streams))
	}
	b := d.NewConsumer([]string{"x"}, 0)
	d.Write("x", 2)
	v, ok, err := b.Next(context.Background())
	if err != nil || !ok || v != 2 {
		t.Fatalf("consumer after the maps were dropped got %v %v %v", v, ok, err)
	}
}

func TestNilDemuxIsEmpty(t *testing.T) {
	var d *Demux[string, int]
	d.Write("a", 1)
	d.Close("a")
	d.CloseAll()
	d.CloseMatching(func(string) bool { return true })
	d.Kill("a")
	d.KillAll()
	d.KillMatching(func(string) bool { return true })
	require.False(t, d.KillConsumer(1))
	_, ok := d.ConsumerStats(1)
	require.False(t, ok)
	require.Equal(t, []Stats[string]{}, d.ConsumerStatsList("a"))
	require.Equal(t, []Stats[string]{}, d.AllConsumerStatsList())
	require.Equal(t, []Stats[string]{}, d.MatchingConsumerStatsList(func(string) bool { return true }))
	require.Zero(t, d.ConsumerCount("a"))
	require.Zero(t, d.AllConsumerCount())
	require.Zero(t, d.Backpressure("a"))
	require.Zero(t, d.AllBackpressure())
	require.Zero(t, d.MatchingBackpressure(func(string) bool { return true }))
	require.Zero(t, d.ConsumerBackpressure(1))
	require.False(t, d.HasConsumer("a", 1))
	require.False(t, d.HasAnyConsumer(1))
	_, ok = d.ConsumerKey(1)
	require.False(t, ok)
	require.Equal(t, []string{}, d.Keys())
}
