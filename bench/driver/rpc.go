package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socketcluster-go/scclient"
)

// echoArgs is the payload of every echo call, and its answer.
type echoArgs struct {
	Seq int    `json:"seq"`
	Msg string `json:"msg"`
}

// echo calls the server's echo procedure and checks the answer.
func echo(ctx context.Context, s *scclient.Socket, seq int) error {
	reply, err := s.Invoke(ctx, "echo", echoArgs{Seq: seq, Msg: "hello"})
	if err != nil {
		return err
	}
	var got echoArgs
	if err := reply.Decode(&got); err != nil {
		return fmt.Errorf("echo answer %s: %w", reply, err)
	}
	if got.Seq != seq || got.Msg != "hello" {
		return fmt.Errorf("echo %d answered %s", seq, reply)
	}
	return nil
}

// callTally counts the calls of one callMany.
type callTally struct {
	done   atomic.Int64
	failed atomic.Int64
	mu     sync.Mutex
	first  error
}

func (t *callTally) failure(err error) {
	t.failed.Add(1)
	t.mu.Lock()
	if t.first == nil {
		t.first = err
	}
	t.mu.Unlock()
}

// callMany makes total echo calls with width of them in flight until ctx
// ends, storing each call's time in lat[seq] when lat is not nil.
func callMany(ctx context.Context, s *scclient.Socket, total, width int, lat []time.Duration) *callTally {
	t := &callTally{}
	var issued atomic.Int64
	lane := func() {
		for ctx.Err() == nil {
			seq := int(issued.Add(1) - 1)
			if seq >= total {
				return
			}
			start := time.Now()
			if err := echo(context.Background(), s, seq); err != nil {
				t.failure(err)
			}
			if lat != nil {
				lat[seq] = time.Since(start)
			}
			t.done.Add(1)
		}
	}
	if width <= 1 {
		lane()
		return t
	}
	var wg sync.WaitGroup
	for range width {
		wg.Go(lane)
	}
	wg.Wait()
	return t
}

func rpcSeq(ctx context.Context, cfg config, r *report) error {
	return rpcRun(ctx, cfg, r, 1)
}

func rpcPar(ctx context.Context, cfg config, r *report) error {
	return rpcRun(ctx, cfg, r, cfg.C)
}

// rpcRun is the RPC scenario with width calls in flight.
func rpcRun(ctx context.Context, cfg config, r *report, width int) error {
	s, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if warm := callMany(ctx, s, cfg.warmupFor(cfg.N, 2000), width, nil); warm.first != nil {
		return fmt.Errorf("warm-up: %w", warm.first)
	}
	lat := make([]time.Duration, cfg.N)
	w, err := begin(cfg)
	if err != nil {
		return err
	}
	t := callMany(ctx, s, cfg.N, width, lat)
	profErr := w.end()
	wall := w.record(r)
	done := int(t.done.Load())
	good := done - int(t.failed.Load())
	r.set("count", good)
	r.set("expected", cfg.N)
	r.set("errors", int(t.failed.Load()))
	r.set("ops_per_s", float64(good)/wall)
	if good > 0 {
		r.set("cpu_s_per_10k_ops", w.cpu()*1e4/float64(good))
	}
	r.latencies(lat[:done])
	switch {
	case t.first != nil:
		return fmt.Errorf("%d of %d calls failed; first: %w", t.failed.Load(), cfg.N, t.first)
	case good != cfg.N:
		return fmt.Errorf("%d of %d calls done when the time ran out", good, cfg.N)
	}
	return profErr
}
