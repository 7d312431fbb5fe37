package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socketcluster-go/scclient"
	"github.com/socketcluster-go/scclient/streams"
)

// client is one socket of the run with its subscriptions.
type client struct {
	r    *run
	idx  int
	sock *scclient.Socket
	subs []*sub

	ready     chan struct{} // closed once connected and subscribed, or failed
	readyOnce sync.Once
	connected atomic.Bool // the first handshake completed
	failure   atomic.Value
}

// sub is one subscription of a client. Its receive loop owns seen and dups.
type sub struct {
	idx     int // index among all subscriptions, a shard hint
	ch      int // channel index
	seen    seqSet
	dups    int64
	bad     int64
	acked   atomic.Bool // the server accepted the subscription
	counted atomic.Bool // it was accepted before the window opened
	refused atomic.Bool // the server refused it
}

func newClient(r *run, idx int) *client {
	c := &client{r: r, idx: idx, ready: make(chan struct{})}
	for j := range r.cfg.SubsPerClient {
		ch := (idx + j) % len(r.cfg.Channels)
		c.subs = append(c.subs, &sub{idx: idx*r.cfg.SubsPerClient + j, ch: ch})
	}
	return c
}

func (c *client) markReady() { c.readyOnce.Do(func() { close(c.ready) }) }

func (c *client) fail(why string) {
	c.failure.CompareAndSwap(nil, why)
	c.markReady()
}

// failed returns why the client did not connect ("" if it did).
func (c *client) failed() string {
	if v := c.failure.Load(); v != nil {
		return v.(string)
	}
	return ""
}

// start creates the socket, subscribes and starts connecting; its goroutines
// are counted in r.wg.
func (c *client) start(ctx context.Context) {
	opts := c.r.cfg.Options()
	opts.DisableAutoConnect = true
	sock, err := scclient.Create(opts)
	if err != nil {
		c.r.errs.add(err)
		c.fail(errName(err))
		return
	}
	c.sock = sock
	if c.r.cfg.Token != "" {
		if err := sock.AuthEngine().SaveToken(ctx, sock.AuthTokenName(), c.r.cfg.Token); err != nil {
			c.fail("SaveToken")
			return
		}
	}
	events := sock.Listener(scclient.EventConnect, scclient.EventDisconnect, scclient.EventConnectAbort,
		scclient.EventSubscribe, scclient.EventSubscribeFail).CreateConsumer(0)
	for _, s := range c.subs {
		name := c.r.cfg.Channels[s.ch]
		msgs := sock.Channel(name).CreateConsumer(0)
		sock.Subscribe(name)
		c.r.wg.Add(1)
		go c.receive(s, msgs)
	}
	begin := time.Now()
	c.r.wg.Add(1)
	go c.watch(events, begin)
	if err := sock.Connect(); err != nil {
		c.fail(errName(err))
	}
}

// watch follows the socket's connection and subscription events.
func (c *client) watch(events *streams.Consumer[string, scclient.Event], begin time.Time) {
	defer c.r.wg.Done()
	r := c.r
	pending := len(c.subs)
	for ev := range events.All() {
		switch ev.Name {
		case scclient.EventConnect:
			r.connectedNow.Add(1)
			if c.connected.Swap(true) {
				r.reconnects.Add(1)
			} else if c.failed() == "" {
				r.connectLat.record(c.idx, time.Since(begin))
				if pending == 0 {
					c.markReady()
				}
			}
		case scclient.EventDisconnect:
			r.connectedNow.Add(-1)
			if !r.closing.Load() {
				r.disconnects.Add(1)
			}
		case scclient.EventConnectAbort:
			if !c.connected.Load() {
				c.fail("ConnectAbort")
			}
		case scclient.EventSubscribe, scclient.EventSubscribeFail:
			s := c.subFor(ev.Channel)
			if s == nil {
				continue
			}
			if ev.Name == scclient.EventSubscribe {
				s.acked.Store(true)
			} else {
				s.refused.Store(true)
				r.subscribeFails.Add(1)
				r.errs.add(ev.Error)
			}
			if pending > 0 {
				pending--
				if pending == 0 && c.connected.Load() {
					c.markReady()
				}
			}
		}
	}
}

func (c *client) subFor(channel string) *sub {
	for _, s := range c.subs {
		if c.r.cfg.Channels[s.ch] == channel {
			return s
		}
	}
	return nil
}

// receive checks every message of one subscription and records its latency.
func (c *client) receive(s *sub, msgs *streams.Consumer[string, scclient.Data]) {
	defer c.r.wg.Done()
	r := c.r
	for d := range msgs.All() {
		now := r.now()
		raw := d.Raw()
		seq, sent, err := parsePayload(raw)
		if err != nil || seq >= r.chanSeq[s.ch].Load() || len(raw) != payloadLen(seq, sent, r.cfg.Size) {
			s.bad++
			r.bad.Add(1)
			continue
		}
		if !s.seen.add(seq) {
			s.dups++
			r.dups.Add(1)
			continue
		}
		r.received.Add(1)
		if s.counted.Load() {
			r.receivedCounted.Add(1)
		}
		r.pubLat.record(s.idx, now-time.Duration(sent))
	}
}
