//go:build linux

package scclient

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// idleParking: on Linux an idle connection's read loop can leave its
// goroutine and wait in the idle set instead.
const idleParking = true

// idleSet is an epoll set holding the descriptors of parked connections,
// each armed for one readiness event. One goroutine waits on it through
// the runtime's own poller (the set's descriptor is itself pollable), so
// thousands of idle sockets cost one goroutine instead of one each. The
// set exists while any connection is registered in it.
type idleSet struct {
	file  *os.File             // the set's descriptor, registered with the runtime's poller
	rc    syscall.RawConn      // file's: epoll calls run under its reference count
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

// idleSetFailed reports whether set stopped being waited on.
func idleSetFailed(set *idleSet) bool { return set.failed.Load() }

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
	set := idle.set
	if set == nil {
		var err error
		if set, err = newIdleSet(); err != nil {
			idle.mu.Unlock()
			c.s.log.Debug("scclient: idle connection keeps its goroutine", "error", err)
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
	idle.mu.Unlock()
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
	c.idleEntry = false
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
// counts, so no data that arrived before it is missed. It takes set, tok
// and whether the descriptor has an entry in set (which picks the call
// most likely to succeed first) as they were before c was marked parked:
// from then on another read loop may own c.
func (c *conn) armIdle(set *idleSet, tok int32, hasEntry bool) error {
	op := syscall.EPOLL_CTL_ADD
	if hasEntry {
		op = syscall.EPOLL_CTL_MOD
	}
	return c.epollCtl(set, tok, op, syscall.EPOLLIN|syscall.EPOLLRDHUP|syscall.EPOLLONESHOT)
}

// disarmIdle cancels an armed event; its caller owns the read loop. The
// entry is removed rather than emptied: an entry stays subscribed to
// hang-ups and errors whatever its events, and would report them on every
// wait until the descriptor is closed.
func (c *conn) disarmIdle() {
	_ = c.epollCtl(c.idleSet, c.idleTok, syscall.EPOLL_CTL_DEL, 0)
	c.idleEntry = false
}

// epollCtl changes c's entry in set (adding it on a MOD that finds none,
// changing it on an ADD that finds one).
// It runs under the reference counts of both descriptors, so it never
// touches a descriptor number that was closed and reused meanwhile.
func (c *conn) epollCtl(set *idleSet, tok int32, op int, events uint32) error {
	var errno syscall.Errno
	var cerr error
	serr := set.rc.Control(func(epfd uintptr) {
		cerr = c.rd.raw.Control(func(fd uintptr) {
			ev := syscall.EpollEvent{Events: events, Fd: tok}
			errno = epollCtlRaw(epfd, op, fd, &ev)
			switch {
			case errno == syscall.ENOENT && op == syscall.EPOLL_CTL_MOD:
				errno = epollCtlRaw(epfd, syscall.EPOLL_CTL_ADD, fd, &ev)
			case errno == syscall.EEXIST && op == syscall.EPOLL_CTL_ADD:
				errno = epollCtlRaw(epfd, syscall.EPOLL_CTL_MOD, fd, &ev)
			}
		})
	})
	switch {
	case serr != nil:
		return serr
	case cerr != nil:
		return cerr
	case errno != 0:
		return os.NewSyscallError("epoll_ctl", errno)
	}
	return nil
}

// epollCtlRaw is epoll_ctl without entering the scheduler's syscall state
// (it never blocks), for the same reason as the raw socket calls.
func epollCtlRaw(epfd uintptr, op int, fd uintptr, ev *syscall.EpollEvent) syscall.Errno {
	_, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, epfd, uintptr(op), fd, uintptr(unsafe.Pointer(ev)), 0, 0)
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
	// When that registration fails (the limit on epoll watches), the file
	// takes no deadline and nothing could wait on the set.
	f := os.NewFile(uintptr(epfd), "scclient-idle")
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &idleSet{file: f, rc: rc, conns: map[int32]*conn{}, evs: make([]syscall.EpollEvent, 128)}, nil
}

// run hands every connection whose descriptor became readable back to a
// read loop of its own, until the set is closed.
func (set *idleSet) run() {
	var ready []*conn
	for {
		n, werr := 0, syscall.Errno(0)
		err := set.rc.Read(func(fd uintptr) bool {
			for {
				// A zero timeout: waiting is the runtime poller's job.
				r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&set.evs[0])), uintptr(len(set.evs)), 0, 0, 0)
				switch e {
				case 0:
					n = int(r)
					return n > 0
				case syscall.EINTR:
				default:
					werr = e
					return true
				}
			}
		})
		if errors.Is(err, os.ErrClosed) {
			return // the last connection left
		}
		if err != nil || werr != 0 {
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
