package scclient

import (
	"context"
	"iter"
	"time"

	"github.com/socketcluster-go/scclient/streams"
)

// Channel is a handle on one channel of a socket, the Go form of AGChannel.
// All state lives in the socket, so handles for the same name are
// interchangeable. Ranging over All yields the messages published on the
// channel while it is in the socket's table (pending included).
type Channel struct {
	s    *Socket
	name string
}

// Name returns the channel name (without the channel prefix).
func (c *Channel) Name() string { return c.name }

// Socket returns the socket the channel belongs to.
func (c *Channel) Socket() *Socket { return c.s }

// State returns the channel's subscription state.
func (c *Channel) State() ChannelState { return c.s.ChannelState(c.name) }

// Options returns a copy of the channel's subscription options.
func (c *Channel) Options() SubscribeOptions { return c.s.ChannelOptions(c.name) }

// Subscribe subscribes to the channel (see Socket.Subscribe).
func (c *Channel) Subscribe(opts ...SubscribeOptions) { c.s.Subscribe(c.name, opts...) }

// Unsubscribe unsubscribes from the channel (see Socket.Unsubscribe).
func (c *Channel) Unsubscribe() { c.s.Unsubscribe(c.name) }

// IsSubscribed reports whether the channel is subscribed, or pending too
// with includePending.
func (c *Channel) IsSubscribed(includePending bool) bool {
	return c.s.IsSubscribed(c.name, includePending)
}

// TransmitPublish publishes data on the channel without waiting.
func (c *Channel) TransmitPublish(data any) error { return c.s.TransmitPublish(c.name, data) }

// InvokePublish publishes data on the channel and waits for the server's
// acknowledgement.
func (c *Channel) InvokePublish(ctx context.Context, data any, opts ...CallOption) error {
	return c.s.InvokePublish(ctx, c.name, data, opts...)
}

// output returns the channel's message stream.
func (c *Channel) output() streams.Stream[string, Data] {
	return c.s.channelOutputs.make(c.s, "channel").Stream(c.name)
}

// All returns an iterator over the channel's messages; its consumer exists
// from the moment All returns. It ends when the output is closed or killed.
func (c *Channel) All() iter.Seq[Data] { return c.output().All() }

// CreateConsumer registers a consumer of the channel's messages now;
// timeout bounds each wait (0 for none).
func (c *Channel) CreateConsumer(timeout time.Duration) *streams.Consumer[string, Data] {
	return c.output().CreateConsumer(timeout)
}

// Next waits for the next message; ok is false when the output ended.
func (c *Channel) Next(ctx context.Context) (Data, bool, error) { return c.output().Next(ctx) }

// Once waits for the next message; an output that ends first gives
// streams.ErrEnded.
func (c *Channel) Once(ctx context.Context) (Data, error) { return c.output().Once(ctx) }

// Listener returns the stream of one of the channel's events
// (EventSubscribe, EventSubscribeStateChange, EventSubscribeFail,
// EventUnsubscribe, EventKickOut).
func (c *Channel) Listener(event string) streams.Stream[ChannelEventKey, Event] {
	return c.s.channelListeners.make(c.s, "channel listener").Stream(ChannelEventKey{c.name, event})
}

// Close closes the channel's output and listener streams (it does not
// unsubscribe).
func (c *Channel) Close() { c.s.CloseChannel(c.name) }

// Kill kills the channel's output and listener streams (it does not
// unsubscribe).
func (c *Channel) Kill() { c.s.KillChannel(c.name) }

// CloseOutput closes the message stream.
func (c *Channel) CloseOutput() { c.s.ChannelCloseOutput(c.name) }

// KillOutput kills the message stream.
func (c *Channel) KillOutput() { c.s.ChannelKillOutput(c.name) }

// CloseListener closes one event stream of the channel.
func (c *Channel) CloseListener(event string) { c.s.ChannelCloseListener(c.name, event) }

// KillListener kills one event stream of the channel.
func (c *Channel) KillListener(event string) { c.s.ChannelKillListener(c.name, event) }

// CloseAllListeners closes every event stream of the channel.
func (c *Channel) CloseAllListeners() { c.s.ChannelCloseAllListeners(c.name) }

