package bench

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"time"

	"github.com/socketcluster-go/scclient"
)

// sender drives the publishes or calls of the measured window.
type sender struct {
	r        *run
	ctx      context.Context
	stop     chan struct{}
	stopOnce sync.Once
	inflight chan struct{} // semaphore of open-loop calls
	calls    sync.WaitGroup
}

func (s *sender) halt() { s.stopOnce.Do(func() { close(s.stop) }) }

func (s *sender) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// measure runs the window: it sends until the duration passes, the message
// budget is spent or ctx is cancelled.
func (r *run) measure(ctx context.Context) {
	s := &sender{r: r, ctx: ctx, stop: make(chan struct{}), inflight: make(chan struct{}, MaxInflight)}
	r.sender = s
	timer := time.NewTimer(r.cfg.Duration)
	defer timer.Stop()
	var workers sync.WaitGroup
	if r.cfg.closedLoop() {
		for w := range r.cfg.Concurrency {
			workers.Add(1)
			go func() {
				defer workers.Done()
				s.closedLoop(w)
			}()
		}
	} else {
		n := min(4, runtime.GOMAXPROCS(0)*2, len(r.ready))
		for w := range n {
			workers.Add(1)
			go func() {
				defer workers.Done()
				s.pace(w, r.cfg.Rate/float64(n))
			}()
		}
	}
	done := make(chan struct{})
	go func() {
		workers.Wait()
		close(done)
	}()
	select {
	case <-timer.C:
	case <-ctx.Done():
	case <-done: // the budget is spent
	}
	s.halt()
	<-done
}

// inflightDone reports whether every call has been answered.
func (r *run) inflightDone() bool {
	s := r.sender
	if s == nil {
		return true
	}
	return len(s.inflight) == 0
}

// next claims the index of the next publish or call; false once the
// --messages budget is spent.
func (s *sender) next() (int64, bool) {
	k := s.r.issued.Add(1) - 1
	if m := s.r.cfg.Messages; m > 0 && k >= m {
		s.r.issued.Add(-1)
		return 0, false
	}
	return k, true
}

// pace sends at rate per second until stopped, catching up after a delay
// rather than skipping.
func (s *sender) pace(worker int, rate float64) {
	begin := time.Now()
	var done int64
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		due := int64(time.Since(begin).Seconds()*rate) + 1
		for done < due {
			if s.stopped() {
				return
			}
			k, ok := s.next()
			if !ok {
				return
			}
			if !s.one(k, worker) {
				return
			}
			done++
		}
		wait := time.Until(begin.Add(time.Duration(float64(done) / rate * float64(time.Second))))
		timer.Reset(max(wait, 200*time.Microsecond))
		select {
		case <-timer.C:
		case <-s.stop:
			return
		}
	}
}

// one sends message k: a publish, an acknowledged publish or a call, the
// last two in their own goroutine. It returns false when stopped while
// waiting for a free in-flight slot.
func (s *sender) one(k int64, worker int) bool {
	r := s.r
	if r.cfg.RPC == "" && !r.cfg.Ack {
		s.publish(k)
		return true
	}
	select {
	case s.inflight <- struct{}{}:
	case <-s.stop:
		return false
	}
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		defer func() { <-s.inflight }()
		if r.cfg.RPC != "" {
			s.call(k, worker)
		} else {
			s.publish(k)
		}
	}()
	return true
}

// closedLoop makes calls back to back until stopped.
func (s *sender) closedLoop(worker int) {
	for !s.stopped() {
		k, ok := s.next()
		if !ok {
			return
		}
		s.inflight <- struct{}{}
		s.call(k, worker)
		<-s.inflight
	}
}

// publish publishes message k on channel k mod C from one of the ready
// clients, with or without acknowledgement.
func (s *sender) publish(k int64) {
	r := s.r
	ch := int(k % int64(len(r.cfg.Channels)))
	seq := r.chanSeq[ch].Add(1) - 1
	c := r.ready[k%int64(len(r.ready))]
	payload := json.RawMessage(encodePayload(nil, seq, int64(r.now()), r.cfg.Size))
	name := r.cfg.Channels[ch]
	var err error
	if r.cfg.Ack {
		begin := time.Now()
		err = c.sock.InvokePublish(s.ctx, name, payload, scclient.WithAckTimeout(c.sock.AckTimeout()))
		if err == nil {
			r.callLat.record(int(k), time.Since(begin))
		}
	} else {
		err = c.sock.TransmitPublish(name, payload)
	}
	if err != nil {
		r.markFailed(ch, seq)
		r.errs.add(err)
		return
	}
	r.sent.Add(1)
}

// call invokes the procedure once from the worker's client.
func (s *sender) call(k int64, worker int) {
	r := s.r
	c := r.ready[(int64(worker)+k)%int64(len(r.ready))]
	if r.cfg.closedLoop() {
		c = r.ready[worker%len(r.ready)]
	}
	payload := json.RawMessage(encodePayload(nil, k, int64(r.now()), r.cfg.Size))
	begin := time.Now()
	_, err := c.sock.Invoke(s.ctx, r.cfg.RPC, payload, scclient.WithAckTimeout(c.sock.AckTimeout()))
	if err != nil {
		r.errs.add(err)
		return
	}
	r.callLat.record(worker, time.Since(begin))
	r.sent.Add(1)
	r.callsOK.Add(1)
}
