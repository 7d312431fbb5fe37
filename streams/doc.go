// Package streams provides broadcast streams grouped by key, the model
// behind every event, receiver, procedure and channel stream of the
// SocketCluster client.
//
// A Demux holds a family of streams named by a key. Writers call Write with
// a key and a value; readers hold Consumers. The rules are those of the
// JavaScript StreamDemux:
//
//   - A stream exists only while it has consumers. A value written to a key
//     nobody consumes is discarded, never kept for a later consumer.
//   - A consumer receives every value written after it was created, in write
//     order, and nothing written before. Each consumer has its own unbounded
//     queue, so a slow one never blocks the writer or the others. Its
//     backpressure is the number of packets queued for it, a pending end
//     packet included.
//   - Close ends a stream gracefully: its consumers take what was written
//     before the close, then end. Kill ends them at once, discarding what
//     they had not taken; a blocked read returns immediately.
//   - A consumer may read several keys (it sees their values in write
//     order) or, created with no key, every key of the demux.
//   - A consumer created with a timeout fails with the demux's timeout error
//     (a *TimeoutError unless Config says otherwise) when a wait for its next
//     value lasts longer, and is removed.
//
// Consumer ids are numbered from 1 per demux and never reused. Every method
// is safe for concurrent use, and no goroutine is started.
//
// A consumer exists from the moment the call that creates it returns, so a
// range loop may start later, in another goroutine, without losing values:
//
//	d := streams.NewDemux[string, int](streams.Config{})
//	values := d.Stream("ticks").All() // the consumer is registered here
//	d.Write("ticks", 1)
//	d.Write("ticks", 2)
//	d.Close("ticks")
//	for v := range values {
//		fmt.Println(v) // 1, then 2; the loop ends after the close
//	}
//
// Breaking out of such a loop removes the consumer. A consumer that is
// created but never read keeps queueing what is written to its stream until
// it is closed or killed.
package streams
