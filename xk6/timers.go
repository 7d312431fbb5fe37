package xk6

import (
	"time"

	"github.com/grafana/sobek"
)

// startTimer runs fn on the event loop after ms milliseconds, once or
// repeatedly, until the socket closes. It returns the timer's id.
func (w *socketWrapper) startTimer(fnArg sobek.Value, ms float64, repeat bool) int64 {
	fn := callable(w.rt, fnArg)
	var d time.Duration
	if err := millis(w.rt.ToValue(ms), &d); err != nil {
		throwf(w.rt, "socketcluster: timer delay: %v", err)
	}
	if repeat && d <= 0 {
		d = time.Millisecond
	}
	w.nextTimer++
	id := w.nextTimer
	stop := make(chan struct{})
	w.timers[id] = stop
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-w.done:
				return
			case <-t.C:
			}
			w.tq.Queue(func() error {
				if w.closing || w.timers[id] == nil {
					return nil
				}
				if !repeat {
					delete(w.timers, id)
				}
				_, err := fn(sobek.Undefined())
				return err
			})
			if !repeat {
				return
			}
			t.Reset(d)
		}
	}()
	return id
}

// stopTimer cancels a timer; unknown ids are ignored, as in browsers.
func (w *socketWrapper) stopTimer(id int64) {
	if stop, ok := w.timers[id]; ok {
		close(stop)
		delete(w.timers, id)
	}
}
