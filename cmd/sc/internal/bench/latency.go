package bench

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds, from 1 µs to an hour, with three
// significant digits.
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	histDigits  = 3
)

func newHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, histDigits) }

// recorder is a latency histogram that many goroutines record into: it is
// split in shards with a lock each, and keeps both the whole run and the
// current timeline interval.
type recorder struct {
	shards []recShard
}

type recShard struct {
	mu     sync.Mutex
	total  *hdr.Histogram
	window *hdr.Histogram
	_      [40]byte // keep shards on separate cache lines
}

func newRecorder(shards int) *recorder {
	r := &recorder{shards: make([]recShard, shards)}
	for i := range r.shards {
		r.shards[i].total = newHist()
		r.shards[i].window = newHist()
	}
	return r
}

// record adds one latency; hint picks the shard (any int, e.g. a worker id).
func (r *recorder) record(hint int, d time.Duration) {
	us := max(d.Microseconds(), histLowest)
	us = min(us, histHighest)
	s := &r.shards[uint(hint)%uint(len(r.shards))]
	s.mu.Lock()
	s.total.RecordValue(us)
	s.window.RecordValue(us)
	s.mu.Unlock()
}

// takeWindow returns the latencies recorded since the last call and starts a
// new interval.
func (r *recorder) takeWindow() *hdr.Histogram { return r.merge(true) }

// total returns every latency recorded so far.
func (r *recorder) total() *hdr.Histogram { return r.merge(false) }

// merge adds up the shards' window histograms (resetting them) or, when
// window is false, their totals.
func (r *recorder) merge(window bool) *hdr.Histogram {
	out := newHist()
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		if window {
			out.Merge(s.window)
			s.window.Reset()
		} else {
			out.Merge(s.total)
		}
		s.mu.Unlock()
	}
	return out
}

// Quantiles summarise a latency histogram, in milliseconds.
type Quantiles struct {
	Count int64   `json:"count"` // number of samples
	Min   float64 `json:"min"`   // smallest sample
	Mean  float64 `json:"mean"`  // arithmetic mean
	P50   float64 `json:"p50"`   // median
	P90   float64 `json:"p90"`   // 90th percentile
	P99   float64 `json:"p99"`   // 99th percentile
	P999  float64 `json:"p99_9"` // 99.9th percentile
	Max   float64 `json:"max"`   // largest sample
}

func usToMs(us int64) float64 { return float64(us) / 1000 }

// quantiles summarises h.
func quantiles(h *hdr.Histogram) Quantiles {
	if h.TotalCount() == 0 {
		return Quantiles{}
	}
	return Quantiles{
		Count: h.TotalCount(),
		Min:   usToMs(h.Min()),
		Mean:  h.Mean() / 1000,
		P50:   usToMs(h.ValueAtQuantile(50)),
		P90:   usToMs(h.ValueAtQuantile(90)),
		P99:   usToMs(h.ValueAtQuantile(99)),
		P999:  usToMs(h.ValueAtQuantile(99.9)),
		Max:   usToMs(h.Max()),
	}
}

// Percentile is one point of a latency distribution.
type Percentile struct {
	Percentile float64 `json:"percentile"` // 0 to 100
	Ms         float64 `json:"ms"`         // latency at that percentile
}

// distributionPercentiles are the points of the distribution curve.
var distributionPercentiles = []float64{
	0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99,
	99.5, 99.7, 99.9, 99.95, 99.97, 99.99, 99.995, 99.999, 100,
}

// distribution returns the latency at each of distributionPercentiles.
func distribution(h *hdr.Histogram) []Percentile {
	if h.TotalCount() == 0 {
		return nil
	}
	out := make([]Percentile, 0, len(distributionPercentiles))
	for _, p := range distributionPercentiles {
		var v int64
		switch p {
		case 0:
			v = h.Min()
		case 100:
			v = h.Max()
		default:
			v = h.ValueAtQuantile(p)
		}
		out = append(out, Percentile{Percentile: p, Ms: usToMs(v)})
	}
	return out
}
