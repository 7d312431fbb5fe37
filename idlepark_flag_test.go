package scclient

import "time"

// The tests park idle connections after a millisecond instead of the
// default, so that every test that waits on a socket parks and resumes it.
func init() { idleParkAfter = time.Millisecond }