// KillAllListeners kills every event stream of the channel.
func (c *Channel) KillAllListeners() { c.s.ChannelKillAllListeners(c.name) }

// KillOutputConsumer kills a consumer if it reads this channel's messages.
func (c *Channel) KillOutputConsumer(id uint64) {
	if c.HasOutputConsumer(id) {
		c.s.channelOutputs.get().KillConsumer(id)
	}
}

// KillListenerConsumer kills a consumer if it reads one of this channel's
// event streams.
func (c *Channel) KillListenerConsumer(id uint64) {
	if c.HasAnyListenerConsumer(id) {
		c.s.channelListeners.get().KillConsumer(id)
	}
}

// OutputConsumerStats returns a consumer's stats if it reads this
// channel's messages.
func (c *Channel) OutputConsumerStats(id uint64) (ConsumerStats, bool) {
	if !c.HasOutputConsumer(id) {
		return ConsumerStats{}, false
	}
	return c.s.ChannelOutputConsumerStats(id)
}

// ListenerConsumerStats returns a consumer's stats if it reads one of this
// channel's event streams.
func (c *Channel) ListenerConsumerStats(id uint64) (ConsumerStats, bool) {
	if !c.HasAnyListenerConsumer(id) {
		return ConsumerStats{}, false
	}
	return c.s.ChannelListenerConsumerStats(id)
}

// OutputConsumerStatsList returns the stats of the message consumers.
func (c *Channel) OutputConsumerStatsList() []ConsumerStats {
	return c.s.ChannelOutputConsumerStatsList(c.name)
}

// ListenerConsumerStatsList returns the stats of one event stream's
// consumers.
func (c *Channel) ListenerConsumerStatsList(event string) []ConsumerStats {
	return c.s.ChannelListenerConsumerStatsList(c.name, event)
}

// AllListenersConsumerStatsList returns the stats of all of the channel's
// event consumers.
func (c *Channel) AllListenersConsumerStatsList() []ConsumerStats {
	return c.s.ChannelAllListenersConsumerStatsList(c.name)
}

// Backpressure returns the largest backlog among the channel's consumers.
func (c *Channel) Backpressure() int { return c.s.ChannelBackpressure(c.name) }

// OutputBackpressure returns the largest backlog among message consumers.
func (c *Channel) OutputBackpressure() int { return c.s.ChannelOutputBackpressure(c.name) }

// ListenerBackpressure returns the largest backlog of one event stream.
func (c *Channel) ListenerBackpressure(event string) int {
	return c.s.ChannelListenerBackpressure(c.name, event)
}

// AllListenersBackpressure returns the largest backlog of the channel's
// event streams.
func (c *Channel) AllListenersBackpressure() int { return c.s.ChannelAllListenersBackpressure(c.name) }

// OutputConsumerBackpressure returns a message consumer's backlog (0 if it
// is not one of this channel's).
func (c *Channel) OutputConsumerBackpressure(id uint64) int {
	if !c.HasOutputConsumer(id) {
		return 0
	}
	return c.s.channelOutputs.get().ConsumerBackpressure(id)
}

// ListenerConsumerBackpressure returns an event consumer's backlog (0 if
// it is not one of this channel's).
func (c *Channel) ListenerConsumerBackpressure(id uint64) int {
	if !c.HasAnyListenerConsumer(id) {
		return 0
	}
	return c.s.channelListeners.get().ConsumerBackpressure(id)
}

// HasOutputConsumer reports whether the message stream has that consumer.
func (c *Channel) HasOutputConsumer(id uint64) bool { return c.s.ChannelHasOutputConsumer(c.name, id) }

// HasListenerConsumer reports whether one event stream has that consumer.
func (c *Channel) HasListenerConsumer(event string, id uint64) bool {
	return c.s.ChannelHasListenerConsumer(c.name, event, id)
}

// HasAnyListenerConsumer reports whether any of the channel's event streams
// has that consumer.
func (c *Channel) HasAnyListenerConsumer(id uint64) bool {
	return c.s.ChannelHasAnyListenerConsumer(c.name, id)
}
