package bench

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// run is the state of one benchmark run.
type run struct {
	cfg   *Config
	clock time.Time // origin of payload timestamps (monotonic)

	clients []*client
	ready   []*client // connected and subscribed when the window opened
	wg      sync.WaitGroup
	sender  *sender

	chanSeq  []atomic.Int64 // next sequence number per channel
	failedMu sync.Mutex
	failed   map[int][]int64 // per channel, sequence numbers whose publish failed

	pubLat     *recorder // publish → receive
	callLat    *recorder // invoke or invokePublish round trip
	connectLat *recorder

	issued          atomic.Int64 // publishes or calls started
	sent            atomic.Int64 // publishes or calls made without error
	callsOK         atomic.Int64
	received        atomic.Int64
	receivedCounted atomic.Int64
	dups            atomic.Int64
	bad             atomic.Int64
	subscribeFails  atomic.Int64
	connectedNow    atomic.Int64
	reconnects      atomic.Int64
	disconnects     atomic.Int64
	errs            errCounts
	closing         atomic.Bool // teardown started: disconnects are ours
}

func (r *run) now() time.Duration { return time.Since(r.clock) }

// Run performs a benchmark run as cfg describes and returns its result.
// The run stops by itself after the window (and the drain); cancelling ctx
// ends it early, with the figures gathered so far.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	if err := checkFileLimit(cfg.Clients); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	shards := 4 * runtime.GOMAXPROCS(0)
	r := &run{
		cfg:        &cfg,
		clock:      time.Now(),
		chanSeq:    make([]atomic.Int64, len(cfg.Channels)),
		failed:     map[int][]int64{},
		pubLat:     newRecorder(shards),
		callLat:    newRecorder(shards),
		connectLat: newRecorder(shards),
	}
	res := r.newResult()
	tl := newTimeline(r)
	tl.start()

	setupStart := time.Now()
	r.setup(ctx)
	r.openWindow()
	res.Setup = r.setupResult(time.Since(setupStart))
	if len(r.ready) == 0 {
		tl.stop()
		r.teardown()
		return nil, fmt.Errorf("no client connected (%s)", failureSummary(r.clients))
	}
	cfg.Log("%d of %d clients connected in %.2fs; measuring for up to %v", len(r.ready), cfg.Clients, res.Setup.Seconds, cfg.Duration)

	windowStart := time.Now()
	tl.open(windowStart)
	r.measure(ctx)
	sendEnd := time.Now()
	r.drain(ctx)
	tl.stop()
	r.teardown()

	r.finish(res, sendEnd.Sub(windowStart), time.Since(windowStart), tl.points())
	return res, nil
}

// setup starts the clients at the connect rate and waits until each one is
// connected and subscribed, or failed, or the setup timeout passes.
func (r *run) setup(ctx context.Context) {
	cfg := r.cfg
	deadline := time.NewTimer(cfg.SetupTimeout)
	defer deadline.Stop()
	begin := time.Now()
	r.clients = make([]*client, cfg.Clients)
	for i := range r.clients {
		r.clients[i] = newClient(r, i)
	}
	for i, c := range r.clients {
		due := begin.Add(time.Duration(float64(i) / cfg.ConnectRate * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			case <-deadline.C:
				t.Stop()
				return
			}
		}
		c.start(ctx)
	}
	for _, c := range r.clients {
		select {
		case <-c.ready:
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		}
	}
}

// openWindow decides which clients and subscriptions take part, before the
// first publish.
func (r *run) openWindow() {
	for _, c := range r.clients {
		select {
		case <-c.ready:
		default:
			continue
		}
		if c.sock == nil || c.failed() != "" || !c.connected.Load() {
			continue
		}
		r.ready = append(r.ready, c)
		for _, s := range c.subs {
			if s.acked.Load() {
				s.counted.Store(true)
			}
		}
	}
}

// drain waits for the calls still in flight and the messages still on
// their way, for at most the drain time.
func (r *run) drain(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Drain+r.ackWait())
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if r.inflightDone() && (r.cfg.RPC != "" || r.receivedCounted.Load() >= r.expected()) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ackWait is how long a call may still take after the window closed.
func (r *run) ackWait() time.Duration {
	if r.cfg.Ack || r.cfg.RPC != "" {
		return r.cfg.Options().AckTimeout
	}
	return 0
}

// expected returns how many deliveries the counted subscriptions should
// get for what was published so far.
func (r *run) expected() int64 {
	r.failedMu.Lock()
	defer r.failedMu.Unlock()
	var n int64
	for _, c := range r.ready {
		for _, s := range c.subs {
			if s.counted.Load() {
				n += r.chanSeq[s.ch].Load() - int64(len(r.failed[s.ch]))
			}
		}
	}
	return n
}

// markFailed records a publish that returned an error.
func (r *run) markFailed(ch int, seq int64) {
	r.failedMu.Lock()
	r.failed[ch] = append(r.failed[ch], seq)
	r.failedMu.Unlock()
}

// teardown closes every socket and waits for the run's goroutines.
func (r *run) teardown() {
	r.closing.Store(true)
	work := make(chan *client)
	var wg sync.WaitGroup
	for range min(64, len(r.clients)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if c.sock != nil {
					c.sock.Close()
				}
			}
		}()
	}
	for _, c := range r.clients {
		if c != nil {
			work <- c
		}
	}
	close(work)
	wg.Wait()
	r.wg.Wait()
}

// failureSummary names the reasons clients failed to connect.
func failureSummary(clients []*client) string {
	counts := map[string]int{}
	for _, c := range clients {
		if c == nil {
			continue
		}
		why := c.failed()
		if why == "" {
			why = "no answer"
		}
		counts[why]++
	}
	if len(counts) == 0 {
		return "none started"
	}
	parts := make([]string, 0, len(counts))
	for _, why := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[why], why))
	}
	return strings.Join(parts, ", ")
}
