package scclient

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// inflating reports whether the socket's current connection negotiated
// permessage-deflate.
func inflating(s *Socket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil && s.conn.rd != nil && s.conn.rd.inflate
}

// The server compresses every message (threshold 0): replies, large and
// small, and channel messages arrive intact through the reader's inflate
// path.
func TestCompressedMessagesFromTheRealServer(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_PER_MESSAGE_DEFLATE": "0"})
	s, w := newWatchedSocket(t, srv.URL(), Options{}, EventConnect, EventSubscribe)
	w.waitFor(EventConnect, 5*time.Second)
	require.True(t, inflating(s), "permessage-deflate was not negotiated")

	for _, size := range []int{0, 10, 5000, 300 << 10} {
		want := strings.Repeat("compressible text ", size/18+1)[:size]
		res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", want)
		require.NoError(t, err, "echo of %d bytes", size)
		var got string
		require.NoError(t, res.Decode(&got))
		require.Equal(t, want, got, "echo of %d bytes", size)
	}

	ch := s.Subscribe("deflated")
	msgs := ch.CreateConsumer(0) // before publishing: the echo can be fast
	w.waitFor(EventSubscribe, 5*time.Second)
	big := strings.Repeat("z", 100<<10)
	require.NoError(t, s.TransmitPublish("deflated", big))
	d, ok, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	var got string
	require.NoError(t, d.Decode(&got))
	require.Equal(t, big, got)
}

// A compressed message that inflates beyond ReadLimit closes the
// connection with 1009 even though its compressed frame is small.
func TestCompressedMessageAboveReadLimit(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_PER_MESSAGE_DEFLATE": "0"})
	s, w := newWatchedSocket(t, srv.URL(), Options{ReadLimit: 64 << 10, DisableAutoReconnect: true}, EventConnect, EventDisconnect)
	w.waitFor(EventConnect, 5*time.Second)
	require.True(t, inflating(s))
	// 1 MiB of one letter compresses to a few KiB; the echo comes back
	// compressed and inflates to 1 MiB.
	go func() { _, _ = s.Invoke(ctxT(t, 5*time.Second), "echo", strings.Repeat("a", 1<<20)) }()
	ev := w.waitFor(EventDisconnect, 5*time.Second)
	require.Equal(t, CloseMessageTooBig, ev.Code)
}
