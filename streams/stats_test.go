package streams

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStatsLists(t *testing.T) {
	d := newTestDemux()
	require.NotNil(t, d.ConsumerStatsList("a"))
	require.Empty(t, d.ConsumerStatsList("a"))
	require.Empty(t, d.AllConsumerStatsList())

	b1 := d.Stream("ch/b").CreateConsumer(0)
	a1 := d.Stream("ch/a").CreateConsumer(time.Second)
	b2 := d.Stream("ch/b").CreateConsumer(0)
	o := d.Stream("other").CreateConsumer(0)
	d.Write("ch/b", 1)
	d.Write("ch/a", 1)
	d.Write("ch/a", 2)

	require.Equal(t, []Stats[string]{
		{ID: b1.ID(), Backpressure: 1, Stream: "ch/b"},
		{ID: b2.ID(), Backpressure: 1, Stream: "ch/b"},
	}, d.ConsumerStatsList("ch/b"))
	require.Equal(t, []Stats[string]{
		{ID: b1.ID(), Backpressure: 1, Stream: "ch/b"},
		{ID: b2.ID(), Backpressure: 1, Stream: "ch/b"},
		{ID: a1.ID(), Backpressure: 2, Timeout: time.Second, Stream: "ch/a"},
		{ID: o.ID(), Stream: "other"},
	}, d.AllConsumerStatsList())

	inCh := func(k string) bool { return strings.HasPrefix(k, "ch/") }
	require.Equal(t, []uint64{b1.ID(), b2.ID(), a1.ID()}, statIDs(d.MatchingConsumerStatsList(inCh)))
	require.Empty(t, d.MatchingConsumerStatsList(nil))
	require.Equal(t, 2, d.MatchingBackpressure(inCh))
	require.Zero(t, d.MatchingBackpressure(func(k string) bool { return k == "other" }))
	require.Zero(t, d.MatchingBackpressure(nil))
	require.Equal(t, 2, d.AllBackpressure())
	require.Equal(t, 1, d.Backpressure("ch/b"))
	require.Zero(t, d.Backpressure("none"))

	st, ok := d.ConsumerStats(a1.ID())
	require.True(t, ok)
	require.Equal(t, Stats[string]{ID: a1.ID(), Backpressure: 2, Timeout: time.Second, Stream: "ch/a"}, st)
	_, ok = d.ConsumerStats(999)
	require.False(t, ok)
	require.Zero(t, d.ConsumerBackpressure(999))
	_, ok = d.ConsumerKey(999)
	require.False(t, ok)
	require.False(t, d.HasConsumer("ch/b", 999))
	require.False(t, d.HasConsumer("ch/a", b1.ID()))
	require.True(t, d.HasConsumer("ch/b", b1.ID()))
	require.Equal(t, 4, d.AllConsumerCount())
	d.KillAll()
}
