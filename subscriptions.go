package scclient

import (
	"context"
	"slices"
	"strings"

	"github.com/socketcluster-go/scclient/codec"
)

// SubscribeOptions are the options of one channel subscription.
type SubscribeOptions struct {
	// WaitForAuth keeps the channel pending until the socket is
	// authenticated.
	WaitForAuth bool
	// Data is sent to the server with the #subscribe request (when it is
	// not a falsy value).
	Data any
	// Priority orders pending subscriptions: higher goes first.
	Priority int
}

// channelEntry is one channel in the socket's table.
type channelEntry struct {
	name    string
	state   ChannelState
	opts    SubscribeOptions
	request *call // the outstanding #subscribe, if any
}

// Subscribe adds a channel to the socket's table and subscribes to it as
// soon as the socket is open (and authenticated, with WaitForAuth). If the
// channel is already in the table only its options are replaced. It never
// starts a connection. The returned handle is a cheap view; handles for the
// same name share all state.
func (s *Socket) Subscribe(channel string, opts ...SubscribeOptions) *Channel {
	var o SubscribeOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[channel]; ok {
		ch.opts = o
	} else {
		ch = &channelEntry{name: channel, state: ChannelPending, opts: o}
		s.channels[channel] = ch
		s.channelOrder = append(s.channelOrder, ch)
		s.trySubscribeLocked(ch)
	}
	return &Channel{s: s, name: channel}
}

// Unsubscribe removes a channel from the table, emitting the unsubscribe
// events if it was subscribed, and tells the server when open. The
// channel's streams stay open. Unknown channels are ignored.
func (s *Socket) Unsubscribe(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channel]
	if !ok {
		return
	}
	s.triggerUnsubscribeLocked(ch, false)
	if s.state == StateOpen {
		payload, err := s.codec.Marshal(s.decorate(channel))
		if err != nil {
			s.emitError(err)
			return
		}
		c := &call{event: "#unsubscribe", data: payload}
		p := s.prepareLocked(s.conn, c)
		if err := s.conn.writePacket(&p); err != nil && err != ErrNotOpen {
			s.emitError(err)
		}
	}
}

// Channel returns a handle for a channel without subscribing to it.
func (s *Socket) Channel(channel string) *Channel {
	return &Channel{s: s, name: channel}
}

// Subscriptions returns the names of the subscribed channels, and of the
// pending ones too when includePending is set, in subscription order.
func (s *Socket) Subscriptions(includePending bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for _, ch := range s.channelOrder {
		if includePending || ch.state == ChannelSubscribed {
			out = append(out, ch.name)
		}
	}
	return out
}

// IsSubscribed reports whether the channel is subscribed, or in the table
// at all when includePending is set.
func (s *Socket) IsSubscribed(channel string, includePending bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isSubscribedLocked(channel, includePending)
}

func (s *Socket) isSubscribedLocked(channel string, includePending bool) bool {
	ch, ok := s.channels[channel]
	if !ok {
		return false
	}
	return includePending || ch.state == ChannelSubscribed
}

// ChannelState returns the channel's state (ChannelUnsubscribed when it is
// not in the table).
func (s *Socket) ChannelState(channel string) ChannelState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[channel]; ok {
		return ch.state
	}
	return ChannelUnsubscribed
}

// ChannelOptions returns a copy of the channel's options (zero when it is
// not in the table).
func (s *Socket) ChannelOptions(channel string) SubscribeOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[channel]; ok {
		return ch.opts
	}
	return SubscribeOptions{}
}

// PreparingPendingSubscriptions reports whether the socket holds back
// #subscribe requests until ProcessPendingSubscriptions is called.
func (s *Socket) PreparingPendingSubscriptions() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.preparingPending
}

// ProcessPendingSubscriptions sends #subscribe for every pending channel
// that may be subscribed now, highest priority first.
func (s *Socket) ProcessPendingSubscriptions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.processPendingSubscriptionsLocked()
}

func (s *Socket) processPendingSubscriptionsLocked() {
	s.preparingPending = false
	var pending []*channelEntry
	for _, ch := range s.channelOrder {
		if ch.state == ChannelPending {
			pending = append(pending, ch)
		}
	}
	slices.SortStableFunc(pending, func(a, b *channelEntry) int { return b.opts.Priority - a.opts.Priority })
	for _, ch := range pending {
		s.trySubscribeLocked(ch)
	}
}

