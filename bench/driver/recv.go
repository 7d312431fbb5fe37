package main

import (
	"context"
	"fmt"
	"iter"
	"os"
	"strconv"
	"time"

	"github.com/socketcluster-go/scclient"
)

const (
	// subscribeLimit bounds the wait for the server's subscribe ack.
	subscribeLimit = 10 * time.Second
	// duplicateGrace is how long the driver keeps counting after the last
	// expected message, so that duplicates show.
	duplicateGrace = 100 * time.Millisecond
)

// receiveWindow warms up, then measures the window from trigger(m) to the
// m-th payload.
func receiveWindow(ctx context.Context, cfg config, r *report, t *tally, trigger func(count int) error) error {
	if warm := cfg.warmupFor(cfg.M/2, 10000); warm > 0 {
		if err := trigger(warm); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		if !t.reach(ctx, warm) {
			got, _ := t.counts()
			return fmt.Errorf("warm-up: %d of %d messages arrived in time", got, warm)
		}
	}
	before, _ := t.counts()
	w, err := begin(cfg)
	if err != nil {
		return err
	}
	if err := trigger(cfg.M); err != nil {
		_ = w.end()
		return err
	}
	all := t.reach(ctx, before+cfg.M)
	profErr := w.end()
	if all {
		time.Sleep(duplicateGrace)
	}
	got, bad := t.counts()
	got -= before
	used := min(got, cfg.M)
	wall := w.record(r)
	r.set("count", got)
	r.set("expected", cfg.M)
	r.set("complete", got == cfg.M)
	r.set("bad_payload", bad)
	r.set("msgs_per_s", float64(used)/wall)
	r.set("mib_per_s", float64(used)*float64(cfg.Size)/wall/(1<<20))
	if used > 0 {
		r.set("cpu_s_per_100k_msgs", w.cpu()*1e5/float64(used))
	}
	switch {
	case got < cfg.M:
		return fmt.Errorf("%d of %d messages arrived in time", got, cfg.M)
	case got > cfg.M:
		return fmt.Errorf("%d messages more than the %d sent", got-cfg.M, cfg.M)
	case bad > 0:
		return fmt.Errorf("%d payloads were not strings of %d bytes", bad, cfg.Size)
	}
	return profErr
}

// blastArgs is the payload of the server's blast receiver.
type blastArgs struct {
	Channel string `json:"channel"`
	Count   int    `json:"count"`
	Size    int    `json:"size"`
}

// emitArgs is the payload of the server's emitEvents procedure.
type emitArgs struct {
	Event string `json:"event"`
	Count int    `json:"count"`
	Size  int    `json:"size"`
}

// startTally counts what seq delivers on a goroutine of its own; stop
// closes s, which ends seq, and waits for the count to finish.
func startTally(s *scclient.Socket, cfg config, seq iter.Seq[scclient.Data]) (t *tally, stop func()) {
	finished := make(chan struct{})
	t = newTally(cfg.Size, cfg.Decode)
	go t.consume(seq, finished)
	return t, func() {
		s.Close()
		<-finished
	}
}

func subRecv(ctx context.Context, cfg config, r *report) error {
	s, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	name := "bench-" + strconv.Itoa(os.Getpid())
	ch := s.Channel(name)
	subscribed := ch.Listener(scclient.EventSubscribe).CreateConsumer(0)
	t, stop := startTally(s, cfg, ch.All())
	defer stop()
	ch.Subscribe()
	wait, cancel := context.WithTimeout(ctx, subscribeLimit)
	_, ok, err := subscribed.Next(wait)
	cancel()
	subscribed.Close()
	if err != nil || !ok {
		return fmt.Errorf("subscribe %s: no ack (%v)", name, err)
	}
	return receiveWindow(ctx, cfg, r, t, func(count int) error {
		return s.Transmit("blast", blastArgs{Channel: name, Count: count, Size: cfg.Size})
	})
}

func evtRecv(ctx context.Context, cfg config, r *report) error {
	s, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	t, stop := startTally(s, cfg, s.Receiver("benchEvent").All())
	defer stop()
	return receiveWindow(ctx, cfg, r, t, func(count int) error {
		_, err := s.Invoke(ctx, "emitEvents", emitArgs{Event: "benchEvent", Count: count, Size: cfg.Size})
		return err
	})
}
