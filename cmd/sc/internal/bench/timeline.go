package bench

import (
	"fmt"
	"sync"
	"time"
)

// Point is one interval of the timeline.
type Point struct {
	// T is the end of the interval, in seconds since the window opened.
	T float64 `json:"t"`
	// SentPerS and ReceivedPerS are the rates over the interval.
	SentPerS     float64 `json:"sent_per_s"`
	ReceivedPerS float64 `json:"received_per_s"`
	// Errors counts the errors of the interval.
	Errors int64 `json:"errors"`
	// Connected is the number of open sockets at the end of the interval.
	Connected int64 `json:"connected"`
	// Latency of the interval's samples (publish → receive, or the call's
	// round trip in RPC mode), in milliseconds.
	Samples int64   `json:"samples"`
	P50     float64 `json:"p50"`
	P90     float64 `json:"p90"`
	P99     float64 `json:"p99"`
	Max     float64 `json:"max"`
}

// timeline samples the run's counters every interval, keeps the points of
// the measured window and writes the progress line.
type timeline struct {
	r      *run
	mu     sync.Mutex
	window time.Time // zero during setup
	pts    []Point
	quit   chan struct{}
	done   chan struct{}

	lastSent, lastRecv, lastErrs int64
	lastAt                       time.Time
	setupAt                      time.Time
}

func newTimeline(r *run) *timeline {
	return &timeline{r: r, quit: make(chan struct{}), done: make(chan struct{})}
}

func (t *timeline) start() {
	t.setupAt = time.Now()
	t.lastAt = t.setupAt
	go t.loop()
}

// open marks the start of the measured window.
func (t *timeline) open(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.window = at
	t.lastAt = at
	t.lastSent, t.lastRecv, t.lastErrs = t.r.sent.Load(), t.r.received.Load(), t.r.errs.total()
	t.r.latency().takeWindow() // drop what setup recorded
}

// stop takes a last sample and ends the loop.
func (t *timeline) stop() {
	close(t.quit)
	<-t.done
}

func (t *timeline) points() []Point {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Point(nil), t.pts...)
}

func (t *timeline) loop() {
	defer close(t.done)
	tick := time.NewTicker(t.r.cfg.Interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			t.sample()
		case <-t.quit:
			t.sample()
			if t.r.cfg.Progress != nil {
				fmt.Fprint(t.r.cfg.Progress, "\r\033[K")
			}
			return
		}
	}
}

func (t *timeline) sample() {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.r
	now := time.Now()
	if t.window.IsZero() {
		t.progress(fmt.Sprintf("setup %4.0fs  connected %d/%d", now.Sub(t.setupAt).Seconds(), r.connectedNow.Load(), r.cfg.Clients))
		return
	}
	dt := now.Sub(t.lastAt).Seconds()
	if dt <= 0 {
		return
	}
	sent, recv, errs := r.sent.Load(), r.received.Load(), r.errs.total()
	h := r.latency().takeWindow()
	q := quantiles(h)
	p := Point{
		T:            now.Sub(t.window).Seconds(),
		SentPerS:     float64(sent-t.lastSent) / dt,
		ReceivedPerS: float64(recv-t.lastRecv) / dt,
		Errors:       errs - t.lastErrs,
		Connected:    r.connectedNow.Load(),
		Samples:      q.Count,
		P50:          q.P50,
		P90:          q.P90,
		P99:          q.P99,
		Max:          q.Max,
	}
	t.pts = append(t.pts, p)
	t.lastSent, t.lastRecv, t.lastErrs, t.lastAt = sent, recv, errs, now
	line := fmt.Sprintf("%5.0fs  connected %d  sent %.0f/s  errors %d  p99 %.2f ms", p.T, p.Connected, p.SentPerS, errs, p.P99)
	if r.cfg.RPC == "" {
		line = fmt.Sprintf("%5.0fs  connected %d  sent %.0f/s  received %.0f/s  errors %d  p99 %.2f ms", p.T, p.Connected, p.SentPerS, p.ReceivedPerS, errs, p.P99)
	}
	t.progress(line)
}

func (t *timeline) progress(line string) {
	if t.r.cfg.Progress != nil {
		fmt.Fprintf(t.r.cfg.Progress, "\r\033[K%s", line)
	}
}

// latency returns the recorder whose figures the timeline shows.
func (r *run) latency() *recorder {
	if r.cfg.RPC != "" {
		return r.callLat
	}
	return r.pubLat
}
