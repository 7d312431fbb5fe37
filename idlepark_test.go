package scclient

import (
	"context"
	"math/rand"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/socketcluster-go/scclient/codec"
)

// Close while the read loop is in the middle of parking, many times, with a
// server that never answers the close frame: every Close must return after
// about closeGrace, never hang with the connection parked.
func TestCloseRacingPark(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newFakeServer(t, func(ws *websocket.Conn) {
		ws.SetCloseHandler(func(int, string) error { return nil })
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
		<-release
	})
	onManySockets(t, 40, srv.wsURL(), func(_ int, s *Socket) {
		c := s.Listener(EventConnect).CreateConsumer(0)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, _ = c.Next(ctx)
		cancel()
		time.Sleep(time.Duration(rand.Intn(3000)) * time.Microsecond)
		done := make(chan struct{})
		go func() { _ = s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(closeGrace + 3*time.Second):
			t.Error("Close hung")
		}
	})
	relRequireNoSocketGoroutines(t)
}

// Many sockets call at random moments, parked or not.
func TestCallsAtRandomMomentsOfParking(t *testing.T) {
	srv := newFakeServer(t, echoUntilClosed)
	onManySockets(t, 30, srv.wsURL(), func(i int, s *Socket) {
		defer s.Close()
		for j := 0; j < 30; j++ {
			time.Sleep(time.Duration(rand.Intn(2500)) * time.Microsecond)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			res, err := s.Invoke(ctx, "echo", j)
			cancel()
			if err != nil {
				t.Errorf("socket %d call %d: %v", i, j, err)
				return
			}
			var got int
			if res.Decode(&got) != nil || got != j {
				t.Errorf("socket %d: got %s want %d", i, res.String(), j)
				return
			}
		}
	})
	relRequireNoSocketGoroutines(t)
}

// onManySockets creates n sockets of url at once and runs body on each in
// a goroutine of its own, then waits for all of them.
func onManySockets(t *testing.T, n int, url string, body func(i int, s *Socket)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := Create(Options{URL: url, DisableAutoReconnect: true})
			if err != nil {
				t.Error(err)
				return
			}
			body(i, s)
		})
	}
	wg.Wait()
}

// countConn counts the frames written to it (one per Write here: each
// write below is a single small frame).
type countConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countConn) Write(p []byte) (int, error)      { c.writes.Add(1); return len(p), nil }
func (c *countConn) SetWriteDeadline(time.Time) error { return nil }

// dropIdleMemory, run as a connection parks, never leaves a frame written
// meanwhile in the queue: a writer that finds the writer's lock taken
// trusts its holder to send what it queued.
func TestDroppingIdleMemoryStrandsNoFrame(t *testing.T) {
	cc := &countConn{}
	c := connOver(t, cc)
	c.rd = newWSReader(strings.NewReader(""), nil, nil, 0, false, nil)

	stop := make(chan struct{})
	parked := make(chan struct{})
	go func() { // the read loop parking, again and again
		defer close(parked)
		for {
			select {
			case <-stop:
				return
			default:
				c.dropIdleMemory(0)
			}
		}
	}()
	defer func() { close(stop); <-parked }()

	deadline := time.Now().Add(time.Second)
	for i := int64(1); time.Now().Before(deadline); i++ {
		require.NoError(t, c.writeFrame(opText, []byte("x"), time.Time{}))
		sent := false
		for wait := time.Now().Add(200 * time.Millisecond); time.Now().Before(wait); {
			if cc.writes.Load() >= i {
				sent = true
				break
			}
			time.Sleep(10 * time.Microsecond)
		}
		if !sent {
			c.qmu.Lock()
			n := len(c.queue)
			c.qmu.Unlock()
			t.Fatalf("frame %d was never written (%d still queued, 200 ms later)", i, n)
		}
	}
}

// A connection parked between calls keeps the small memory the next call
// reuses, but not what a burst of calls made grow; an idle one keeps none.
func TestDropIdleMemoryKeepsOnlyWhatCallsNeed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keep    int // what park passes
		calls   int // how many calls were pending at once
		dropped bool
	}{
		{"idle after one call", 0, 1, true},
		{"between calls, after one call", keptBetweenCalls, 1, false},
		{"between calls, after as many as are kept", keptBetweenCalls, keptBetweenCalls, false},
		{"between calls, after a burst", keptBetweenCalls, 64, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connOver(t, &countConn{})
			c.rd = newWSReader(strings.NewReader(""), nil, nil, 0, false, nil)
			c.pkts = make([]codec.Packet, 0, tc.calls)
			c.queue = make([]outFrame, 0, tc.calls)
			c.batch = make([]codec.Packet, 0, tc.calls)
			s := c.s
			s.mu.Lock()
			var cids []int64
			for range tc.calls {
				cl := &call{invoke: true}
				s.prepareLocked(c, cl)
				cids = append(cids, cl.cid)
			}
			for _, cid := range cids {
				s.unpendLocked(cid)
			}
			s.mu.Unlock()

			c.dropIdleMemory(tc.keep)

			s.mu.Lock()
			pendingKept := s.pending != nil
			s.mu.Unlock()
			for what, kept := range map[string]bool{
				"decoded packets": c.pkts != nil,
				"write queue":     c.queue != nil,
				"batch":           c.batch != nil,
				"call table":      pendingKept,
			} {
				if kept == tc.dropped {
					t.Errorf("%s kept = %v, want %v", what, kept, !tc.dropped)
				}
			}
		})
	}
}
