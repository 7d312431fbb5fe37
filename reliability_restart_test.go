package scclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient/streams"
)

// relRPCTally counts the outcomes of a campaign's invokes.
type relRPCTally struct {
	ok, settled atomic.Int64
	mu          sync.Mutex
	unexpected  []string
}

func (r *relRPCTally) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.unexpected) < 20 {
		r.unexpected = append(r.unexpected, fmt.Sprintf(format, args...))
	}
}

func (r *relRPCTally) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.unexpected) > 0 {
		t.Fatalf("unexpected invoke outcomes:\n%v", r.unexpected)
	}
}

// relEchoLoop invokes echo on s until stop is closed, checking every answer
// and tallying the failures a lost connection may cause.
func relEchoLoop(s *Socket, id int, stop <-chan struct{}, tally *relRPCTally) {
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		want := id*1_000_000 + n
		res, err := s.Invoke(context.Background(), "echo", want)
		switch {
		case err == nil:
			var got int
			if derr := res.Decode(&got); derr != nil || got != want {
				tally.fail("socket %d: echo %d answered %s", id, want, res)
			}
			tally.ok.Add(1)
		case relSettleError(err):
			tally.settled.Add(1)
			// A closed socket connects on the next call: do not spin
			// while the server is down.
			time.Sleep(20 * time.Millisecond)
		case errors.Is(err, ErrClosed):
			return
		default:
			tally.fail("socket %d: echo %d failed with %T: %v", id, want, err, err)
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// relSubscriber is one socket of the restart campaign with a consumer on
// each of its channels.
type relSubscriber struct {
	s        *Socket
	channels []string
	cons     map[string]*streams.Consumer[string, Data]
	connects atomic.Int64
}

// ready reports whether the socket is open with every channel subscribed.
func (r *relSubscriber) ready() bool {
	if r.s.State() != StateOpen {
		return false
	}
	for _, ch := range r.channels {
		if r.s.ChannelState(ch) != ChannelSubscribed {
			return false
		}
	}
	return true
}

// expect reads the next messages of channel and checks they are want, in
// order.
func (r *relSubscriber) expect(channel string, want []int) error {
	for _, w := range want {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		d, ok, err := r.cons[channel].Next(ctx)
		cancel()
		if err != nil || !ok {
			return fmt.Errorf("channel %s: message %d never arrived (ok=%v err=%v)", channel, w, ok, err)
		}
		var got int
		if err := d.Decode(&got); err != nil || got != w {
			return fmt.Errorf("channel %s: got %s, want %d", channel, d, w)
		}
	}
	return nil
}

// TestReliabilityRestartCampaign kills the real server with SIGKILL and
// restarts it again and again while sockets hold subscriptions and make
// calls: every socket must reconnect and resubscribe every channel, what
// is published after that must arrive in order, every invoke must settle,
// and nothing may leak.
func TestReliabilityRestartCampaign(t *testing.T) {
	nSockets := relSize(10, 50)
	restarts := relSize(3, 100)
	const perChannel = 3
	srv := startServer(t, nil)
	opts := Options{AutoReconnectOptions: relFastReconnect, AckTimeout: 2 * time.Second}

	pub := newSocket(t, srv.URL(), opts)
	var subs []*relSubscriber
	for i := 0; i < nSockets; i++ {
		r := &relSubscriber{
			s:        newSocket(t, srv.URL(), opts),
			channels: []string{"restart/all", "restart/" + strconv.Itoa(i)},
			cons:     map[string]*streams.Consumer[string, Data]{},
		}
		connects := r.s.Listener(EventConnect).All()
		go func() {
			for range connects {
				r.connects.Add(1)
			}
		}()
		for _, ch := range r.channels {
			r.cons[ch] = r.s.Subscribe(ch).CreateConsumer(0)
		}
		subs = append(subs, r)
	}

	stop := make(chan struct{})
	var loops sync.WaitGroup
	var tally relRPCTally
	for i, r := range subs {
		loops.Add(1)
		go func() {
			defer loops.Done()
			relEchoLoop(r.s, i, stop, &tally)
		}()
	}
	stopLoops := sync.OnceFunc(func() { close(stop); loops.Wait() })
	t.Cleanup(stopLoops)

	seq := map[string]int{}
	start := time.Now()
	for round := 0; round <= restarts; round++ {
		if !relWaitUntil(20*time.Second, func() bool {
			for _, r := range subs {
				if !r.ready() {
					return false
				}
			}
			return pub.State() == StateOpen
		}) {
			for i, r := range subs {
				if !r.ready() {
					t.Fatalf("round %d: socket %d not back: state %v, channels %v of %v", round, i, r.s.State(), r.s.Subscriptions(false), r.channels)
				}
			}
			t.Fatalf("round %d: the publisher did not reconnect", round)
		}
		// The server agrees that every socket is subscribed.
		res, err := pub.Invoke(ctxT(t, 5*time.Second), "subscribers", map[string]any{"channel": "restart/all"})
		if err != nil || res.String() != strconv.Itoa(nSockets) {
			t.Fatalf("round %d: the server counts %s subscribers of restart/all (err %v), want %d", round, res, err, nSockets)
		}
		// Publish on every channel, then check each subscriber got its
		// messages in order.
		want := map[string][]int{}
		for _, ch := range append([]string{"restart/all"}, relOwnChannels(subs)...) {
			for k := 0; k < perChannel; k++ {
				seq[ch]++
				if err := pub.InvokePublish(ctxT(t, 5*time.Second), ch, seq[ch]); err != nil {
					t.Fatalf("round %d: publish on %s: %v", round, ch, err)
				}
				want[ch] = append(want[ch], seq[ch])
			}
		}
		for i, r := range subs {
			for _, ch := range r.channels {
				if err := r.expect(ch, want[ch]); err != nil {
					t.Fatalf("round %d, socket %d: %v", round, i, err)
				}
			}
		}
		if round == restarts {
			break
		}
		srv.Kill()
		if !relWaitUntil(10*time.Second, func() bool {
			for _, r := range subs {
				if r.s.State() == StateOpen {
					return false
				}
			}
			return true
		}) {
			t.Fatalf("round %d: sockets still open 10 s after the server was killed", round)
		}
		srv.Restart()
	}
	elapsed := time.Since(start)
	stopLoops()
	tally.check(t)
	for i, r := range subs {
		if got := r.connects.Load(); got < int64(restarts+1) {
			t.Errorf("socket %d connected %d times over %d restarts", i, got, restarts)
		}
	}
	if tally.ok.Load() == 0 {
		t.Fatal("no invoke succeeded")
	}
	t.Logf("restart campaign: %d sockets survived %d SIGKILL restarts in %v; invokes: %d answered, %d failed with timeout/lost connection",
		nSockets, restarts, elapsed.Round(time.Millisecond), tally.ok.Load(), tally.settled.Load())

	for _, r := range subs {
		if err := r.s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	pub.Close()
	relRequireNoSocketGoroutines(t)
}

func relOwnChannels(subs []*relSubscriber) []string {
	out := make([]string, len(subs))
	for i := range subs {
		out[i] = "restart/" + strconv.Itoa(i)
	}
	return out
}