// wireOptions returns what #subscribe carries besides the channel name, as
// an Event's SubscriptionOptions: WaitForAuth when set, Data when truthy.
func (s *Socket) wireOptions(o SubscribeOptions) (SubscribeOptions, []byte) {
	var out SubscribeOptions
	out.WaitForAuth = o.WaitForAuth
	var data []byte
	if o.Data != nil {
		if b, err := s.codec.Marshal(o.Data); err == nil && !isFalsy(b) {
			data = b
			out.Data = o.Data
		}
	}
	return out, data
}

// trySubscribeLocked sends #subscribe for ch if it may go now.
func (s *Socket) trySubscribeLocked(ch *channelEntry) {
	meetsAuth := !ch.opts.WaitForAuth || s.authState == Authenticated
	if s.state != StateOpen || s.preparingPending || ch.request != nil || !meetsAuth {
		return
	}
	subOpts, data := s.wireOptions(ch.opts)
	payload, err := s.codec.Marshal(subscribeRequest{Channel: s.decorate(ch.name), WaitForAuth: subOpts.WaitForAuth, Data: rawJSON(data)})
	if err != nil {
		s.emitError(err)
		return
	}
	c := &call{event: "#subscribe", data: payload, invoke: true}
	c.onDone = func(_ Data, err error) {
		if ch.request != c {
			return // cancelled by unsubscribe or a close
		}
		if err != nil {
			if _, bad := err.(*BadConnectionError); bad {
				return // stays pending, retried after reconnect
			}
			ch.request = nil
			s.triggerSubscribeFailLocked(err, ch, subOpts)
			return
		}
		ch.request = nil
		s.triggerSubscribeLocked(ch, subOpts)
	}
	ch.request = c
	p := s.prepareLocked(s.conn, c)
	if err := s.conn.writePacket(&p); err != nil && err != ErrNotOpen {
		s.emitError(err)
	}
	s.emit(Event{Name: EventSubscribeRequest, Channel: ch.name, SubscriptionOptions: subOpts})
}

// subscribeRequest is the data of #subscribe.
type subscribeRequest struct {
	Channel     string  `json:"channel"`
	WaitForAuth bool    `json:"waitForAuth,omitempty"`
	Data        rawJSON `json:"data,omitempty"`
}

// rawJSON is an already-encoded value embedded as is.
type rawJSON []byte

// MarshalJSON returns the encoded value.
func (r rawJSON) MarshalJSON() ([]byte, error) {
	if r == nil {
		return nullJSON, nil
	}
	return r, nil
}

func (s *Socket) triggerSubscribeLocked(ch *channelEntry, subOpts SubscribeOptions) {
	if ch.state == ChannelSubscribed {
		return
	}
	old := ch.state
	ch.state = ChannelSubscribed
	s.channelListeners.get().Write(ChannelEventKey{ch.name, EventSubscribeStateChange}, Event{Name: EventSubscribeStateChange, Channel: ch.name, OldChannelState: old, NewChannelState: ChannelSubscribed, SubscriptionOptions: subOpts})
	s.channelListeners.get().Write(ChannelEventKey{ch.name, EventSubscribe}, Event{Name: EventSubscribe, Channel: ch.name, SubscriptionOptions: subOpts})
	s.emit(Event{Name: EventSubscribeStateChange, Channel: ch.name, OldChannelState: old, NewChannelState: ChannelSubscribed, SubscriptionOptions: subOpts})
	s.emit(Event{Name: EventSubscribe, Channel: ch.name, SubscriptionOptions: subOpts})
}

func (s *Socket) triggerSubscribeFailLocked(err error, ch *channelEntry, subOpts SubscribeOptions) {
	meetsAuth := !ch.opts.WaitForAuth || s.authState == Authenticated
	if s.channels[ch.name] != ch || !meetsAuth {
		return
	}
	s.removeChannelLocked(ch)
	s.channelListeners.get().Write(ChannelEventKey{ch.name, EventSubscribeFail}, Event{Name: EventSubscribeFail, Channel: ch.name, Error: err, SubscriptionOptions: subOpts})
	s.emit(Event{Name: EventSubscribeFail, Channel: ch.name, Error: err, SubscriptionOptions: subOpts})
}

