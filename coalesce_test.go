package scclient

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// learn halves the share after two waits that the timer ended short of
// the mark within a window, but not after one, nor after waits the timer
// ended with the bytes there; a clean window doubles the share back.
func TestCoalescerLearnsFromWaitsTheTimerEnded(t *testing.T) {
	k := &readCoalescer{shift: 1}
	// wait runs one raised wait for mark bytes that brought got bytes,
	// ended by the timer or not.
	wait := func(got int64, timedOut bool) {
		k.raisedWait, k.waitedFor = true, 1000
		if timedOut {
			k.expiry++
		}
		k.learn(got)
	}
	wait(100, true)
	require.Equal(t, uint(1), k.shift, "one strike")
	wait(5000, true)
	require.Equal(t, uint(1), k.shift, "the bytes were there: not a strike")
	wait(100, true)
	require.Equal(t, uint(2), k.shift, "two strikes")
	for range coalesceWindow - 1 {
		wait(1000, false)
	}
	require.Equal(t, uint(2), k.shift)
	wait(1000, false)
	require.Equal(t, uint(1), k.shift, "a clean window")
	for range 20 {
		wait(10, true)
		wait(10, true)
	}
	require.Equal(t, uint(coalesceMaxShift), k.shift)
}

// ReadCoalesceDelay defaults to 1 ms; a value set is kept, a negative one
// too (coalescing off).
func TestReadCoalesceDelayOption(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{0, DefaultReadCoalesceDelay},
		{5 * time.Millisecond, 5 * time.Millisecond},
		{-1, -1},
	} {
		o, err := resolveOptions(Options{ReadCoalesceDelay: tc.in})
		require.NoError(t, err)
		require.Equal(t, tc.want, o.ReadCoalesceDelay)
	}
	require.Equal(t, time.Millisecond, DefaultReadCoalesceDelay)
}
