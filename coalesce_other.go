//go:build !linux

package scclient

import "errors"

// rcvLowatWakes: read coalescing relies on Linux's handling of the
// receive low-water mark and is off elsewhere.
const rcvLowatWakes = false

func setRcvLowat(fd uintptr, n int) error {
	return errors.ErrUnsupported
}
