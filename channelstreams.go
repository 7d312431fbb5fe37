package scclient

// Socket-level management of channel streams (PARITY §5.9). Listener
// streams are keyed by (channel, event), so "all listeners of a channel"
// matches the channel name exactly.

func (s *Socket) ofChannel(name string) func(ChannelEventKey) bool {
	return func(k ChannelEventKey) bool { return k.Channel == name }
}

// CloseChannel closes a channel's output and listener streams.
func (s *Socket) CloseChannel(name string) {
	s.channelOutputs.get().Close(name)
	s.channelListeners.get().CloseMatching(s.ofChannel(name))
}

// KillChannel kills a channel's output and listener streams.
func (s *Socket) KillChannel(name string) {
	s.channelOutputs.get().Kill(name)
	s.channelListeners.get().KillMatching(s.ofChannel(name))
}

// CloseAllChannelOutputs closes every channel's output.
func (s *Socket) CloseAllChannelOutputs() { s.channelOutputs.get().CloseAll() }

// CloseAllChannelListeners closes every channel listener stream.
func (s *Socket) CloseAllChannelListeners() { s.channelListeners.get().CloseAll() }

// CloseAllChannels closes every channel stream.
func (s *Socket) CloseAllChannels() {
	s.CloseAllChannelOutputs()
	s.CloseAllChannelListeners()
}

// KillAllChannelOutputs kills every channel's output.
func (s *Socket) KillAllChannelOutputs() { s.channelOutputs.get().KillAll() }

// KillAllChannelListeners kills every channel listener stream.
func (s *Socket) KillAllChannelListeners() { s.channelListeners.get().KillAll() }

// KillAllChannels kills every channel stream.
func (s *Socket) KillAllChannels() {
	s.KillAllChannelOutputs()
	s.KillAllChannelListeners()
}

// KillChannelOutputConsumer kills one channel output consumer.
func (s *Socket) KillChannelOutputConsumer(id uint64) { s.channelOutputs.get().KillConsumer(id) }

// KillChannelListenerConsumer kills one channel listener consumer.
func (s *Socket) KillChannelListenerConsumer(id uint64) { s.channelListeners.get().KillConsumer(id) }

// ChannelOutputConsumerStats returns one channel output consumer's stats.
func (s *Socket) ChannelOutputConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.channelOutputs.get().ConsumerStats(id)
	return oneStats(st, ok, keyName)
}

// ChannelListenerConsumerStats returns one channel listener consumer's
// stats.
func (s *Socket) ChannelListenerConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.channelListeners.get().ConsumerStats(id)
	return oneStats(st, ok, channelKeyName)
}

// AllChannelOutputsConsumerStatsList returns the stats of every channel
// output consumer.
func (s *Socket) AllChannelOutputsConsumerStatsList() []ConsumerStats {
	return toStats(s.channelOutputs.get().AllConsumerStatsList(), keyName)
}

// AllChannelListenersConsumerStatsList returns the stats of every channel
// listener consumer.
func (s *Socket) AllChannelListenersConsumerStatsList() []ConsumerStats {
	return toStats(s.channelListeners.get().AllConsumerStatsList(), channelKeyName)
}

// ChannelBackpressure returns the largest backlog among a channel's output
// and listener consumers.
func (s *Socket) ChannelBackpressure(name string) int {
	return max(s.ChannelOutputBackpressure(name), s.ChannelAllListenersBackpressure(name))
}

// AllChannelOutputsBackpressure returns the largest backlog of all channel
// outputs.
func (s *Socket) AllChannelOutputsBackpressure() int { return s.channelOutputs.get().AllBackpressure() }

// AllChannelListenersBackpressure returns the largest backlog of all
// channel listeners.
func (s *Socket) AllChannelListenersBackpressure() int {
	return s.channelListeners.get().AllBackpressure()
}

// AllChannelsBackpressure returns the largest backlog of all channel
// streams.
func (s *Socket) AllChannelsBackpressure() int {
	return max(s.AllChannelOutputsBackpressure(), s.AllChannelListenersBackpressure())
}

// ChannelOutputConsumerBackpressure returns one output consumer's backlog.
func (s *Socket) ChannelOutputConsumerBackpressure(id uint64) int {
	return s.channelOutputs.get().ConsumerBackpressure(id)
}

