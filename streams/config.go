package streams

// Config tunes a Demux. The zero value is ready to use.
type Config struct {
	// NewTimeoutError builds the error returned when a consumer's per-read
	// timeout expires. Nil (or a function returning nil) means a
	// *TimeoutError whose message is "Stream consumer iteration timed out".
	NewTimeoutError func() error

	// MaxBacklog bounds the backlog of every consumer created afterwards
	// (Consumer.SetMaxBacklog changes one consumer). 0 means unbounded:
	// a slow consumer queues without limit, as in JavaScript.
	MaxBacklog int
	// Overflow is the policy of a consumer whose backlog is at its limit.
	Overflow OverflowPolicy
	// OnOverflow, when set, is told each time a consumer starts dropping
	// values or is ended by its policy. It runs after the write, outside
	// the demux's locks, on the writing goroutine; it must not block.
	OnOverflow func(Overflow)
}

// timeoutError builds the error for an expired per-read timeout.
func (c Config) timeoutError() error {
	if c.NewTimeoutError != nil {
		if err := c.NewTimeoutError(); err != nil {
			return err
		}
	}
	return &TimeoutError{Message: timeoutMessage}
}
