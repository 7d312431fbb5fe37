package scclient

import (
	"context"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// benchSocket returns a socket that is not connected and a conn to feed
// frames through, as the read loop does.
func benchSocket(b *testing.B) (*Socket, *conn) {
	s, err := Create(Options{DisableAutoConnect: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, newConn(s, s.opts)
}

// benchDispatch measures one inbound frame from its bytes to the consumer:
// the copy the read loop makes, decoding, dispatch, the stream handoff and
// the consumer taking the value (payload left encoded).
func benchDispatch(b *testing.B, s *Socket, c *conn, frame []byte, next func() bool) {
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := make([]byte, len(frame))
		copy(f, frame)
		s.handleFrame(c, websocket.TextMessage, f)
		if !next() {
			b.Fatal("consumer got nothing")
		}
	}
	b.StopTimer()
	c.stopTimers()
}

func publishFrame(size int) []byte {
	return []byte(`{"event":"#publish","data":{"channel":"bench","data":"` + strings.Repeat("x", size) + `"}}`)
}

func benchmarkChannelMessage(b *testing.B, size int) {
	s, c := benchSocket(b)
	ch := s.Subscribe("bench")
	cons := ch.CreateConsumer(0)
	ctx := context.Background()
	benchDispatch(b, s, c, publishFrame(size), func() bool {
		d, ok, err := cons.Next(ctx)
		return ok && err == nil && len(d.Raw()) == size+2
	})
}

// BenchmarkChannelMessage64 is a received 64-byte channel message.
func BenchmarkChannelMessage64(b *testing.B) { benchmarkChannelMessage(b, 64) }

// BenchmarkChannelMessage1K is a received 1 KiB channel message.
func BenchmarkChannelMessage1K(b *testing.B) { benchmarkChannelMessage(b, 1024) }

// BenchmarkReceiverEvent64 is a received 64-byte transmit to a receiver.
func BenchmarkReceiverEvent64(b *testing.B) {
	s, c := benchSocket(b)
	cons := s.Receiver("benchEvent").CreateConsumer(0)
	ctx := context.Background()
	frame := []byte(`{"event":"benchEvent","data":"` + strings.Repeat("x", 64) + `"}`)
	benchDispatch(b, s, c, frame, func() bool {
		d, ok, err := cons.Next(ctx)
		return ok && err == nil && len(d.Raw()) == 66
	})
}

// BenchmarkResponse is a response settling a pending invoke.
func BenchmarkResponse(b *testing.B) {
	s, c := benchSocket(b)
	frame := []byte(`{"rid":1,"data":{"seq":1,"msg":"hello"}}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		call := &call{event: "echo", invoke: true, done: make(chan struct{})}
		s.mu.Lock()
		s.pending[1] = call
		s.mu.Unlock()
		f := make([]byte, len(frame))
		copy(f, frame)
		s.handleFrame(c, websocket.TextMessage, f)
		<-call.done
	}
	b.StopTimer()
	c.stopTimers()
}
