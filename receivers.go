package scclient

import "github.com/socketcluster-go/scclient/streams"

// Receiver returns the stream of payloads of the server's transmits named
// name. Without a consumer they are dropped.
func (s *Socket) Receiver(name string) streams.Stream[string, Data] { return s.receivers.Stream(name) }

// CloseReceiver closes a receiver stream.
func (s *Socket) CloseReceiver(name string) { s.receivers.Close(name) }

// CloseAllReceivers closes every receiver stream.
func (s *Socket) CloseAllReceivers() { s.receivers.CloseAll() }

// KillReceiver kills a receiver stream.
func (s *Socket) KillReceiver(name string) { s.receivers.Kill(name) }

// KillAllReceivers kills every receiver stream.
func (s *Socket) KillAllReceivers() { s.receivers.KillAll() }

// KillReceiverConsumer kills one receiver consumer.
func (s *Socket) KillReceiverConsumer(id uint64) { s.receivers.KillConsumer(id) }

// ReceiverConsumerStats returns one receiver consumer's stats.
func (s *Socket) ReceiverConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.receivers.ConsumerStats(id)
	return oneStats(st, ok, keyName)
}

// ReceiverConsumerStatsList returns the stats of a receiver's consumers.
func (s *Socket) ReceiverConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.receivers.ConsumerStatsList(name), keyName)
}

// AllReceiversConsumerStatsList returns the stats of every receiver consumer.
func (s *Socket) AllReceiversConsumerStatsList() []ConsumerStats {
	return toStats(s.receivers.AllConsumerStatsList(), keyName)
}

// ReceiverBackpressure returns the largest backlog of a receiver's
// consumers.
func (s *Socket) ReceiverBackpressure(name string) int { return s.receivers.Backpressure(name) }

// AllReceiversBackpressure returns the largest backlog of all receiver
// consumers.
func (s *Socket) AllReceiversBackpressure() int { return s.receivers.AllBackpressure() }

// ReceiverConsumerBackpressure returns one receiver consumer's backlog.
func (s *Socket) ReceiverConsumerBackpressure(id uint64) int {
	return s.receivers.ConsumerBackpressure(id)
}

// HasReceiverConsumer reports whether a receiver has that consumer.
func (s *Socket) HasReceiverConsumer(name string, id uint64) bool {
	return s.receivers.HasConsumer(name, id)
}

// HasAnyReceiverConsumer reports whether any receiver has that consumer.
func (s *Socket) HasAnyReceiverConsumer(id uint64) bool { return s.receivers.HasAnyConsumer(id) }

// Procedure returns the stream of the server's requests named name; answer
// each with End or Error. Without a consumer they are dropped and the
// server's call times out.
func (s *Socket) Procedure(name string) streams.Stream[string, *Request] {
	return s.procedures.Stream(name)
}

// CloseProcedure closes a procedure stream.
func (s *Socket) CloseProcedure(name string) { s.procedures.Close(name) }

// CloseAllProcedures closes every procedure stream.
func (s *Socket) CloseAllProcedures() { s.procedures.CloseAll() }

// KillProcedure kills a procedure stream.
func (s *Socket) KillProcedure(name string) { s.procedures.Kill(name) }

// KillAllProcedures kills every procedure stream.
func (s *Socket) KillAllProcedures() { s.procedures.KillAll() }

// KillProcedureConsumer kills one procedure consumer.
func (s *Socket) KillProcedureConsumer(id uint64) { s.procedures.KillConsumer(id) }

// ProcedureConsumerStats returns one procedure consumer's stats.
func (s *Socket) ProcedureConsumerStats(id uint64) (ConsumerStats, bool) {
	st, ok := s.procedures.ConsumerStats(id)
	return oneStats(st, ok, keyName)
}

// ProcedureConsumerStatsList returns the stats of a procedure's consumers.
func (s *Socket) ProcedureConsumerStatsList(name string) []ConsumerStats {
	return toStats(s.procedures.ConsumerStatsList(name), keyName)
}

// AllProceduresConsumerStatsList returns the stats of every procedure
// consumer.
func (s *Socket) AllProceduresConsumerStatsList() []ConsumerStats {
	return toStats(s.procedures.AllConsumerStatsList(), keyName)
}

// ProcedureBackpressure returns the largest backlog of a procedure's
// consumers.
func (s *Socket) ProcedureBackpressure(name string) int { return s.procedures.Backpressure(name) }

// AllProceduresBackpressure returns the largest backlog of all procedure
// consumers.
func (s *Socket) AllProceduresBackpressure() int { return s.procedures.AllBackpressure() }

// ProcedureConsumerBackpressure returns one procedure consumer's backlog.
func (s *Socket) ProcedureConsumerBackpressure(id uint64) int {
	return s.procedures.ConsumerBackpressure(id)
}

// HasProcedureConsumer reports whether a procedure has that consumer.
func (s *Socket) HasProcedureConsumer(name string, id uint64) bool {
	return s.procedures.HasConsumer(name, id)
}

// HasAnyProcedureConsumer reports whether any procedure has that consumer.
func (s *Socket) HasAnyProcedureConsumer(id uint64) bool { return s.procedures.HasAnyConsumer(id) }
