package scclient

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// learn starts a cooldown after coalesceMaxStrikes waits in a row that the
// timer ended short of their mark; a wait that got its bytes, or that the
// timer ended with the bytes there, breaks the row; the cooldown runs out
// after coalesceCooldown waits.
func TestCoalescerCoolsDownAfterWaitsTheTimerEnded(t *testing.T) {
	k := &readCoalescer{}
	// wait counts a wait for a 1000-byte mark whose wake brought got
	// bytes, ended by the timer or not.
	wait := func(got int64, timedOut bool) {
		k.waitFor = 1000
		if timedOut {
			k.expiry++
		}
		k.learn(got)
	}
	wait(100, true)
	wait(100, true)
	wait(1000, false)
	wait(100, true)
	wait(5000, true)
	wait(100, true)
	wait(100, true)
	require.Zero(t, k.cooldown, "no three strikes in a row yet")
	wait(100, true)
	require.Equal(t, coalesceCooldown, k.cooldown)
	require.Zero(t, k.strikes)
	k.waitFor = 1 // waits in a cooldown are for one byte
	for range coalesceCooldown - 1 {
		k.learn(0)
	}
	require.Equal(t, 1, k.cooldown)
	k.learn(0)
	require.Zero(t, k.cooldown)
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
