//go:build !linux

package scclient

import "errors"

// idleParking: elsewhere an idle connection's read loop keeps its
// goroutine.
const idleParking = false

// idleSet is not used where idleParking is false.
type idleSet struct{}

var errNoIdleSet = errors.New("scclient: idle parking is not supported here")

func (c *conn) joinIdle() bool                      { return false }
func (c *conn) leaveIdle()                          {}
func (c *conn) armIdle(*idleSet, int32, bool) error { return errNoIdleSet }
func (c *conn) disarmIdle()                         {}
func idleSetFailed(*idleSet) bool                   { return false }
