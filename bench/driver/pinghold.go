package main

import (
	"context"
	"fmt"
	"time"
)

// pingLimit bounds the echo after the idle time.
const pingLimit = 3 * time.Second

func pingHold(ctx context.Context, cfg config, r *report) error {
	s, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	w, err := begin(cfg)
	if err != nil {
		return err
	}
	hold := time.Duration(cfg.HoldS * float64(time.Second))
	select {
	case <-time.After(hold):
	case <-ctx.Done():
	}
	echoCtx, cancel := context.WithTimeout(context.Background(), pingLimit)
	problem := echo(echoCtx, s, 1)
	cancel()
	profErr := w.end()
	w.record(r)
	r.set("held_s", cfg.HoldS)
	r.set("alive", problem == nil)
	if problem != nil {
		return fmt.Errorf("no echo after %v idle (pings unanswered?): %w", hold, problem)
	}
	return profErr
}
