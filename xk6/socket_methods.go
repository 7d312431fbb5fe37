package xk6

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/promises"

	"github.com/socketcluster-go/scclient"
)

// newObject builds the JavaScript object of the socket.
func (w *socketWrapper) newObject() *sobek.Object {
	rt := w.rt
	o := rt.NewObject()
	methods := map[string]any{
		"on":              w.on,
		"subscribe":       w.subscribe,
		"unsubscribe":     func(name string) { w.s.Unsubscribe(name) },
		"subscriptions":   func(includePending bool) []string { return w.s.Subscriptions(includePending) },
		"receiver":        w.receiver,
		"invoke":          w.invoke,
		"transmit":        w.transmit,
		"transmitPublish": w.transmitPublish,
		"invokePublish":   w.invokePublish,
		"authenticate":    w.authenticate,
		"deauthenticate":  w.deauthenticate,
		"setTimeout":      func(fn sobek.Value, ms float64) int64 { return w.startTimer(fn, ms, false) },
		"setInterval":     func(fn sobek.Value, ms float64) int64 { return w.startTimer(fn, ms, true) },
		"clearTimeout":    w.stopTimer,
		"clearInterval":   w.stopTimer,
		"reconnect":       w.reconnect,
		"close":           w.close,
		"disconnect":      w.close,
	}
	for name, fn := range methods {
		must(rt, o.Set(name, fn))
	}
	getters := map[string]func() any{
		"id":              func() any { return w.s.ID() },
		"clientId":        func() any { return w.s.ClientID() },
		"url":             func() any { return w.url },
		"state":           func() any { return w.s.State().String() },
		"authState":       func() any { return w.s.AuthState().String() },
		"signedAuthToken": func() any { return nullIfEmpty(w.s.SignedAuthToken()) },
		"authToken":       func() any { return w.s.AuthToken() },
	}
	for name, get := range getters {
		must(rt, o.DefineAccessorProperty(name, rt.ToValue(func() sobek.Value { return rt.ToValue(get()) }),
			nil, sobek.FLAG_FALSE, sobek.FLAG_TRUE))
	}
	return o
}

// on adds a handler for a socket event.
func (w *socketWrapper) on(name string, fn sobek.Value) *sobek.Object {
	if !slices.Contains(socketEvents, name) {
		common.Throw(w.rt, fmt.Errorf("socketcluster: unknown socket event %q (known: %v; use subscribe(...).on('message') or receiver(...).on('message') for data)", name, socketEvents))
	}
	w.handlers[name] = append(w.handlers[name], callable(w.rt, fn))
	return w.obj
}

// invoke sends an RPC and returns a promise of its answer.
func (w *socketWrapper) invoke(name string, data sobek.Value, opts sobek.Value) *sobek.Promise {
	callOpts := w.callOptions(opts)
	payload := exportData(data)
	p, resolve, reject := promises.New(w.vu)
	w.smp.push(w.smp.metrics.msgsSent, 1, "procedure", name)
	go func() {
		start := time.Now()
		res, err := w.s.Invoke(w.ctx, name, payload, callOpts...)
		w.smp.duration(w.smp.metrics.rpcDuration, time.Since(start), "procedure", name)
		if err != nil {
			w.countError(err, "procedure", name)
			reject(errorObject(err))
			return
		}
		v, err := decodeData(res)
		if err != nil {
			reject(errorObject(err))
			return
		}
		resolve(v)
	}()
	return p
}

// invokePublish publishes with an acknowledgement and returns a promise.
func (w *socketWrapper) invokePublish(channel string, data sobek.Value, opts sobek.Value) *sobek.Promise {
	callOpts := w.callOptions(opts)
	payload := exportData(data)
	p, resolve, reject := promises.New(w.vu)
	w.smp.push(w.smp.metrics.msgsSent, 1, "channel", channel)
	go func() {
		if err := w.s.InvokePublish(w.ctx, channel, payload, callOpts...); err != nil {
			w.countError(err, "channel", channel)
			reject(errorObject(err))
			return
		}
		resolve(sobek.Undefined())
	}()
	return p
}

// transmit sends an event without waiting for an answer.
func (w *socketWrapper) transmit(name string, data sobek.Value) error {
	if err := w.s.Transmit(name, exportData(data)); err != nil {
		w.countError(err, "procedure", name)
		return err
	}
	w.smp.push(w.smp.metrics.msgsSent, 1, "procedure", name)
	return nil
}

// transmitPublish publishes without an acknowledgement.
func (w *socketWrapper) transmitPublish(channel string, data sobek.Value) error {
	if err := w.s.TransmitPublish(channel, exportData(data)); err != nil {
		w.countError(err, "channel", channel)
		return err
	}
	w.smp.push(w.smp.metrics.msgsSent, 1, "channel", channel)
	return nil
}

// authenticate sends a signed token; the promise gets
// {isAuthenticated, authError}.
func (w *socketWrapper) authenticate(token string) *sobek.Promise {
	p, resolve, reject := promises.New(w.vu)
	go func() {
		st, err := w.s.Authenticate(w.ctx, token)
		if err != nil {
			w.countError(err)
			reject(errorObject(err))
			return
		}
		out := map[string]any{"isAuthenticated": st.IsAuthenticated}
		if st.AuthError != nil {
			out["authError"] = errorObject(st.AuthError)
		}
		resolve(out)
	}()
	return p
}

// deauthenticate removes the token here and on the server.
func (w *socketWrapper) deauthenticate() *sobek.Promise {
	p, resolve, reject := promises.New(w.vu)
	go func() {
		if err := w.s.Deauthenticate(w.ctx); err != nil {
			w.countError(err)
			reject(errorObject(err))
			return
		}
		resolve(sobek.Undefined())
	}()
	return p
}

// close closes the socket for good. Handlers still see the disconnect and
// close events it causes; timers stop firing.
func (w *socketWrapper) close() {
	if w.closing {
		return
	}
	w.closing = true
	for id, stop := range w.timers {
		close(stop)
		delete(w.timers, id)
	}
	w.shutdown()
}

// reconnect drops the connection and connects again at once, as the
// JavaScript client's reconnect does. The code defaults to 1000.
func (w *socketWrapper) reconnect(code sobek.Value, reason string) error {
	c := 1000
	if !isNullish(code) {
		c = int(code.ToInteger())
	}
	return w.s.Reconnect(c, reason)
}

// callOptions reads {ackTimeout} of invoke and invokePublish.
func (w *socketWrapper) callOptions(v sobek.Value) []scclient.CallOption {
	if common.IsNullish(v) {
		return nil
	}
	obj := v.ToObject(w.rt)
	var out []scclient.CallOption
	for _, key := range obj.Keys() {
		if key != "ackTimeout" {
			common.Throw(w.rt, fmt.Errorf("socketcluster: unknown call option %q (known: ackTimeout)", key))
		}
		var d time.Duration
		if err := millis(obj.Get(key), &d); err != nil {
			common.Throw(w.rt, fmt.Errorf("socketcluster: ackTimeout: %w", err))
		}
		out = append(out, scclient.WithAckTimeout(d))
	}
	return out
}

// countError adds one to sc_errors, unless the error only reflects the
// socket being shut down by the script or the end of the test.
func (w *socketWrapper) countError(err error, tags ...string) {
	if w.isShuttingDown() && (errors.Is(err, scclient.ErrClosed) || w.ctx.Err() != nil) {
		return
	}
	w.smp.push(w.smp.metrics.errors, 1, append([]string{"error", errorName(err)}, tags...)...)
}
