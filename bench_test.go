package scclient

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/codec"
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

// loopReader serves the same bytes over and over, as a server sending one
// frame in a loop would.
type loopReader struct {
	b   []byte
	off int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], l.b[l.off:])
		n += k
		l.off = (l.off + k) % len(l.b)
	}
	return n, nil
}

// benchDispatch measures one inbound message from its WebSocket frame bytes
// to the consumer: the frame reader, decoding, dispatch, the stream handoff
// and the consumer taking the value (payload left encoded).
func benchDispatch(b *testing.B, s *Socket, c *conn, frame []byte, next func() bool) {
	rd := newWSReader(&loopReader{b: serverFrame(true, false, opText, frame)}, nil, nil, DefaultReadLimit, false, nil)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mt, f, err := rd.next()
		if err != nil {
			b.Fatal(err)
		}
		s.handleFrame(c, mt, f)
		if !next() {
			b.Fatal("consumer got nothing")
		}
	}
	b.StopTimer()
	c.stopTimers()
}

// benchmarkReader measures the frame reader alone on size-byte messages.
func benchmarkReader(b *testing.B, size int) {
	frame := publishFrame(size)
	rd := newWSReader(&loopReader{b: serverFrame(true, false, opText, frame)}, nil, nil, DefaultReadLimit, false, nil)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, f, err := rd.next(); err != nil || len(f) != len(frame) {
			b.Fatal(len(f), err)
		}
	}
}

// BenchmarkWSReader64 reads 64-byte #publish messages from frame bytes.
func BenchmarkWSReader64(b *testing.B) { benchmarkReader(b, 64) }

// BenchmarkWSReader1K reads 1 KiB #publish messages from frame bytes.
func BenchmarkWSReader1K(b *testing.B) { benchmarkReader(b, 1024) }

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
		cl := &call{event: "echo", invoke: true, done: make(chan struct{})}
		s.mu.Lock()
		if s.pending == nil {
			s.pending = map[int64]*call{}
		}
		s.pending[1] = cl
		s.mu.Unlock()
		f := make([]byte, len(frame))
		copy(f, frame)
		s.handleFrame(c, websocket.TextMessage, f)
		<-cl.done
	}
	b.StopTimer()
	c.stopTimers()
}

// discardConn is a net.Conn that accepts and drops every write.
type discardConn struct {
	net.Conn // nil: only writing is supported
}

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

// benchWrite measures one outbound packet from the call's packet to the
// bytes handed to the connection: encoding, framing and masking, and the
// writer's queue.
func benchWrite(b *testing.B, data []byte) {
	s, c := benchSocket(b)
	c.nc = discardConn{}
	p := codec.Packet{Kind: codec.KindRequest, Event: "echo", Data: data, CID: 1}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.writePacket(&p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = s
	c.stopTimers()
}

// BenchmarkWriteInvoke64 is an invoke with a 64-byte string payload.
func BenchmarkWriteInvoke64(b *testing.B) {
	benchWrite(b, []byte(`"`+strings.Repeat("x", 62)+`"`))
}

// BenchmarkWriteInvoke1K is an invoke with a 1 KiB string payload.
func BenchmarkWriteInvoke1K(b *testing.B) {
	benchWrite(b, []byte(`"`+strings.Repeat("x", 1022)+`"`))
}
