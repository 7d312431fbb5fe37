package streams

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRingKeepsOrderAcrossWrapAndGrowth(t *testing.T) {
	var r ring[int]
	next, want := 0, 0
	// Interleave pushes and pops so the head wraps before each growth.
	for round := 0; round < 50; round++ {
		for i := 0; i < round+3; i++ {
			r.push(next)
			next++
		}
		for i := 0; i < round/2+1; i++ {
			require.Equal(t, want, r.pop())
			want++
		}
		require.Equal(t, next-want, r.len())
	}
	for r.len() > 0 {
		require.Equal(t, want, r.pop())
		want++
	}
	require.Equal(t, next, want)
}

func TestRingReusesStorage(t *testing.T) {
	var r ring[int]
	for i := 0; i < ringMinCap; i++ {
		r.push(i)
	}
	for i := 0; i < ringMinCap; i++ {
		r.pop()
	}
	allocs := testing.AllocsPerRun(100, func() {
		r.push(1)
		r.push(2)
		r.pop()
		r.pop()
	})
	require.Zero(t, allocs)
}

func TestRingPopClearsSlot(t *testing.T) {
	var r ring[*int]
	x := 1
	r.push(&x)
	r.push(&x)
	r.pop()
	require.Nil(t, r.buf[0], "popped slot must not keep the value alive")
}

func TestRingReleasesLargeBufferOnlyAfterItFellIntoDisuse(t *testing.T) {
	var r ring[int]
	fill := func(n int) {
		for i := 0; i < n; i++ {
			r.push(i)
		}
	}
	drain := func() {
		for r.len() > 0 {
			r.pop()
		}
	}
	fill(4 * ringKeepCap)
	size := len(r.buf)
	require.Greater(t, size, ringKeepCap)
	drain()
	require.Len(t, r.buf, size, "kept: the burst that just ended used it")
	fill(size / 2)
	drain()
	require.Len(t, r.buf, size, "kept: still half used")
	fill(10)
	drain()
	require.Nil(t, r.buf, "released: the last fill used little of it")
	r.push(7)
	require.Equal(t, 7, r.pop())

	fill(ringKeepCap)
	drain()
	fill(1)
	drain()
	require.Len(t, r.buf, ringKeepCap, "small buffers are always kept")
}

func TestRingReset(t *testing.T) {
	var r ring[int]
	for i := 0; i < 10; i++ {
		r.push(i)
	}
	r.reset()
	require.Zero(t, r.len())
	r.push(42)
	require.Equal(t, 42, r.pop())
}

func TestRingFirstBufferFitsTheValueSize(t *testing.T) {
	type large struct{ a [40]int64 }  // 320 bytes
	type medium struct{ a [12]int64 } // 96 bytes
	require.Equal(t, ringMinCap, ringFirstCap[int]())
	require.Equal(t, 4, ringFirstCap[medium]())
	require.Equal(t, 2, ringFirstCap[large]())

	var r ring[large]
	r.push(large{})
	require.Len(t, r.buf, 2, "a queue of large values starts small")
	for i := range 5 {
		r.push(large{a: [40]int64{int64(i)}})
	}
	require.Len(t, r.buf, 8, "and doubles from there")
	require.Equal(t, large{}, r.pop())
	require.Equal(t, int64(0), r.pop().a[0])
}
