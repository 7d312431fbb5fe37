package scclient

import "github.com/socketcluster-go/scclient/streams"

// Receiver returns the stream of payloads of the server's transmits named
// name. Without a consumer they are dropped.
func (s *Socket) Receiver(name string) streams.Stream[string, Data] {
	return s.receivers.make(s, "receiver").Stream(name)
}

// CloseReceiver closes a receiver stream.
func (s *Socket) CloseReceiver(name string) { s.receivers.get().Close(name) }

// CloseAllReceivers closes every receiver stream.
func (s *Socket) CloseAllReceivers() { s.receivers.get().CloseAll() }

// KillReceiver kills a receiver stream.
func (s *Socket) KillReceiver(name string) { s.receivers.get().Kill(name) }

// KillAllReceivers kills every receiver stream.
func (s *Socket) KillAllReceivers() { s.receivers.get().KillAll() }

// KillReceiverConsumer kills one receiver consumer.
func (s *Socket) KillReceiverConsumer(id uint64) { s.receivers.get().KillConsumer(id) }

// ReceiverConsumerStats returns one receiver consumer's stats.
func (s *Socket) ReceiverConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.receivers.get().ConsumerStats(id)
	return oneStats(st, ok, keyName)
}

// ReceiverConsumerStatsList returns the stats of a receiver's consumers.
func (s *Socket) ReceiverConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.receivers.get().ConsumerStatsList(name), keyName)
}

// AllReceiversConsumerStatsList returns the stats of every receiver consumer.
func (s *Socket) AllReceiversConsumerStatsList() []ConsumerStats {
	return toStats(s.receivers.get().AllConsumerStatsList(), keyName)
}

// ReceiverBackpressure returns the largest backlog of a receiver's
// consumers.
func (s *Socket) ReceiverBackpressure(name string) int { return s.receivers.get().Backpressure(name) }

// AllReceiversBackpressure returns the largest backlog of all receiver
// consumers.
func (s *Socket) AllReceiversBackpressure() int { return s.receivers.get().AllBackpressure() }

// ReceiverConsumerBackpressure returns one receiver consumer's backlog.
func (s *Socket) ReceiverConsumerBackpressure(id uint64) int {
	return s.receivers.get().ConsumerBackpressure(id)
}

// HasReceiverConsumer reports whether a receiver has that consumer.
func (s *Socket) HasReceiverConsumer(name string, id uint64) bool {
	return s.receivers.get().HasConsumer(name, id)
}

// HasAnyReceiverConsumer reports whether any receiver has that consumer.
func (s *Socket) HasAnyReceiverConsumer(id uint64) bool { return s.receivers.get().HasAnyConsumer(id) }

// Procedure returns the stream of the server's requests named name; answer
// each with End or Error. Without a consumer they are dropped and the
// server's call times out.
func (s *Socket) Procedure(name string) streams.Stream[string, *Request] {
	return s.procedures.make(s, "procedure").Stream(name)
}

// CloseProcedure closes a procedure stream.
func (s *Socket) CloseProcedure(name string) { s.procedures.get().Close(name) }

// CloseAllProcedures closes every procedure stream.
func (s *Socket) CloseAllProcedures() { s.procedures.get().CloseAll() }

// KillProcedure kills a procedure stream.
func (s *Socket) KillProcedure(name string) { s.procedures.get().Kill(name) }

// KillAllProcedures kills every procedure stream.
func (s *Socket) KillAllProcedures() { s.procedures.get().KillAll() }

// KillProcedureConsumer kills one procedure consumer.
func (s *Socket) KillProcedureConsumer(id uint64) { s.procedures.get().KillConsumer(id) }

// ProcedureConsumerStats returns one procedure consumer's stats.
func (s *Socket) ProcedureConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.procedures.get().ConsumerStats(id)
	return oneStats(st, ok, keyName)
}

// ProcedureConsumerStatsList returns the stats of a procedure's consumers.
func (s *Socket) ProcedureConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.procedures.get().ConsumerStatsList(name), keyName)
}

// AllProceduresConsumerStatsList returns the stats of every procedure
// consumer.
func (s *Socket) AllProceduresConsumerStatsList() []ConsumerStats {
	return toStats(s.procedures.get().AllConsumerStatsList(), keyName)
}

// ProcedureBackpressure returns the largest backlog of a procedure's
// consumers.
func (s *Socket) ProcedureBackpressure(name string) int { return s.procedures.get().Backpressure(name) }

// AllProceduresBackpressure returns the largest backlog of all procedure
// consumers.
func (s *Socket) AllProceduresBackpressure() int { return s.procedures.get().AllBackpressure() }

// ProcedureConsumerBackpressure returns one procedure consumer's backlog.
func (s *Socket) ProcedureConsumerBackpressure(id uint64) int {
	return s.procedures.get().ConsumerBackpressure(id)
}

// HasProcedureConsumer reports whether a procedure has that consumer.
func (s *Socket) HasProcedureConsumer(name string, id uint64) bool {
	return s.procedures.get().HasConsumer(name, id)
}

// HasAnyProcedureConsumer reports whether any procedure has that consumer.
func (s *Socket) HasAnyProcedureConsumer(id uint64) bool {
	return s.procedures.get().HasAnyConsumer(id)
}