// ChannelListenerConsumerBackpressure returns one channel listener
// consumer's backlog.
func (s *Socket) ChannelListenerConsumerBackpressure(id uint64) int {
	return s.channelListeners.get().ConsumerBackpressure(id)
}

// HasAnyChannelOutputConsumer reports whether any channel output has that
// consumer.
func (s *Socket) HasAnyChannelOutputConsumer(id uint64) bool {
	return s.channelOutputs.get().HasAnyConsumer(id)
}

// HasAnyChannelListenerConsumer reports whether any channel listener has
// that consumer.
func (s *Socket) HasAnyChannelListenerConsumer(id uint64) bool {
	return s.channelListeners.get().HasAnyConsumer(id)
}

// ChannelCloseOutput closes a channel's output.
func (s *Socket) ChannelCloseOutput(name string) { s.channelOutputs.get().Close(name) }

// ChannelKillOutput kills a channel's output.
func (s *Socket) ChannelKillOutput(name string) { s.channelOutputs.get().Kill(name) }

// ChannelCloseListener closes one listener stream of a channel.
func (s *Socket) ChannelCloseListener(name, event string) {
	s.channelListeners.get().Close(ChannelEventKey{name, event})
}

// ChannelKillListener kills one listener stream of a channel.
func (s *Socket) ChannelKillListener(name, event string) {
	s.channelListeners.get().Kill(ChannelEventKey{name, event})
}

// ChannelCloseAllListeners closes every listener stream of a channel.
func (s *Socket) ChannelCloseAllListeners(name string) {
	s.channelListeners.get().CloseMatching(s.ofChannel(name))
}

// ChannelKillAllListeners kills every listener stream of a channel.
func (s *Socket) ChannelKillAllListeners(name string) {
	s.channelListeners.get().KillMatching(s.ofChannel(name))
}

// ChannelOutputConsumerStatsList returns the stats of a channel's output
// consumers.
func (s *Socket) ChannelOutputConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.channelOutputs.get().ConsumerStatsList(name), keyName)
}

// ChannelListenerConsumerStatsList returns the stats of one listener stream
// of a channel.
func (s *Socket) ChannelListenerConsumerStatsList(name, event string) []ConsumerStats {
	return toStats(s.channelListeners.get().ConsumerStatsList(ChannelEventKey{name, event}), channelKeyName)
}

// ChannelAllListenersConsumerStatsList returns the stats of all listener
// streams of a channel.
func (s *Socket) ChannelAllListenersConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.channelListeners.get().MatchingConsumerStatsList(s.ofChannel(name)), channelKeyName)
}

// ChannelOutputBackpressure returns a channel output's largest backlog.
func (s *Socket) ChannelOutputBackpressure(name string) int {
	return s.channelOutputs.get().Backpressure(name)
}

// ChannelListenerBackpressure returns one channel listener's largest
// backlog.
func (s *Socket) ChannelListenerBackpressure(name, event string) int {
	return s.channelListeners.get().Backpressure(ChannelEventKey{name, event})
}

// ChannelAllListenersBackpressure returns the largest backlog of a
// channel's listener streams.
func (s *Socket) ChannelAllListenersBackpressure(name string) int {
	return s.channelListeners.get().MatchingBackpressure(s.ofChannel(name))
}

// ChannelHasOutputConsumer reports whether a channel's output has that
// consumer.
func (s *Socket) ChannelHasOutputConsumer(name string, id uint64) bool {
	return s.channelOutputs.get().HasConsumer(name, id)
}

// ChannelHasListenerConsumer reports whether one listener stream of a
// channel has that consumer.
func (s *Socket) ChannelHasListenerConsumer(name, event string, id uint64) bool {
	return s.channelListeners.get().HasConsumer(ChannelEventKey{name, event}, id)
}

// ChannelHasAnyListenerConsumer reports whether any listener stream of a
// channel has that consumer.
func (s *Socket) ChannelHasAnyListenerConsumer(name string, id uint64) bool {
	k, ok := s.channelListeners.get().ConsumerKey(id)
	return ok && k.Channel == name
}
