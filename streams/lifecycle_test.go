package streams

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBackpressureCountsTheEndPacket(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	for i := 1; i <= 20; i++ {
		d.Write("a", i)
	}
	d.Close("a")
	require.Equal(t, 21, c.Backpressure())
	require.Equal(t, 21, d.Backpressure("a"))
	for i := 1; i <= 20; i++ {
		mustValue(t, c, i)
		require.Equal(t, 21-i, c.Backpressure(), "after taking value %d", i)
		require.Equal(t, 21-i, d.ConsumerBackpressure(c.ID()))
		require.Equal(t, 21-i, d.AllBackpressure())
	}
	require.Equal(t, 1, c.Backpressure(), "the end packet remains")
	require.Equal(t, 1, d.ConsumerCount("a"))
	mustEnd(t, c)
	require.Zero(t, c.Backpressure())
	require.Zero(t, d.Backpressure("a"))
	require.Zero(t, d.ConsumerCount("a"))
	require.False(t, d.HasAnyConsumer(c.ID()))
	require.Empty(t, d.Keys())
	require.NoError(t, c.Err())
	mustEnd(t, c) // later reads keep reporting the end
}

func TestCloseDrainsThenEndsAndLateConsumerContinues(t *testing.T) {
	d := newTestDemux()
	old := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	d.Write("a", 2)
	d.Close("a")
	d.Write("a", 3) // no consumer left that can see it
	late := d.Stream("a").CreateConsumer(0)
	d.Write("a", 4)
	d.Write("a", 5)

	require.Equal(t, 2, d.ConsumerCount("a"), "the draining consumer still counts")
	require.Equal(t, []uint64{old.ID(), late.ID()}, statIDs(d.ConsumerStatsList("a")))
	require.Equal(t, 3, old.Backpressure())
	require.Equal(t, 2, late.Backpressure())

	mustValue(t, old, 1)
	mustValue(t, old, 2)
	mustEnd(t, old)
	require.Equal(t, 1, d.ConsumerCount("a"))
	require.Equal(t, []string{"a"}, d.Keys())

	mustValue(t, late, 4)
	mustValue(t, late, 5)
	mustBlock(t, late)
	d.Close("a")
	mustEnd(t, late)
	require.Empty(t, d.Keys())
}

func TestCloseTwiceQueuesOneEnd(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	d.Close("a")
	d.Close("a")
	require.Equal(t, 2, c.Backpressure())
	mustValue(t, c, 1)
	mustEnd(t, c)
}

func TestCloseWakesBlockedReader(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	res := nextAsync(c)
	waitBlocked(t, c)
	d.Close("a")
	r := receive(t, res)
	require.NoError(t, r.err)
	require.False(t, r.ok)
	require.Zero(t, d.AllConsumerCount())
}

func TestKillDiscardsBufferedValues(t *testing.T) {
	d := newTestDemux()
	c1 := d.Stream("a").CreateConsumer(0)
	c2 := d.Stream("a").CreateConsumer(0)
	keep := d.Stream("b").CreateConsumer(0)
	d.Write("a", 1)
	d.Write("a", 2)
	d.Close("a")
	require.Equal(t, 3, d.Backpressure("a"))

	d.Kill("a")
	require.Zero(t, c1.Backpressure())
	require.Zero(t, c2.Backpressure())
	require.Zero(t, d.Backpressure("a"))
	require.Zero(t, d.ConsumerCount("a"))
	require.Equal(t, []string{"b"}, d.Keys())
	mustEnd(t, c1)
	mustEnd(t, c2)
	require.NoError(t, c1.Err())

	d.Write("a", 3)
	mustEnd(t, c1)
	d.Write("b", 4)
	mustValue(t, keep, 4)
	keep.Close()
}

func TestKillWakesBlockedReader(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	res := nextAsync(c)
	waitBlocked(t, c)
	d.Kill("a")
	r := receive(t, res)
	require.NoError(t, r.err)
	require.False(t, r.ok)
}

func TestKilledIdleConsumerReturnsEnd(t *testing.T) {
	d := newTestDemux()
	c := d.Stream("a").CreateConsumer(0)
	d.Kill("a")
	mustEnd(t, c)
	c2 := d.Stream("b").CreateConsumer(0)
	require.True(t, d.KillConsumer(c2.ID()))
	mustEnd(t, c2)
}

func TestKillConsumerEndsOnlyThatConsumer(t *testing.T) {
	d := newTestDemux()
	c1 := d.Stream("a").CreateConsumer(0)
	c2 := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	res := nextAsync(c1)
	mustValue(t, c2, 1)
	require.Equal(t, 1, receive(t, res).v)

	res = nextAsync(c1)
	waitBlocked(t, c1)
	require.True(t, d.KillConsumer(c1.ID()))
	require.False(t, d.KillConsumer(c1.ID()), "already gone")
	require.False(t, d.KillConsumer(999))
	r := receive(t, res)
	require.False(t, r.ok)
	require.NoError(t, r.err)

	require.Equal(t, 1, d.ConsumerCount("a"))
	d.Write("a", 2)
	mustValue(t, c2, 2)
	c2.Close()
}

func TestCloseAllAndKillAll(t *testing.T) {
	d := newTestDemux()
	a := d.Stream("a").CreateConsumer(0)
	b := d.Stream("b").CreateConsumer(0)
	w := d.NewConsumer(nil, 0)
	d.Write("a", 1)
	d.Write("b", 2)
	d.CloseAll()
	d.Write("a", 3)
	mustValue(t, a, 1)
	mustEnd(t, a)
	mustValue(t, b, 2)
	mustEnd(t, b)
	mustValue(t, w, 1)
	mustValue(t, w, 2)
	mustEnd(t, w)
	require.Zero(t, d.AllConsumerCount())

	a = d.Stream("a").CreateConsumer(0)
	b = d.Stream("b").CreateConsumer(0)
	w = d.NewConsumer(nil, 0)
	d.Write("a", 1)
	d.KillAll()
	mustEnd(t, a)
	mustEnd(t, b)
	mustEnd(t, w)
	require.Zero(t, d.AllConsumerCount())
	require.Empty(t, d.Keys())
}

func TestCloseAndKillMatching(t *testing.T) {
	d := newTestDemux()
	x1 := d.Stream("x/1").CreateConsumer(0)
	x2 := d.Stream("x/2").CreateConsumer(0)
	y := d.Stream("y/1").CreateConsumer(0)
	w := d.NewConsumer(nil, 0)
	inX := func(k string) bool { return strings.HasPrefix(k, "x/") }

	d.Write("x/1", 1)
	d.CloseMatching(inX)
	d.CloseMatching(nil) // ignored
	mustValue(t, x1, 1)
	mustEnd(t, x1)
	mustEnd(t, x2)
	d.Write("y/1", 2)
	mustValue(t, y, 2)
	mustValue(t, w, 1)
	mustValue(t, w, 2)

	x3 := d.Stream("x/3").CreateConsumer(0)
	d.Write("x/3", 3)
	d.KillMatching(inX)
	d.KillMatching(nil) // ignored
	mustEnd(t, x3)
	require.Equal(t, []string{"y/1"}, d.Keys())
	mustValue(t, w, 3)
	mustBlock(t, w)
	require.Equal(t, 2, d.AllConsumerCount(), "y and the wildcard consumer remain")
	y.Close()
	w.Close()
}
