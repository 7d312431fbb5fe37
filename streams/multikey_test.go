package streams

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMultiKeyConsumerSeesWritesInWriteOrder(t *testing.T) {
	d := newTestDemux()
	c := d.NewConsumer([]string{"connect", "disconnect", "close"}, 0)
	d.Write("disconnect", 1)
	d.Write("other", 100)
	d.Write("close", 2)
	d.Write("connect", 3)
	d.Write("disconnect", 4)
	for _, v := range []int{1, 2, 3, 4} {
		mustValue(t, c, v)
	}
	mustBlock(t, c)
	c.Close()
	require.Empty(t, d.Keys())
}

func TestMultiKeyConsumerIsRegisteredUnderEachKey(t *testing.T) {
	d := newTestDemux()
	single := d.Stream("b").CreateConsumer(0)
	c := d.NewConsumer([]string{"a", "b"}, 0)
	d.Write("a", 1)
	d.Write("a", 2)

	require.Equal(t, []string{"b", "a"}, d.Keys())
	require.Equal(t, 1, d.ConsumerCount("a"))
	require.Equal(t, 2, d.ConsumerCount("b"))
	require.Equal(t, 2, d.AllConsumerCount(), "a multi-key consumer counts once in total")
	require.Equal(t, 2, d.Backpressure("a"))
	require.Equal(t, 2, d.Backpressure("b"))
	require.True(t, d.HasConsumer("a", c.ID()))
	require.True(t, d.HasConsumer("b", c.ID()))
	require.False(t, d.HasConsumer("c", c.ID()))

	key, ok := d.ConsumerKey(c.ID())
	require.True(t, ok)
	require.Equal(t, "a", key, "the first key")
	st, _ := d.ConsumerStats(c.ID())
	require.Equal(t, "a", st.Stream)

	require.Equal(t, []Stats[string]{
		{ID: single.ID(), Stream: "b"},
		{ID: c.ID(), Backpressure: 2, Stream: "b"},
		{ID: c.ID(), Backpressure: 2, Stream: "a"},
	}, d.AllConsumerStatsList())
	require.Equal(t, []Stats[string]{{ID: c.ID(), Backpressure: 2, Stream: "a"}}, d.ConsumerStatsList("a"))

	c.Close()
	require.Equal(t, []string{"b"}, d.Keys())
	single.Close()
}

func TestCloseOfAnyKeyEndsMultiKeyConsumerAfterDraining(t *testing.T) {
	d := newTestDemux()
	c := d.NewConsumer([]string{"a", "b"}, 0)
	d.Write("a", 1)
	d.Write("b", 2)
	d.Close("b")
	d.Write("a", 3) // after the end packet: not seen
	require.Equal(t, 3, c.Backpressure())
	require.Equal(t, 1, d.ConsumerCount("a"), "still draining")
	mustValue(t, c, 1)
	mustValue(t, c, 2)
	mustEnd(t, c)
	require.Empty(t, d.Keys(), "removed from both streams")
}

func TestKillOfAnyKeyEndsMultiKeyConsumer(t *testing.T) {
	d := newTestDemux()
	c := d.NewConsumer([]string{"a", "b"}, 0)
	other := d.Stream("a").CreateConsumer(0)
	d.Write("a", 1)
	res := nextAsync(other)
	require.Equal(t, 1, receive(t, res).v)
	d.Kill("b")
	require.Zero(t, c.Backpressure())
	mustEnd(t, c)
	require.Equal(t, []uint64{other.ID()}, statIDs(d.ConsumerStatsList("a")))
	other.Close()
}

func TestWildcardConsumerReceivesEveryKey(t *testing.T) {
	d := newTestDemux()
	w := d.NewConsumer(nil, 0)
	a := d.Stream("a").CreateConsumer(0)
	d.Write("x", 1)
	d.Write("a", 2)
	d.Write("y", 3)
	mustValue(t, w, 1)
	mustValue(t, w, 2)
	mustValue(t, w, 3)
	mustValue(t, a, 2)

	// Per-key figures ignore it; totals include it under the zero key.
	d.Write("z", 4)
	d.Write("z", 5)
	require.Equal(t, []string{"a"}, d.Keys())
	require.Zero(t, d.ConsumerCount(""))
	require.Zero(t, d.Backpressure("z"))
	require.Equal(t, 2, d.AllConsumerCount())
	require.Equal(t, 2, d.AllBackpressure())
	require.Zero(t, d.MatchingBackpressure(func(string) bool { return true }))
	require.Equal(t, []Stats[string]{
		{ID: a.ID(), Stream: "a"},
		{ID: w.ID(), Backpressure: 2, Stream: ""},
	}, d.AllConsumerStatsList())
	require.Len(t, d.MatchingConsumerStatsList(func(string) bool { return true }), 1)
	require.True(t, d.HasAnyConsumer(w.ID()))
	require.False(t, d.HasConsumer("", w.ID()))
	key, ok := d.ConsumerKey(w.ID())
	require.True(t, ok)
	require.Equal(t, "", key)

	// Closing or killing keys does not end it.
	d.Close("z")
	d.Kill("a")
	d.CloseMatching(func(string) bool { return true })
	d.KillMatching(func(string) bool { return true })
	mustValue(t, w, 4)
	mustValue(t, w, 5)
	mustBlock(t, w)
	require.Equal(t, 1, d.AllConsumerCount())

	require.True(t, d.KillConsumer(w.ID()))
	mustEnd(t, w)
	require.Zero(t, d.AllConsumerCount())
}
