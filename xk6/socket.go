package xk6

import (
	"context"
	"sync"
	"time"

	"github.com/grafana/sobek"
	"github.com/mstoykov/k6-taskqueue-lib/taskqueue"
	"go.k6.io/k6/js/modules"

	"github.com/socketcluster-go/scclient"
)

// socketEvents are the socket events delivered to on() handlers. The
// per-frame events message and raw are left out: they would cost a trip
// through the event loop for every frame.
var socketEvents = []string{
	scclient.EventError, scclient.EventConnecting, scclient.EventConnect,
	scclient.EventConnectAbort, scclient.EventDisconnect, scclient.EventClose,
	scclient.EventAuthStateChange, scclient.EventAuthenticate,
	scclient.EventDeauthenticate, scclient.EventRemoveAuthToken,
	scclient.EventKickOut, scclient.EventSubscribeRequest, scclient.EventSubscribe,
	scclient.EventSubscribeFail, scclient.EventSubscribeStateChange,
	scclient.EventUnsubscribe,
}

// socketWrapper is the script's view of one scclient socket. Fields marked
// "loop" are touched only on the VU's event loop; goroutines reach the
// script only through tq.
type socketWrapper struct {
	vu  modules.VU
	rt  *sobek.Runtime
	s   *scclient.Socket
	obj *sobek.Object
	tq  *taskqueue.TaskQueue
	smp *sampler
	ctx context.Context
	url string

	handlers  map[string][]sobek.Callable // loop
	channels  map[string]*channelWrapper  // loop
	receivers map[string]*receiverWrapper // loop
	timers    map[int64]chan struct{}     // loop
	nextTimer int64                       // loop
	closing   bool                        // loop: close() was called

	done      chan struct{} // closed when the socket starts shutting down
	closeOnce sync.Once
	pumps     sync.WaitGroup // goroutines that queue stream values
}

// newSocketWrapper creates the socket, starts the goroutines that follow
// its events and begins connecting. It runs on the event loop.
func newSocketWrapper(vu modules.VU, m *scMetrics, co *connectOptions) (*socketWrapper, error) {
	state := vu.State()
	base := state.Tags.GetCurrentValues()
	tags := base.Tags.With("url", co.sc.URL)
	for k, v := range co.tags {
		tags = tags.With(k, v)
	}
	base.Tags = tags

	s, err := scclient.Create(co.sc)
	if err != nil {
		return nil, err
	}
	ctx := vu.Context()
	if co.authToken != "" {
		if err := s.AuthEngine().SaveToken(ctx, s.AuthTokenName(), co.authToken); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	w := &socketWrapper{
		vu:        vu,
		rt:        vu.Runtime(),
		s:         s,
		ctx:       ctx,
		url:       co.sc.URL,
		smp:       &sampler{ctx: ctx, out: state.Samples, base: base, metrics: m},
		handlers:  make(map[string][]sobek.Callable),
		channels:  make(map[string]*channelWrapper),
		receivers: make(map[string]*receiverWrapper),
		timers:    make(map[int64]chan struct{}),
		done:      make(chan struct{}),
	}
	w.obj = w.newObject()
	w.tq = taskqueue.New(vu.RegisterCallback)

	events := s.Listener(socketEvents...).CreateConsumer(0)
	w.pumps.Add(1)
	go w.pumpEvents(events)
	go w.watchContext()
	if err := s.Connect(); err != nil {
		w.shutdown()
		return nil, err
	}
	return w, nil
}

// watchContext closes the socket when the VU's iteration ends.
func (w *socketWrapper) watchContext() {
	select {
	case <-w.ctx.Done():
		w.shutdown()
	case <-w.done:
	}
}

// shutdown closes the socket for good and releases the event loop once
// every value already received has been handed to it. It never blocks.
func (w *socketWrapper) shutdown() {
	w.closeOnce.Do(func() {
		close(w.done)
		go func() {
			_ = w.s.Close()
			w.pumps.Wait()
			w.tq.Close()
		}()
	})
}

// isShuttingDown tells whether shutdown has started.
func (w *socketWrapper) isShuttingDown() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// pumpEvents records metrics for socket events and queues them for the
// script's handlers. It ends when Close closes the listener streams.
func (w *socketWrapper) pumpEvents(c interface {
	Next(context.Context) (scclient.Event, bool, error)
}) {
	defer w.pumps.Done()
	m := w.smp.metrics
	var connectingAt, connectedAt time.Time
	attempts := 0
	for {
		ev, ok, err := c.Next(context.Background())
		if !ok || err != nil {
			return
		}
		now := time.Now()
		switch ev.Name {
		case scclient.EventConnecting:
			attempts++
			if attempts > 1 {
				w.smp.push(m.reconnects, 1)
			}
			connectingAt = now
		case scclient.EventConnect:
			w.smp.push(m.sessions, 1)
			if !connectingAt.IsZero() {
				w.smp.duration(m.connecting, now.Sub(connectingAt))
			}
			connectedAt = now
		case scclient.EventDisconnect:
			if !connectedAt.IsZero() {
				w.smp.duration(m.sessionDuration, now.Sub(connectedAt))
				connectedAt = time.Time{}
			}
		case scclient.EventError:
			w.smp.push(m.errors, 1, "error", errorName(ev.Error))
		case scclient.EventSubscribeFail:
			w.smp.push(m.errors, 1, "error", errorName(ev.Error), "channel", ev.Channel)
		}
		w.tq.Queue(func() error { return w.dispatch(ev) })
	}
}

// dispatch calls the socket's and the channel's handlers for one event. It
// runs on the event loop.
func (w *socketWrapper) dispatch(ev scclient.Event) error {
	socketFns := w.handlers[ev.Name]
	var channelFns []sobek.Callable
	if ev.Channel != "" {
		if cw := w.channels[ev.Channel]; cw != nil {
			channelFns = cw.handlers[ev.Name]
		}
	}
	if len(socketFns) == 0 && len(channelFns) == 0 {
		return nil
	}
	arg := w.rt.ToValue(eventObject(ev))
	for _, fns := range [][]sobek.Callable{socketFns, channelFns} {
		for _, fn := range fns {
			if _, err := fn(sobek.Undefined(), arg); err != nil {
				return err
			}
		}
	}
	return nil
}
