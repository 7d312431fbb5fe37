package scclient

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient/internal/faultproxy"
)

// relBlockedWriter connects a socket through a proxy, stalls the
// client-to-server direction and transmits 1 MiB payloads from another
// goroutine until one of them has been stuck in its write for half a
// second (the proxy and the kernel buffers are full). done is closed when
// the transmitting goroutine has ended.
func relBlockedWriter(t *testing.T, ackTimeout time.Duration) (s *Socket, p *faultproxy.Proxy, done <-chan struct{}) {
	t.Helper()
	srv := startServer(t, nil)
	p = relProxy(t, srv)
	s, w := newWatchedSocket(t, relProxyURL(p), Options{AckTimeout: ackTimeout, DisableAutoReconnect: true}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)

	p.Stall(faultproxy.Upstream)
	t.Cleanup(p.Heal)
	big := strings.Repeat("x", 1<<20)
	var inFlight atomic.Int64 // start of the transmit being written, unix ns
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		// 64 MiB is more than the proxy and the kernel buffers hold.
		for i := 0; i < 64; i++ {
			inFlight.Store(time.Now().UnixNano())
			err := s.Transmit("foo", big)
			inFlight.Store(0)
			if err != nil {
				return
			}
		}
	}()
	if !relWaitUntil(20*time.Second, func() bool {
		at := inFlight.Load()
		return at != 0 && time.Since(time.Unix(0, at)) > 500*time.Millisecond
	}) {
		t.Fatal("no write blocked: the stall did not fill the buffers")
	}
	return s, p, ended
}

// TestReliabilityInvokeSettlesWhileWritesBlock: an invoke made while
// another goroutine's write is blocked on a stalled link must still return
// within its ack timeout (plus a margin). The ack timer settles the call in
// time, but the caller itself writes the packet and waits for the write
// lock held by the blocked writer, so it can only return once that write
// hits its deadline.
func TestReliabilityInvokeSettlesWhileWritesBlock(t *testing.T) {
	const ackTimeout = time.Second
	s, _, done := relBlockedWriter(t, ackTimeout)
	start := time.Now()
	_, err := s.Invoke(context.Background(), "echo", 1)
	took := time.Since(start)
	if !relSettleError(err) {
		t.Errorf("invoke on a stalled link: %v, want a timeout or a lost connection", err)
	}
	if took > ackTimeout+time.Second {
		t.Errorf("invoke took %v on a stalled link (ack timeout %v): a blocked write holds the call past its timeout", took, ackTimeout)
	}
	s.Close()
	<-done
}

// TestReliabilityCloseDoesNotWaitForABlockedWrite: Close must end the
// socket promptly even while a write is stuck on a stalled link. The close
// sequence drops the connection's batch under the socket's lock, and that
// needs the write lock the blocked writer holds: Close, and every other
// method meanwhile, waits for the write deadline.
func TestReliabilityCloseDoesNotWaitForABlockedWrite(t *testing.T) {
	s, _, done := relBlockedWriter(t, time.Second)
	start := time.Now()
	s.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close took %v while a write was blocked", took)
	}
	<-done
}
