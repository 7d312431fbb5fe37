//go:build linux

package scclient

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// idleSetFailed reports whether set stopped being waited on.
func idleSetFailed(set *idleSet) bool { return set.failed.Load() }

// idleParking: on Linux an idle connection's read loop can leave its
// goroutine and wait in the idle set instead.
const idleParking = true

// idleSet is an epoll set holding the descriptors of parked connections,
// each armed for one readiness event. One goroutine waits on it through
// the runtime's own poller (the set's descriptor is itself pollable), so
// thousands of idle sockets cost one goroutine instead of one each. The
// set exists while any connection is registered in it.
type idleSet struct {
	epfd  int                  // the set's descriptor, for epoll_ctl
	file  *os.File             // the same descriptor, registered with the runtime's poller
	conns map[int32]*conn      // registered connections by token, under idle.mu
	next  int32                // the last token handed out, under idle.mu
	evs   []syscall.EpollEvent // events of one wait; used by the set's goroutine only

	failed atomic.Bool // waiting on the set failed; its connections move to a new one
}

// idle holds the current idle set, created when a connection first parks.
var idle struct {
	mu  sync.Mutex
	set *idleSet
}

// joinIdle registers c in the idle set, creating the set when there is
// none; false when the set cannot be made. A connection still registered
// in a set that failed moves to the current one.
func (c *conn) joinIdle() bool {
	if c.idleSet != nil {
		if !c.idleSet.failed.Load() {
			return true
		}
		c.leaveIdle()
	}
	idle.mu.Lock()
	defer idle.mu.Unlock()
	set := idle.set
	if set == nil {
		var err error
		if set, err = newIdleSet(); err != nil {
			c.s.log.Debug("scclient: idle sockets keep their goroutines", "error", err)
			return false
		}
		idle.set = set
		go set.run()
	}
	for {
		set.next++
		if set.next <= 0 {
			set.next = 1
		}
		if set.conns[set.next] == nil {
			break
		}
	}
	set.conns[set.next] = c
	c.idleSet, c.idleTok = set, set.next
	return true
}

// leaveIdle removes c from its idle set when its read loop ends for good;
// the set closes, and its goroutine ends, when it was the last one.
func (c *conn) leaveIdle() {
	set := c.idleSet
	if set == nil {
		return
	}
	_ = c.epollCtl(set, c.idleTok, syscall.EPOLL_CTL_DEL, 0)
	idle.mu.Lock()
	delete(set.conns, c.idleTok)
	last := len(set.conns) == 0
	if last && idle.set == set {
		idle.set = nil
	}
	idle.mu.Unlock()
	c.idleSet = nil
	if last {
		_ = set.file.Close()
	}
}

// armIdle asks set for one event under tok when c's descriptor becomes
// readable (or the peer hangs up); readiness at the time of the call
// counts, so no data that arrived before it is missed. It takes set and
// tok as they were before c was marked parked: from then on another read
// loop may own c.
func (c *conn) armIdle(set *idleSet, tok int32) error {
	return c.epollCtl(set, tok, syscall.EPOLL_CTL_MOD, syscall.EPOLLIN|syscall.EPOLLRDHUP|syscall.EPOLLONESHOT)
}

// disarmIdle cancels an armed event; its caller owns the read loop.
func (c *conn) disarmIdle() { _ = c.epollCtl(c.idleSet, c.idleTok, syscall.EPOLL_CTL_MOD, 0) }

// epollCtl changes c's entry in set (adding it on the first MOD). It runs
// under the descriptor's reference count, so it can never touch a
// descriptor number that was closed and reused meanwhile.
func (c *conn) epollCtl(set *idleSet, tok int32, op int, events uint32) error {
	var errno syscall.Errno
	err := c.rd.raw.Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: events, Fd: tok}
		errno = epollCtlRaw(set.epfd, op, int(fd), &ev)
		if errno == syscall.ENOENT && op == syscall.EPOLL_CTL_MOD {
			errno = epollCtlRaw(set.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
		}
	})
	if err != nil {
		return err
	}
	if errno != 0 {
		return os.NewSyscallError("epoll_ctl", errno)
	}
	return nil
}

// epollCtlRaw is epoll_ctl without entering the scheduler's syscall state
// (it never blocks), for the same reason as the raw socket calls.
func epollCtlRaw(epfd, op, fd int, ev *syscall.EpollEvent) syscall.Errno {
	_, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	return e
}

// newIdleSet makes an epoll set whose own descriptor the runtime's poller
// watches.
func newIdleSet() (*idleSet, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	// A non-blocking descriptor given to os.NewFile is registered with the
	// runtime's poller, so waiting on it parks a goroutine, not a thread.
	f := os.NewFile(uintptr(epfd), "scclient-idle")
	return &idleSet{epfd: epfd, file: f, conns: map[int32]*conn{}, evs: make([]syscall.EpollEvent, 128)}, nil
}

// run hands every connection whose descriptor became readable back to a
// read loop of its own, until the set is closed.
func (set *idleSet) run() {
	rc, err := set.file.SyscallConn()
	if err != nil {
		set.fail()
		return
	}
	var ready []*conn
	for {
		n, werr := 0, syscall.Errno(0)
		err := rc.Read(func(fd uintptr) bool {
			r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&set.evs[0])), uintptr(len(set.evs)), 0, 0, 0)
			switch e {
			case 0:
				n = int(r)
				return n > 0
			case syscall.EINTR, syscall.EAGAIN:
				return false
			default:
				werr = e
				return true
			}
		})
		if err != nil {
			return // the set was closed: no connection is registered
		}
		if werr != 0 {
			set.fail()
			return
		}
		idle.mu.Lock()
		for _, ev := range set.evs[:n] {
			if c := set.conns[ev.Fd]; c != nil {
				ready = append(ready, c)
			}
		}
		idle.mu.Unlock()
		for i, c := range ready {
			c.resumeReader()
			ready[i] = nil
		}
		ready = ready[:0]
	}
}

// fail gives up on a set that cannot be waited on: every parked connection
// gets its read loop back, and later ones start a new set.
func (set *idleSet) fail() {
	set.failed.Store(true)
	idle.mu.Lock()
	if idle.set == set {
		idle.set = nil
	}
	conns := make([]*conn, 0, len(set.conns))
	for _, c := range set.conns {
		conns = append(conns, c)
	}
	idle.mu.Unlock()
	for _, c := range conns {
		c.resumeReader()
	}
}