// triggerUnsubscribeLocked cancels an outstanding #subscribe, emits the
// unsubscribe events if ch was subscribed, and either sets ch pending
// (close) or removes it from the table.
func (s *Socket) triggerUnsubscribeLocked(ch *channelEntry, setPending bool) {
	if ch.request != nil {
		if ch.request.cid != 0 {
			s.unpendLocked(ch.request.cid)
		}
		ch.request.settled = true
		ch.request = nil
	}
	if ch.state == ChannelSubscribed {
		next := ChannelUnsubscribed
		if setPending {
			next = ChannelPending
		}
		s.channelListeners.get().Write(ChannelEventKey{ch.name, EventSubscribeStateChange}, Event{Name: EventSubscribeStateChange, Channel: ch.name, OldChannelState: ChannelSubscribed, NewChannelState: next})
		s.channelListeners.get().Write(ChannelEventKey{ch.name, EventUnsubscribe}, Event{Name: EventUnsubscribe, Channel: ch.name})
		s.emit(Event{Name: EventSubscribeStateChange, Channel: ch.name, OldChannelState: ChannelSubscribed, NewChannelState: next})
		s.emit(Event{Name: EventUnsubscribe, Channel: ch.name})
	}
	if setPending {
		ch.state = ChannelPending
	} else {
		s.removeChannelLocked(ch)
	}
}

func (s *Socket) removeChannelLocked(ch *channelEntry) {
	delete(s.channels, ch.name)
	if i := slices.Index(s.channelOrder, ch); i >= 0 {
		s.channelOrder = slices.Delete(s.channelOrder, i, i+1)
	}
}

// suspendSubscriptionsLocked sets every channel pending (on close).
func (s *Socket) suspendSubscriptionsLocked() {
	for _, ch := range slices.Clone(s.channelOrder) {
		s.triggerUnsubscribeLocked(ch, true)
	}
}

func (s *Socket) decorate(channel string) string {
	return s.created.ChannelPrefix + channel
}

func (s *Socket) undecorate(channel string) string {
	return strings.TrimPrefix(channel, s.created.ChannelPrefix)
}

// channelData returns the channel and value of a #publish or #kickOut:
// as DecodeFrame found them, or read from the data by codecs that leave
// them to DecodeChannelData.
func (s *Socket) channelData(p *codec.Packet, valueKey string) (string, []byte, bool) {
	if p.HasChannel {
		return p.Channel, p.Value, true
	}
	return s.codec.DecodeChannelData(p.Data, valueKey)
}

// handlePublish delivers a #publish to the channel's output stream while
// the channel is in the table (pending counts).
func (s *Socket) handlePublish(p *codec.Packet) {
	name, value, ok := s.channelData(p, "data")
	if !ok {
		return
	}
	name = s.undecorate(name)
	s.mu.Lock()
	_, inTable := s.channels[name]
	s.mu.Unlock()
	if inTable {
		s.channelOutputs.get().Write(name, Data{raw: value, codec: s.codec})
	}
}

// handleKickOut handles #kickOut: events, then a local unsubscribe.
func (s *Socket) handleKickOut(p *codec.Packet) {
	name, message, ok := s.channelData(p, "message")
	if !ok {
		return
	}
	name = s.undecorate(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, inTable := s.channels[name]
	if !inTable {
		return
	}
	msg := Data{raw: message, codec: s.codec}
	s.emit(Event{Name: EventKickOut, Channel: name, Message: msg})
	s.channelListeners.get().Write(ChannelEventKey{name, EventKickOut}, Event{Name: EventKickOut, Channel: name, Message: msg})
	s.triggerUnsubscribeLocked(ch, false)
}

// TransmitPublish publishes data to a channel without waiting for the
// server's acknowledgement. The socket need not be subscribed.
func (s *Socket) TransmitPublish(channel string, data any) error {
	payload, err := s.publishPayload(channel, data)
	if err != nil {
		return err
	}
	_, err = s.submit(&call{event: "#publish", data: payload}, s.created.AckTimeout)
	return err
}

// InvokePublish publishes data to a channel and waits until the server
// accepted it. A publish blocked by the server fails with its error.
func (s *Socket) InvokePublish(ctx context.Context, channel string, data any, opts ...CallOption) error {
	payload, err := s.publishPayload(channel, data)
	if err != nil {
		return err
	}
	_, err = s.invokeEncoded(ctx, "#publish", payload, opts)
	return err
}

func (s *Socket) publishPayload(channel string, data any) ([]byte, error) {
	inner, err := s.marshalPayload(data)
	if err != nil {
		return nil, err
	}
	return s.codec.Marshal(publishRequest{Channel: s.decorate(channel), Data: rawJSON(inner)})
}

// publishRequest is the data of #publish.
type publishRequest struct {
	Channel string  `json:"channel"`
	Data    rawJSON `json:"data,omitempty"`
}
