package scclient

import (
	"context"
	"iter"
	"time"

	"github.com/socketcluster-go/scclient/streams"
)

// ConsumerStats describe one stream consumer: its id, how many packets wait
// for it (end packets count), its per-read timeout (0 for none) and the name
// of its stream ("<channel>/<event>" for channel listeners, "" for a
// consumer of every event).
type ConsumerStats struct {
	ID           uint64
	Backpressure int
	Timeout      time.Duration
	Stream       string
}

// ChannelEventKey names the listener stream of one event of one channel.
type ChannelEventKey struct {
	Channel string
	Event   string
}

func toStats[K comparable](list []streams.Stats[K], name func(K) string) []ConsumerStats {
	out := make([]ConsumerStats, len(list))
	for i, st := range list {
		out[i] = ConsumerStats{ID: st.ID, Backpressure: st.Backpressure, Timeout: st.Timeout, Stream: name(st.Stream)}
	}
	return out
}

func oneStats[K comparable](st streams.Stats[K], ok bool, name func(K) string) (ConsumerStats, bool) {
	if !ok {
		return ConsumerStats{}, false
	}
	return ConsumerStats{ID: st.ID, Backpressure: st.Backpressure, Timeout: st.Timeout, Stream: name(st.Stream)}, true
}

func keyName(k string) string { return k }

func channelKeyName(k ChannelEventKey) string { return k.Channel + "/" + k.Event }

// Listener is a handle on one or more socket event streams. Getting it
// creates no consumer; All, CreateConsumer, Next and Once do, at call time.
type Listener struct {
	demux *streams.Demux[string, Event]
	names []string
}

// All returns an iterator over the events; its consumer exists from the
// moment All returns. The range ends when the streams are closed or killed
// (for example by Socket.Close); breaking out frees the consumer.
func (l Listener) All() iter.Seq[Event] {
	return l.CreateConsumer(0).All()
}

// CreateConsumer registers a consumer now; timeout bounds each wait for the
// next event (0 for none).
func (l Listener) CreateConsumer(timeout time.Duration) *streams.Consumer[string, Event] {
	return l.demux.NewConsumer(l.names, timeout)
}

// Next waits for the next event; ok is false when the stream ended first.
func (l Listener) Next(ctx context.Context) (ev Event, ok bool, err error) {
	c := l.CreateConsumer(0)
	defer c.Close()
	return c.Next(ctx)
}

// Once waits for the next event; a stream that ends first gives
// streams.ErrEnded.
func (l Listener) Once(ctx context.Context) (Event, error) {
	ev, ok, err := l.Next(ctx)
	if err == nil && !ok {
		err = streams.ErrEnded
	}
	return ev, err
}

// Listener returns a handle on the socket events named (EventConnect,
// EventDisconnect, …). One consumer of several names sees their events in
// the order the socket emitted them. With no names it listens to every
// event.
func (s *Socket) Listener(names ...string) Listener {
	return Listener{demux: s.listeners.make(s, "listener"), names: names}
}

// CloseListener closes an event stream: its consumers end after their
// backlog.
func (s *Socket) CloseListener(name string) { s.listeners.get().Close(name) }

// CloseAllListeners closes every event stream.
func (s *Socket) CloseAllListeners() { s.listeners.get().CloseAll() }

// RemoveListener forgets an event stream; its consumers end at once.
func (s *Socket) RemoveListener(name string) { s.listeners.get().Kill(name) }

// KillListener ends an event stream's consumers at once, dropping their
// backlog.
func (s *Socket) KillListener(name string) { s.listeners.get().Kill(name) }

// KillAllListeners kills every event stream.
func (s *Socket) KillAllListeners() { s.listeners.get().KillAll() }

// KillListenerConsumer kills one event consumer.
func (s *Socket) KillListenerConsumer(id uint64) { s.listeners.get().KillConsumer(id) }

// ListenerConsumerStats returns one event consumer's stats.
func (s *Socket) ListenerConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.listeners.get().ConsumerStats(id)
	return oneStats(st, ok, keyName)
}

// ListenerConsumerStatsList returns the stats of an event stream's
// consumers, in creation order.
func (s *Socket) ListenerConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.listeners.get().ConsumerStatsList(name), keyName)
}

// AllListenersConsumerStatsList returns the stats of every event consumer.
func (s *Socket) AllListenersConsumerStatsList() []ConsumerStats {
	return toStats(s.listeners.get().AllConsumerStatsList(), keyName)
}

// ListenerConsumerCount returns the number of consumers of an event stream.
func (s *Socket) ListenerConsumerCount(name string) int { return s.listeners.get().ConsumerCount(name) }

// AllListenersConsumerCount returns the number of event consumers.
func (s *Socket) AllListenersConsumerCount() int { return s.listeners.get().AllConsumerCount() }

// ListenerBackpressure returns the largest backlog among an event stream's
// consumers.
func (s *Socket) ListenerBackpressure(name string) int { return s.listeners.get().Backpressure(name) }

// AllListenersBackpressure returns the largest backlog among all event
// consumers.
func (s *Socket) AllListenersBackpressure() int { return s.listeners.get().AllBackpressure() }

// ListenerConsumerBackpressure returns one event consumer's backlog.
func (s *Socket) ListenerConsumerBackpressure(id uint64) int {
	return s.listeners.get().ConsumerBackpressure(id)
}

// HasListenerConsumer reports whether an event stream has that consumer.
func (s *Socket) HasListenerConsumer(name string, id uint64) bool {
	return s.listeners.get().HasConsumer(name, id)
}

// HasAnyListenerConsumer reports whether any event stream has that consumer.
func (s *Socket) HasAnyListenerConsumer(id uint64) bool { return s.listeners.get().HasAnyConsumer(id) }

// Backpressure returns the largest backlog among all of the socket's
// consumers: events, receivers, procedures and channels.
func (s *Socket) Backpressure() int {
	return max(s.AllListenersBackpressure(), s.AllReceiversBackpressure(), s.AllProceduresBackpressure(), s.AllChannelsBackpressure())
}
