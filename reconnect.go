package scclient

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// JSBackOff is the reconnect schedule of the JavaScript client as a
// backoff.BackOff: the n-th delay (n from 0) is
// round(InitialDelay + Randomness·U[0,1)) · Multiplier^n, capped at
// MaxDelay. Reset starts again at n = 0.
type JSBackOff struct {
	opts     ReconnectOptions
	exponent int
	rand     func() float64
}

var _ backoff.BackOff = (*JSBackOff)(nil)

// NewJSBackOff returns the JavaScript schedule for opts; zero fields take
// the defaults and a negative Randomness means none.
func NewJSBackOff(opts ReconnectOptions) *JSBackOff {
	if opts.InitialDelay <= 0 {
		opts.InitialDelay = DefaultInitialDelay
	}
	if opts.Randomness == 0 {
		opts.Randomness = DefaultRandomness
	} else if opts.Randomness < 0 {
		opts.Randomness = 0
	}
	if opts.Multiplier <= 0 {
		opts.Multiplier = DefaultMultiplier
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	return &JSBackOff{opts: opts, rand: rand.Float64}
}

// NextBackOff returns the next delay of the schedule.
func (b *JSBackOff) NextBackOff() time.Duration {
	exponent := b.exponent
	b.exponent++
	initialMs := float64(b.opts.InitialDelay.Milliseconds())
	randomMs := float64(b.opts.Randomness.Milliseconds())
	base := jsRound(initialMs + randomMs*b.rand())
	delayMs := jsRound(base * math.Pow(b.opts.Multiplier, float64(exponent)))
	delay := time.Duration(delayMs) * time.Millisecond
	if delayMs > float64(b.opts.MaxDelay.Milliseconds()) || delay < 0 {
		delay = b.opts.MaxDelay
	}
	return delay
}

// Reset starts the schedule again from its first delay.
func (b *JSBackOff) Reset() { b.exponent = 0 }

// jsRound rounds half up, as Math.round does.
func jsRound(x float64) float64 { return math.Floor(x + 0.5) }

// reconnectPolicy says how the socket reacts to a close code: never
// reconnect, reconnect at once if it is the first attempt, or follow the
// schedule (PROTOCOL §11.3).
func reconnectPolicy(code int) (reconnect, immediate bool) {
	switch {
	case code == 4000 || code == 4001 || code == 1005:
		return true, true
	case code == 1000 || code >= 4500:
		return false, false
	}
	return true, false
}
