package faultproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// chunkSize is the most a pump reads at once.
const chunkSize = 32 << 10

// link is one proxied connection: a client side, a server side and a pump
// for each direction.
type link struct {
	p         *Proxy
	client    net.Conn // TLS-wrapped in TLS mode
	clientRaw net.Conn // the TCP connection under client
	server    net.Conn

	once    sync.Once
	done    chan struct{} // closed when the link is torn down
	dropped atomic.Bool   // bytes were dropped while half-open
}

// run pumps both directions and returns when both pumps ended.
func (l *link) run() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		l.pump(Upstream, l.client, l.server)
	}()
	go func() {
		defer wg.Done()
		l.pump(Downstream, l.server, l.client)
	}()
	wg.Wait()
}

// close tears the link down with mode; it reports whether this call did it.
func (l *link) close(mode CutMode) bool {
	did := false
	l.once.Do(func() {
		did = true
		close(l.done)
		if mode == RST {
			abort(l.clientRaw)
			abort(l.server)
			return
		}
		_ = l.client.Close()
		_ = l.server.Close()
	})
	return did
}

// pump copies src to dst, applying the proxy's faults to every chunk.
func (l *link) pump(dir Direction, src, dst net.Conn) {
	buf := make([]byte, chunkSize)
	for {
		n, err := src.Read(buf)
		if n > 0 && !l.forward(dir, buf[:n], dst) {
			l.close(FIN)
			return
		}
		if err != nil {
			l.sourceEnded()
			return
		}
	}
}

// sourceEnded handles a side that closed: the other side is closed too,
// except while half-open, which hides the close until it ends.
func (l *link) sourceEnded() {
	for {
		f, changed := l.p.state()
		if !f.halfOpen {
			l.close(FIN)
			return
		}
		select {
		case <-changed:
		case <-l.done:
			return
		}
	}
}

// forward writes b to dst once the faults allow it. It returns false when
// the link is gone.
func (l *link) forward(dir Direction, b []byte, dst net.Conn) bool {
	var f faults
	for {
		var changed <-chan struct{}
		f, changed = l.p.state()
		if f.halfOpen {
			l.dropped.Store(true)
			l.p.dropped.Add(int64(len(b)))
			return true
		}
		if !f.stalled[dir] {
			break
		}
		select {
		case <-changed:
		case <-l.done:
			return false
		}
	}
	if f.delay > 0 && !l.sleep(f.delay) {
		return false
	}
	for len(b) > 0 {
		part := b
		if f.throttle > 0 {
			// Send a twentieth of a second's worth at a time.
			part = b[:min(len(b), max(f.throttle/20, 1))]
		}
		// Count before writing, so a byte the peer has seen is always
		// in Stats; a failed write takes its count back.
		counter := &l.p.down
		if dir == Upstream {
			counter = &l.p.up
		}
		counter.Add(int64(len(part)))
		if n, err := dst.Write(part); err != nil {
			counter.Add(int64(n - len(part)))
			return false
		}
		b = b[len(part):]
		if f.throttle > 0 && !l.sleep(time.Duration(len(part))*time.Second/time.Duration(f.throttle)) {
			return false
		}
	}
	return true
}

// sleep waits d; it returns false if the link was torn down meanwhile.
func (l *link) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.done:
		return false
	}
}
