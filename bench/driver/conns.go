package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socketcluster-go/scclient"
)

// aliveLimit bounds the echo that proves idle sockets still work.
const aliveLimit = 5 * time.Second

// dialMany opens k sockets with width handshakes in flight.
func dialMany(ctx context.Context, cfg config) (open []*scclient.Socket, failed int, first error) {
	var (
		mu     sync.Mutex
		issued atomic.Int64
		wg     sync.WaitGroup
	)
	for range max(1, cfg.C) {
		wg.Go(func() {
			for ctx.Err() == nil && issued.Add(1) <= int64(cfg.K) {
				s, err := dial(ctx, cfg)
				mu.Lock()
				if err != nil {
					failed++
					if first == nil {
						first = err
					}
				} else {
					open = append(open, s)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return open, failed, first
}

// closeAll closes the sockets, several at a time.
func closeAll(sockets []*scclient.Socket) {
	var wg sync.WaitGroup
	next := make(chan *scclient.Socket)
	for range 16 {
		wg.Go(func() {
			for s := range next {
				s.Close()
			}
		})
	}
	for _, s := range sockets {
		next <- s
	}
	close(next)
	wg.Wait()
}

func conns(ctx context.Context, cfg config, r *report) error {
	base := readMem("self")
	var baseServer *procSample
	if cfg.ServerPID > 0 {
		if p, err := sampleProcess(cfg.ServerPID); err == nil {
			baseServer = &p
		}
	}
	w, err := begin(cfg)
	if err != nil {
		return err
	}
	open, failed, first := dialMany(ctx, cfg)
	defer closeAll(open)
	profErr := w.end()
	wall := w.record(r)
	up := len(open)
	r.set("count", up)
	r.set("expected", cfg.K)
	r.set("errors", failed)
	r.set("conns_per_s", float64(up)/wall)
	if up > 0 {
		r.set("cpu_ms_per_conn", w.cpu()*1e3/float64(up))
	}

	settle := time.Duration(cfg.SettleMS) * time.Millisecond
	select {
	case <-time.After(settle):
	case <-ctx.Done():
	}
	mem := readMem("self")
	if cfg.Log != nil {
		logRuntime(cfg.Log, up)
	}
	r.set("rss_base_kib", base.RSS)
	r.set("rss_kib", mem.RSS)
	r.set("rss_peak_kib", mem.Peak)
	if up > 0 {
		r.set("rss_kib_per_conn", float64(mem.RSS-base.RSS)/float64(up))
	}
	if cfg.ServerPID > 0 && baseServer != nil {
		if p, err := sampleProcess(cfg.ServerPID); err == nil {
			r.set("server_rss_base_kib", baseServer.RSSKiB)
			r.set("server_rss_kib", p.RSSKiB)
			if up > 0 {
				r.set("server_rss_kib_per_conn", float64(p.RSSKiB-baseServer.RSSKiB)/float64(up))
			}
		}
	}
	if cfg.MemProfile != "" {
		profErr = writeHeapProfile(cfg.MemProfile)
	}
	alive := false
	if up > 0 {
		echoCtx, cancel := context.WithTimeout(context.Background(), aliveLimit)
		alive = echo(echoCtx, open[up-1], up) == nil
		cancel()
	}
	r.set("alive_after_settle", alive)
	switch {
	case first != nil:
		return fmt.Errorf("%d of %d connections failed; first: %w", failed, cfg.K, first)
	case up != cfg.K:
		return fmt.Errorf("%d of %d connections open when the time ran out", up, cfg.K)
	case !alive:
		return fmt.Errorf("an idle socket did not answer echo after the settle time")
	}
	return profErr
}

// logRuntime writes the Go runtime's view of memory per open socket, which
// explains the RSS figure.
func logRuntime(w io.Writer, sockets int) {
	if sockets == 0 {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	per := func(b uint64) float64 { return float64(b) / 1024 / float64(sockets) }
	fmt.Fprintf(w, "conns: %d sockets, %d goroutines (%.1f per socket); per socket: heap in use %.1f KiB, live heap %.1f KiB, stacks %.1f KiB; runtime total %.1f KiB\n",
		sockets, runtime.NumGoroutine(), float64(runtime.NumGoroutine())/float64(sockets),
		per(ms.HeapInuse), per(ms.HeapAlloc), per(ms.StackInuse), per(ms.Sys))
}
