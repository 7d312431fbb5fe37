package streams

// Config tunes a Demux. The zero value is ready to use.
type Config struct {
	// NewTimeoutError builds the error returned when a consumer's per-read
	// timeout expires. Nil (or a function returning nil) means a
	// *TimeoutError whose message is "Stream consumer iteration timed out".
	NewTimeoutError func() error
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
