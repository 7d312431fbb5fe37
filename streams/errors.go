package streams

import "errors"

// ErrEnded is returned by Stream.Once when the stream ends before a value
// arrives.
var ErrEnded = errors.New("streams: stream ended")

// timeoutMessage is the message of the default timeout error, the same text
// the JavaScript consumers use.
const timeoutMessage = "Stream consumer iteration timed out"

// TimeoutError is the default error returned when a consumer waits longer
// than its per-read timeout for the next value.
type TimeoutError struct {
	// Message describes the timeout.
	Message string
}

// Error returns the message of the timeout.
func (e *TimeoutError) Error() string { return e.Message }

// Name returns "TimeoutError", the name the JavaScript error carries.
func (e *TimeoutError) Name() string { return "TimeoutError" }
