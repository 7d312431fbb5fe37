package xk6

import (
	"sync/atomic"

	"github.com/grafana/sobek"

	"github.com/socketcluster-go/scclient"
)

// receiverWrapper is the script's view of the stream of one event the
// server transmits to the socket.
type receiverWrapper struct {
	w          *socketWrapper
	name       string
	obj        *sobek.Object
	handlers   []sobek.Callable // loop
	hasMessage atomic.Bool
}

// receiver returns the object for the server's transmits of one event,
// creating its consumer on first use.
func (w *socketWrapper) receiver(name string) *sobek.Object {
	if rw := w.receivers[name]; rw != nil {
		return rw.obj
	}
	rw := &receiverWrapper{w: w, name: name}
	rw.obj = w.rt.NewObject()
	must(w.rt, rw.obj.Set("name", name))
	must(w.rt, rw.obj.Set("on", func(event string, fn sobek.Value) {
		if event != scclient.EventMessage {
			throwf(w.rt, "socketcluster: a receiver only has the message event, not %q", event)
		}
		rw.handlers = append(rw.handlers, callable(w.rt, fn))
		rw.hasMessage.Store(true)
	}))
	w.receivers[name] = rw
	consumer := w.s.Receiver(name).CreateConsumer(0)
	w.pumps.Add(1)
	go rw.pump(consumer.All())
	return rw.obj
}

// pump counts the received values and hands them to the handlers.
func (rw *receiverWrapper) pump(msgs func(func(scclient.Data) bool)) {
	w := rw.w
	defer w.pumps.Done()
	for d := range msgs {
		w.smp.push(w.smp.metrics.msgsReceived, 1, "procedure", rw.name)
		if !rw.hasMessage.Load() {
			continue
		}
		v, err := decodeData(d)
		if err != nil {
			w.countError(err, "procedure", rw.name)
			continue
		}
		w.tq.Queue(func() error {
			arg := w.rt.ToValue(v)
			for _, fn := range rw.handlers {
				if _, err := fn(sobek.Undefined(), arg); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
