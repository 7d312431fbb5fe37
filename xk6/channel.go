package xk6

import (
	"sync/atomic"
	"time"

	"github.com/grafana/sobek"

	"github.com/socketcluster-go/scclient"
)

// channelEvents are the channel events a channel object's on() accepts
// besides message.
var channelEvents = []string{
	scclient.EventSubscribe, scclient.EventSubscribeFail, scclient.EventUnsubscribe,
	scclient.EventSubscribeStateChange, scclient.EventSubscribeRequest, scclient.EventKickOut,
}

// channelWrapper is the script's view of one channel of a socket.
type channelWrapper struct {
	w          *socketWrapper
	ch         *scclient.Channel
	obj        *sobek.Object
	handlers   map[string][]sobek.Callable // loop
	hasMessage atomic.Bool                 // a message handler exists
}

// subscribe subscribes to a channel and returns its object. Calling it
// again for a channel still subscribed (or pending) returns the same object.
func (w *socketWrapper) subscribe(name string, opts sobek.Value) *sobek.Object {
	if name == "" {
		throwf(w.rt, "socketcluster: subscribe needs a channel name")
	}
	subOpts := w.subscribeOptions(opts)
	cw := w.channels[name]
	inTable := w.s.IsSubscribed(name, true)
	ch := w.s.Subscribe(name, subOpts...)
	if cw != nil && inTable {
		return cw.obj
	}
	if cw == nil {
		cw = &channelWrapper{w: w, ch: ch, handlers: make(map[string][]sobek.Callable)}
		cw.obj = cw.newObject()
		w.channels[name] = cw
	}
	consumer := ch.CreateConsumer(0)
	w.pumps.Add(1)
	go cw.pump(consumer.All())
	return cw.obj
}

// subscribeOptions reads {waitForAuth, data, priority}.
func (w *socketWrapper) subscribeOptions(v sobek.Value) []scclient.SubscribeOptions {
	if isNullish(v) {
		return nil
	}
	obj := v.ToObject(w.rt)
	var so scclient.SubscribeOptions
	for _, key := range obj.Keys() {
		val := obj.Get(key)
		switch key {
		case "waitForAuth":
			so.WaitForAuth = val.ToBoolean()
		case "data":
			so.Data = exportData(val)
		case "priority":
			so.Priority = int(val.ToInteger())
		default:
			throwf(w.rt, "socketcluster: unknown subscribe option %q (known: waitForAuth, data, priority)", key)
		}
	}
	return []scclient.SubscribeOptions{so}
}

// pump counts the channel's messages, measures publish latency and hands
// the messages to the message handlers. It ends when the channel leaves
// the socket's table (unsubscribe, kick out, close).
func (cw *channelWrapper) pump(msgs func(func(scclient.Data) bool)) {
	w := cw.w
	defer w.pumps.Done()
	name := cw.ch.Name()
	for d := range msgs {
		w.smp.push(w.smp.metrics.msgsReceived, 1, "channel", name)
		v, err := decodeData(d)
		if err == nil {
			if t, ok := sentAt(v); ok {
				w.smp.duration(w.smp.metrics.publishLatency, time.Since(t), "channel", name)
			}
		}
		if !cw.hasMessage.Load() {
			continue
		}
		w.tq.Queue(func() error {
			arg := w.rt.ToValue(v)
			for _, fn := range cw.handlers[scclient.EventMessage] {
				if _, err := fn(sobek.Undefined(), arg); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// newObject builds the channel's JavaScript object.
func (cw *channelWrapper) newObject() *sobek.Object {
	rt := cw.w.rt
	o := rt.NewObject()
	must(rt, o.Set("name", cw.ch.Name()))
	must(rt, o.Set("on", cw.on))
	must(rt, o.Set("unsubscribe", func() { cw.ch.Unsubscribe() }))
	must(rt, o.Set("isSubscribed", func(includePending bool) bool { return cw.ch.IsSubscribed(includePending) }))
	must(rt, o.Set("transmitPublish", func(data sobek.Value) error {
		return cw.w.transmitPublish(cw.ch.Name(), data)
	}))
	must(rt, o.Set("invokePublish", func(data, opts sobek.Value) *sobek.Promise {
		return cw.w.invokePublish(cw.ch.Name(), data, opts)
	}))
	must(rt, o.DefineAccessorProperty("state", rt.ToValue(func() sobek.Value {
		return rt.ToValue(cw.ch.State().String())
	}), nil, sobek.FLAG_FALSE, sobek.FLAG_TRUE))
	return o
}

// on adds a handler for the channel's messages or one of its events.
func (cw *channelWrapper) on(name string, fn sobek.Value) *sobek.Object {
	c := callable(cw.w.rt, fn)
	switch {
	case name == scclient.EventMessage:
		cw.hasMessage.Store(true)
	case contains(channelEvents, name):
	default:
		throwf(cw.w.rt, "socketcluster: unknown channel event %q (known: message, %v)", name, channelEvents)
	}
	cw.handlers[name] = append(cw.handlers[name], c)
	return cw.obj
}
