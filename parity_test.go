package scclient

// Tests for the rows of the parity checklist (docs/PARITY.md) that no other
// test covers. Each test names the JavaScript members it proves in its
// comment; docs/PARITY.md maps every member to its test.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/socketcluster-go/scclient/codec"
	"github.com/socketcluster-go/scclient/streams"
)

// parityOffline creates a socket that does not connect and closes it at the
// end of the test.
func parityOffline(t *testing.T, opts Options) *Socket {
	t.Helper()
	opts.DisableAutoConnect = true
	s, err := Create(opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// parityNext takes the next value of c or fails the test.
func parityNext[K comparable, T any](t *testing.T, c *streams.Consumer[K, T]) T {
	t.Helper()
	v, ok, err := c.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok, "the stream ended")
	return v
}

// parityEnded checks that c ends (without waiting for a value).
func parityEnded[K comparable, T any](t *testing.T, c *streams.Consumer[K, T]) {
	t.Helper()
	_, ok, err := c.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.False(t, ok, "the stream should have ended")
}

// parityOpen creates a socket on url and waits for its connect event.
func parityOpen(t *testing.T, url string, opts Options) *Socket {
	t.Helper()
	s, w := newWatchedSocket(t, url, opts, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	return s
}

// parityServerTransmit asks the server to transmit event with data to s.
// The server may answer before its transmit goes out, so when c is not nil
// it waits until c has one more value queued.
func parityServerTransmit(t *testing.T, s *Socket, event string, data any, c *streams.Consumer[string, Data]) {
	t.Helper()
	before := 0
	if c != nil {
		before = c.Backpressure()
	}
	_, err := s.Invoke(ctxT(t, 5*time.Second), "serverTransmit", map[string]any{"event": event, "data": data})
	require.NoError(t, err)
	if c != nil {
		require.Eventually(t, func() bool { return c.Backpressure() > before }, 5*time.Second, time.Millisecond)
	}
}

// module version, constants, properties and factory defaults.
func TestParityPropertiesBeforeConnect(t *testing.T) {
	engine := NewMemoryAuthEngine()
	s := parityOffline(t, Options{ClientID: "my-client", AuthEngine: engine, ChannelPrefix: "p/", PingTimeoutDisabled: true,
		ConnectTimeout: 3 * time.Second, BinaryType: "nodebuffer", CloneData: true})
	require.Equal(t, "20.0.2", Version)
	require.Equal(t, Version, s.Version())
	require.Equal(t, "my-client", s.ClientID())
	require.Equal(t, 2, s.ProtocolVersion())
	require.True(t, s.PingTimeoutDisabled())
	require.Equal(t, "p/", s.ChannelPrefix())
	require.Same(t, engine, s.AuthEngine())
	require.Equal(t, codec.Codec(codec.JSON), s.Codec())
	require.Equal(t, 3*time.Second, s.PingTimeout(), "pingTimeout is connectTimeout until a handshake")

	require.Equal(t, StateClosed, s.State())
	require.Equal(t, "", s.ID())
	require.Equal(t, Unauthenticated, s.AuthState())
	require.Equal(t, "", s.SignedAuthToken())
	require.Nil(t, s.AuthToken())
	require.False(t, s.PendingReconnect())
	d, pending := s.PendingReconnectTimeout()
	require.False(t, pending)
	require.Zero(t, d)
	require.Zero(t, s.ConnectAttempts())
	require.False(t, s.PreparingPendingSubscriptions())
	require.False(t, s.IsBatching())
	require.False(t, s.IsBufferingBatch(), "no connection: false instead of the JavaScript throw")
	require.Zero(t, s.BytesReceived())
	require.ErrorIs(t, s.Send([]byte("x")), ErrNotOpen)

	// options: the effective set, defaults filled in.
	o := s.Options()
	require.Equal(t, "localhost", o.Hostname)
	require.Equal(t, 80, o.Port)
	require.False(t, o.Secure)
	require.Equal(t, DefaultPath, o.Path)
	require.Equal(t, DefaultTimestampParam, o.TimestampParam)
	require.Equal(t, DefaultAckTimeout, o.AckTimeout)
	require.Equal(t, DefaultBatchInterval, o.BatchInterval)
	require.Equal(t, DefaultBatchOnHandshakeDuration, o.BatchOnHandshakeDuration)
	require.False(t, o.BatchOnHandshake)
	require.Equal(t, ReconnectOptions{InitialDelay: 10 * time.Second, Randomness: 10 * time.Second, Multiplier: 1.5, MaxDelay: 60 * time.Second}, o.AutoReconnectOptions)
	require.Equal(t, "socketcluster.authToken.localhost:80", o.AuthTokenName)
	require.Equal(t, "nodebuffer", o.BinaryType, "binaryType is accepted")
	require.True(t, o.CloneData, "cloneData is accepted")

	// clientId defaults to a fresh UUID v4.
	a := parityOffline(t, Options{})
	b := parityOffline(t, Options{})
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	require.Regexp(t, uuid4, a.ClientID())
	require.NotEqual(t, a.ClientID(), b.ClientID())

	// Constants: state names, auth states, channel states, close tables.
	require.Equal(t, []string{"connecting", "open", "closed"}, []string{StateConnecting.String(), StateOpen.String(), StateClosed.String()})
	require.Equal(t, []string{"authenticated", "unauthenticated"}, []string{Authenticated.String(), Unauthenticated.String()})
	require.Equal(t, []string{"subscribed", "pending", "unsubscribed"}, []string{ChannelSubscribed.String(), ChannelPending.String(), ChannelUnsubscribed.String()})
	require.Equal(t, map[int]string{1000: "Socket closed normally", 1001: "Socket was disconnected"}, IgnoreStatuses)
	require.Len(t, ErrorStatuses, 20)
	require.Equal(t, "Socket hung up", ErrorStatuses[1006])
	require.Equal(t, "Server received a message before the client handshake", ErrorStatuses[4009])
}

// host, hostname, port, secure, protocolScheme, socketPath, path, query,
// timestampRequests, timestampParam and uri().
func TestParityURIOptions(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"defaults", Options{}, "ws://localhost/socketcluster/"},
		{"host verbatim", Options{Host: "example.com:8000"}, "ws://example.com:8000/socketcluster/"},
		{"hostname and port", Options{Hostname: "10.1.2.3", Port: 8443}, "ws://10.1.2.3:8443/socketcluster/"},
		{"port 80 is omitted for ws", Options{Hostname: "a", Port: 80}, "ws://a/socketcluster/"},
		{"secure defaults to 443, omitted", Options{Secure: true}, "wss://localhost/socketcluster/"},
		{"secure keeps another port", Options{Secure: true, Port: 8000}, "wss://localhost:8000/socketcluster/"},
		{"port 80 is kept for wss", Options{Secure: true, Port: 80}, "wss://localhost:80/socketcluster/"},
		{"protocolScheme verbatim", Options{ProtocolScheme: "ws+unix", Port: 8000}, "ws+unix://localhost:8000/socketcluster/"},
		{"socketPath", Options{ProtocolScheme: "ws+unix", SocketPath: "/run/sc.sock"}, "ws+unix:///run/sc.sock:/socketcluster/"},
		{"path", Options{Path: "/other/"}, "ws://localhost/other/"},
		{"query with repeated keys", Options{Query: url.Values{"a": {"x y"}, "list": {"1", "2"}}}, "ws://localhost/socketcluster/?a=x+y&list=1&list=2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, parityOffline(t, c.opts).URI())
		})
	}

	t.Run("host sets the token name", func(t *testing.T) {
		require.Equal(t, "socketcluster.authToken.example.com:8000", parityOffline(t, Options{Host: "example.com:8000"}).AuthTokenName())
	})
	t.Run("timestampRequests and timestampParam", func(t *testing.T) {
		before := time.Now().UnixMilli()
		u, err := url.Parse(parityOffline(t, Options{TimestampRequests: true, TimestampParam: "ts", Query: url.Values{"k": {"v"}}}).URI())
		require.NoError(t, err)
		var ms int64
		_, err = fmt.Sscan(u.Query().Get("ts"), &ms)
		require.NoError(t, err)
		require.GreaterOrEqual(t, ms, before)
		require.LessOrEqual(t, ms, time.Now().UnixMilli())
		require.Equal(t, "v", u.Query().Get("k"))
		u, err = url.Parse(parityOffline(t, Options{TimestampRequests: true}).URI())
		require.NoError(t, err)
		require.NotEmpty(t, u.Query().Get("t"), "the default parameter name is t")
	})
	t.Run("host validation", func(t *testing.T) {
		_, err := Create(Options{Host: "nohostport", DisableAutoConnect: true})
		var iae *InvalidArgumentsError
		require.True(t, errors.As(err, &iae))
		require.Equal(t, "The host option should include both the hostname and the port number in the hostname:port format", iae.Message)
	})
}

// encodeBase64, decodeBase64, encode and decode (usable before connecting).
func TestParityBase64AndCodecBeforeConnect(t *testing.T) {
	require.Equal(t, "VGhpcyBpcyBhIHN0cmluZw==", EncodeBase64("This is a string"))
	require.Equal(t, "This is a string", DecodeBase64("VGhpcyBpcyBhIHN0cmluZw=="))
	require.Equal(t, "This is a string", DecodeBase64("VGhpcyBpcyBhIHN0cmluZw"), "padding is optional")
	require.Equal(t, "This is a string", DecodeBase64("VGhp cyBp@cyBhIHN0cmluZw=="), "other characters are skipped")
	require.Equal(t, "✓ à la mode", DecodeBase64("4pyTIMOgIGxhIG1vZGU"), "URL-safe input without padding")
	require.Equal(t, "?>", DecodeBase64("Pz4"))
	require.Equal(t, "?>", DecodeBase64("Pz4="))
	require.Equal(t, "\uFFFDA", DecodeBase64("4pxB"), "invalid UTF-8 becomes U+FFFD")
	require.Equal(t, "ab", DecodeBase64("YWI=YWI="), "decoding stops at the first =")
	require.Equal(t, EncodeBase64("héllo"), "aMOpbGxv")

	s := parityOffline(t, Options{})
	frame, err := s.Codec().Marshal(map[string]any{"a": 1, "b": []byte{1, 2}})
	require.NoError(t, err)
	require.JSONEq(t, `{"a":1,"b":{"base64":true,"data":"AQI="}}`, string(frame))
	var back map[string]any
	require.NoError(t, s.Codec().Unmarshal(frame, &back))
	require.Equal(t, float64(1), back["a"])
}

// emit, listener and every listener stream-management method.
func TestParityListenerStreams(t *testing.T) {
	s := parityOffline(t, Options{})
	l := s.Listener("custom")
	require.Zero(t, s.ListenerConsumerCount("custom"), "a handle creates no consumer")
	s.Emit(Event{Name: "custom", Reason: "dropped"}) // no consumer: discarded

	c1 := l.CreateConsumer(0)
	c2 := s.Listener("custom").CreateConsumer(time.Minute)
	other := s.Listener("other").CreateConsumer(0)
	require.Equal(t, 2, s.ListenerConsumerCount("custom"))
	require.Equal(t, 3, s.AllListenersConsumerCount())
	for i := 0; i < 3; i++ {
		s.Emit(Event{Name: "custom", Reason: fmt.Sprint(i)})
	}
	require.Equal(t, 3, s.ListenerBackpressure("custom"))
	require.Equal(t, 0, s.ListenerBackpressure("other"))
	require.Equal(t, 3, s.AllListenersBackpressure())
	require.Equal(t, 3, s.Backpressure())
	require.Equal(t, 3, s.ListenerConsumerBackpressure(c1.ID()))
	require.Equal(t, 0, s.ListenerConsumerBackpressure(999))

	st, ok := s.ListenerConsumerStats(c2.ID())
	require.True(t, ok)
	require.Equal(t, ConsumerStats{ID: c2.ID(), Backpressure: 3, Timeout: time.Minute, Stream: "custom"}, st)
	_, ok = s.ListenerConsumerStats(999)
	require.False(t, ok)
	list := s.ListenerConsumerStatsList("custom")
	require.Len(t, list, 2)
	require.Equal(t, []uint64{c1.ID(), c2.ID()}, []uint64{list[0].ID, list[1].ID})
	require.Empty(t, s.ListenerConsumerStatsList("none"))
	all := s.AllListenersConsumerStatsList()
	require.Len(t, all, 3)
	require.Equal(t, []string{"custom", "custom", "other"}, []string{all[0].Stream, all[1].Stream, all[2].Stream})
	require.True(t, s.HasListenerConsumer("custom", c1.ID()))
	require.False(t, s.HasListenerConsumer("other", c1.ID()))
	require.True(t, s.HasAnyListenerConsumer(other.ID()))

	require.Equal(t, "0", parityNext(t, c1).Reason, "the dropped event never arrives")
	require.Equal(t, 2, s.ListenerConsumerBackpressure(c1.ID()))

	// killListenerConsumer ends one consumer at once.
	s.KillListenerConsumer(c1.ID())
	parityEnded(t, c1)
	require.False(t, s.HasAnyListenerConsumer(c1.ID()))
	require.Equal(t, 1, s.ListenerConsumerCount("custom"))

	// closeListener: the consumer drains, then ends.
	s.CloseListener("custom")
	require.Equal(t, 4, c2.Backpressure(), "the end packet counts")
	for i := 0; i < 3; i++ {
		require.Equal(t, fmt.Sprint(i), parityNext(t, c2).Reason)
	}
	parityEnded(t, c2)

	// killListener drops the backlog; removeListener ends consumers too.
	k := s.Listener("k").CreateConsumer(0)
	s.Emit(Event{Name: "k"})
	s.KillListener("k")
	require.Zero(t, k.Backpressure())
	parityEnded(t, k)
	r := s.Listener("r").CreateConsumer(0)
	s.RemoveListener("r")
	parityEnded(t, r)

	// closeAllListeners and killAllListeners reach every stream.
	x, y := s.Listener("x").CreateConsumer(0), s.Listener("y").CreateConsumer(0)
	s.Emit(Event{Name: "x"})
	s.CloseAllListeners()
	parityNext(t, x)
	parityEnded(t, x)
	parityEnded(t, y)
	parityEnded(t, other)
	x, y = s.Listener("x").CreateConsumer(0), s.Listener("y").CreateConsumer(0)
	s.Emit(Event{Name: "x"})
	s.KillAllListeners()
	parityEnded(t, x)
	parityEnded(t, y)
	require.Zero(t, s.AllListenersConsumerCount())

	// next and once on a handle; once gives streams.ErrEnded on a close.
	go func() {
		for s.ListenerConsumerCount("n") == 0 {
			time.Sleep(time.Millisecond)
		}
		s.Emit(Event{Name: "n", Reason: "next"})
	}()
	ev, ok, err := s.Listener("n").Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "next", ev.Reason)
	go func() {
		for s.ListenerConsumerCount("o") == 0 {
			time.Sleep(time.Millisecond)
		}
		s.CloseListener("o")
	}()
	_, err = s.Listener("o").Once(ctxT(t, 5*time.Second))
	require.ErrorIs(t, err, streams.ErrEnded)

	// A consumer with a timeout fails with a TimeoutError.
	_, _, err = s.Listener("quiet").CreateConsumer(20 * time.Millisecond).Next(ctxT(t, 5*time.Second))
	var te *TimeoutError
	require.True(t, errors.As(err, &te), "got %v", err)
	require.Equal(t, "Stream consumer iteration timed out", te.Message)
}

// receiver and every receiver stream-management method; reserved events
// never reach receivers.
func TestParityReceiverStreams(t *testing.T) {
	srv := startServer(t, nil)
	s := parityOpen(t, srv.URL(), Options{})
	a := s.Receiver("ra").CreateConsumer(0)
	b := s.Receiver("rb").CreateConsumer(time.Minute)
	for i := 0; i < 3; i++ {
		parityServerTransmit(t, s, "ra", i, a)
	}
	parityServerTransmit(t, s, "rb", "x", b)

	require.Equal(t, 3, s.ReceiverBackpressure("ra"))
	require.Equal(t, 3, s.AllReceiversBackpressure())
	require.Equal(t, 3, s.Backpressure())
	require.Equal(t, 1, s.ReceiverConsumerBackpressure(b.ID()))
	st, ok := s.ReceiverConsumerStats(b.ID())
	require.True(t, ok)
	require.Equal(t, ConsumerStats{ID: b.ID(), Backpressure: 1, Timeout: time.Minute, Stream: "rb"}, st)
	_, ok = s.ReceiverConsumerStats(999)
	require.False(t, ok)
	require.Len(t, s.ReceiverConsumerStatsList("ra"), 1)
	all := s.AllReceiversConsumerStatsList()
	require.Equal(t, []string{"ra", "rb"}, []string{all[0].Stream, all[1].Stream})
	require.True(t, s.HasReceiverConsumer("ra", a.ID()))
	require.False(t, s.HasReceiverConsumer("rb", a.ID()))
	require.True(t, s.HasAnyReceiverConsumer(b.ID()))
	require.Equal(t, "0", parityNext(t, a).String())

	s.KillReceiverConsumer(b.ID())
	parityEnded(t, b)
	require.False(t, s.HasAnyReceiverConsumer(b.ID()))
	s.CloseReceiver("ra")
	require.Equal(t, "1", parityNext(t, a).String())
	require.Equal(t, "2", parityNext(t, a).String())
	parityEnded(t, a)

	k := s.Receiver("rk").CreateConsumer(0)
	parityServerTransmit(t, s, "rk", 1, k)
	s.KillReceiver("rk")
	require.Zero(t, k.Backpressure())
	parityEnded(t, k)

	x, y := s.Receiver("x").CreateConsumer(0), s.Receiver("y").CreateConsumer(0)
	parityServerTransmit(t, s, "x", 1, x)
	s.CloseAllReceivers()
	parityNext(t, x)
	parityEnded(t, x)
	parityEnded(t, y)
	x = s.Receiver("x").CreateConsumer(0)
	parityServerTransmit(t, s, "x", 1, x)
	s.KillAllReceivers()
	parityEnded(t, x)

	// #setAuthToken is consumed internally, other names starting with #
	// reach receivers.
	reserved := s.Receiver("#setAuthToken").CreateConsumer(0)
	custom := s.Receiver("#custom").CreateConsumer(0)
	w := watch(t, s, EventAuthenticate)
	_, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "alice"})
	require.NoError(t, err)
	w.waitFor(EventAuthenticate, 5*time.Second)
	require.Zero(t, reserved.Backpressure())
	parityServerTransmit(t, s, "#custom", "yes", nil)
	require.Equal(t, `"yes"`, parityNext(t, custom).String())
}

// procedure, every procedure stream-management method, and AGRequest's
// id, procedure, data, sent, end and error.
func TestParityProcedureStreamsAndRequests(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_ACK_TIMEOUT": "2000"})
	s := parityOpen(t, srv.URL(), Options{})
	p := s.Procedure("pa").CreateConsumer(0)
	q := s.Procedure("pb").CreateConsumer(0)

	type answer struct {
		res Data
		err error
	}
	ask := func(req map[string]any) chan answer {
		ch := make(chan answer, 1)
		go func() {
			res, err := s.Invoke(context.Background(), "serverInvoke", req)
			ch <- answer{res, err}
		}()
		return ch
	}
	first := ask(map[string]any{"event": "pa", "data": map[string]any{"n": 1}})
	require.Eventually(t, func() bool { return s.ProcedureBackpressure("pa") == 1 }, 5*time.Second, 5*time.Millisecond)
	second := ask(map[string]any{"event": "pa"})
	require.Eventually(t, func() bool { return s.ProcedureBackpressure("pa") == 2 }, 5*time.Second, 5*time.Millisecond)

	require.Equal(t, 2, s.AllProceduresBackpressure())
	require.Equal(t, 2, s.Backpressure())
	require.Equal(t, 2, s.ProcedureConsumerBackpressure(p.ID()))
	st, ok := s.ProcedureConsumerStats(p.ID())
	require.True(t, ok)
	require.Equal(t, ConsumerStats{ID: p.ID(), Backpressure: 2, Stream: "pa"}, st)
	_, ok = s.ProcedureConsumerStats(999)
	require.False(t, ok)
	require.Len(t, s.ProcedureConsumerStatsList("pa"), 1)
	require.Len(t, s.AllProceduresConsumerStatsList(), 2)
	require.True(t, s.HasProcedureConsumer("pa", p.ID()))
	require.False(t, s.HasProcedureConsumer("pb", p.ID()))
	require.True(t, s.HasAnyProcedureConsumer(q.ID()))

	req := parityNext(t, p)
	require.Equal(t, "pa", req.Procedure)
	require.Positive(t, req.ID)
	require.Same(t, s, req.Socket())
	require.JSONEq(t, `{"n":1}`, req.Data.String())
	require.False(t, req.Sent())
	require.NoError(t, req.End(map[string]any{"ok": true}))
	require.True(t, req.Sent())
	err := req.End(nil)
	var iae *InvalidActionError
	require.True(t, errors.As(err, &iae), "got %v", err)
	require.Equal(t, fmt.Sprintf("Response to request %d has already been sent", req.ID), iae.Message)
	require.True(t, errors.As(req.Error(errors.New("late")), &iae), "error after end is refused too")
	got := <-first
	require.NoError(t, got.err)
	require.JSONEq(t, `{"ok":true}`, got.res.String())

	req = parityNext(t, p)
	require.True(t, req.Data.Absent(), "a request without data")
	require.NoError(t, req.Error(errors.New("plain go error")))
	got = <-second
	var sce *SCError
	require.True(t, errors.As(got.err, &sce), "got %v", got.err)
	require.Equal(t, "Error", sce.Name)
	require.Equal(t, "plain go error", sce.Message)

	// Management: kill one consumer, close, kill, close all, kill all.
	s.KillProcedureConsumer(q.ID())
	parityEnded(t, q)
	s.CloseProcedure("pa")
	parityEnded(t, p)
	k := s.Procedure("k").CreateConsumer(0)
	s.KillProcedure("k")
	parityEnded(t, k)
	x, y := s.Procedure("x").CreateConsumer(0), s.Procedure("y").CreateConsumer(0)
	s.CloseAllProcedures()
	parityEnded(t, x)
	parityEnded(t, y)
	x = s.Procedure("x").CreateConsumer(0)
	s.KillAllProcedures()
	parityEnded(t, x)

	// No consumer: the request is dropped and the server's call times out.
	_, err = s.Invoke(ctxT(t, 10*time.Second), "serverInvoke", map[string]any{"event": "nobody"})
	var te *TimeoutError
	require.True(t, errors.As(err, &te), "got %v", err)
}

// The socket-level channel stream methods (PARITY §5.9).
func TestParityChannelStreams(t *testing.T) {
	srv := startServer(t, nil)
	s := parityOpen(t, srv.URL(), Options{})
	subA := s.Channel("a").Listener(EventSubscribe).CreateConsumer(0)
	sscA := s.Channel("a").Listener(EventSubscribeStateChange).CreateConsumer(0)
	subAB := s.Channel("a/b").Listener(EventSubscribe).CreateConsumer(0)
	outA := s.Channel("a").CreateConsumer(time.Minute)
	outAB := s.Channel("a/b").CreateConsumer(0)
	s.Subscribe("a")
	s.Subscribe("a/b")
	parityNext(t, subAB)
	require.Eventually(t, func() bool { return s.ChannelListenerBackpressure("a", EventSubscribe) == 1 }, 5*time.Second, 5*time.Millisecond)
	for i := 0; i < 2; i++ {
		require.NoError(t, s.InvokePublish(ctxT(t, 5*time.Second), "a", i))
	}
	require.Eventually(t, func() bool { return s.ChannelOutputBackpressure("a") == 2 }, 5*time.Second, 5*time.Millisecond)

	require.Equal(t, 2, s.ChannelBackpressure("a"))
	require.Equal(t, 1, s.ChannelAllListenersBackpressure("a"), "channel a does not see a/b's listeners")
	require.Equal(t, 1, s.ChannelListenerBackpressure("a", EventSubscribeStateChange))
	require.Equal(t, 2, s.AllChannelOutputsBackpressure())
	require.Equal(t, 1, s.AllChannelListenersBackpressure())
	require.Equal(t, 2, s.AllChannelsBackpressure())
	require.Equal(t, 2, s.Backpressure())
	require.Equal(t, 2, s.ChannelOutputConsumerBackpressure(outA.ID()))
	require.Equal(t, 1, s.ChannelListenerConsumerBackpressure(subA.ID()))

	st, ok := s.ChannelOutputConsumerStats(outA.ID())
	require.True(t, ok)
	require.Equal(t, ConsumerStats{ID: outA.ID(), Backpressure: 2, Timeout: time.Minute, Stream: "a"}, st)
	st, ok = s.ChannelListenerConsumerStats(subA.ID())
	require.True(t, ok)
	require.Equal(t, "a/subscribe", st.Stream)
	_, ok = s.ChannelOutputConsumerStats(999)
	require.False(t, ok)
	_, ok = s.ChannelListenerConsumerStats(999)
	require.False(t, ok)
	require.Len(t, s.AllChannelOutputsConsumerStatsList(), 2)
	require.Len(t, s.AllChannelListenersConsumerStatsList(), 3)
	require.Len(t, s.ChannelOutputConsumerStatsList("a"), 1)
	require.Len(t, s.ChannelListenerConsumerStatsList("a", EventSubscribe), 1)
	perChannel := s.ChannelAllListenersConsumerStatsList("a")
	require.Equal(t, []string{"a/subscribe", "a/subscribeStateChange"}, []string{perChannel[0].Stream, perChannel[1].Stream})
	require.True(t, s.HasAnyChannelOutputConsumer(outAB.ID()))
	require.True(t, s.HasAnyChannelListenerConsumer(sscA.ID()))
	require.True(t, s.ChannelHasOutputConsumer("a", outA.ID()))
	require.False(t, s.ChannelHasOutputConsumer("a", outAB.ID()))
	require.True(t, s.ChannelHasListenerConsumer("a", EventSubscribe, subA.ID()))
	require.False(t, s.ChannelHasListenerConsumer("a", EventSubscribeStateChange, subA.ID()))
	require.True(t, s.ChannelHasAnyListenerConsumer("a", sscA.ID()))
	require.False(t, s.ChannelHasAnyListenerConsumer("a", subAB.ID()))

	// Kill single consumers.
	s.KillChannelOutputConsumer(outAB.ID())
	parityEnded(t, outAB)
	s.KillChannelListenerConsumer(sscA.ID())
	parityEnded(t, sscA)

	// channelCloseListener / channelCloseOutput drain then end; the
	// subscription itself stays.
	s.ChannelCloseListener("a", EventSubscribe)
	require.Equal(t, EventSubscribe, parityNext(t, subA).Name)
	parityEnded(t, subA)
	s.ChannelCloseOutput("a")
	require.Equal(t, "0", parityNext(t, outA).String())
	require.Equal(t, "1", parityNext(t, outA).String())
	parityEnded(t, outA)
	require.Equal(t, ChannelSubscribed, s.ChannelState("a"), "closing streams does not unsubscribe")

	// channelKillListener / channelKillOutput end at once.
	l := s.Channel("a").Listener(EventUnsubscribe).CreateConsumer(0)
	o := s.Channel("a").CreateConsumer(0)
	s.ChannelKillListener("a", EventUnsubscribe)
	s.ChannelKillOutput("a")
	parityEnded(t, l)
	parityEnded(t, o)

	// channelCloseAllListeners / channelKillAllListeners touch only that
	// channel.
	l1 := s.Channel("a").Listener("e1").CreateConsumer(0)
	l2 := s.Channel("a").Listener("e2").CreateConsumer(0)
	keep := s.Channel("a/b").Listener("e1").CreateConsumer(0)
	s.ChannelCloseAllListeners("a")
	parityEnded(t, l1)
	parityEnded(t, l2)
	require.True(t, s.HasAnyChannelListenerConsumer(keep.ID()))
	l1 = s.Channel("a").Listener("e1").CreateConsumer(0)
	s.ChannelKillAllListeners("a")
	parityEnded(t, l1)
	require.True(t, s.HasAnyChannelListenerConsumer(keep.ID()))

	// closeChannel / killChannel: output and listeners of one channel.
	o, l = s.Channel("a").CreateConsumer(0), s.Channel("a").Listener("e").CreateConsumer(0)
	s.CloseChannel("a")
	parityEnded(t, o)
	parityEnded(t, l)
	o, l = s.Channel("a").CreateConsumer(0), s.Channel("a").Listener("e").CreateConsumer(0)
	s.KillChannel("a")
	parityEnded(t, o)
	parityEnded(t, l)
	require.True(t, s.HasAnyChannelListenerConsumer(keep.ID()))

	// The family-wide close and kill calls.
	o = s.Channel("a").CreateConsumer(0)
	s.CloseAllChannelOutputs()
	parityEnded(t, o)
	require.True(t, s.HasAnyChannelListenerConsumer(keep.ID()), "outputs only")
	s.CloseAllChannelListeners()
	parityEnded(t, keep)
	o, l = s.Channel("a").CreateConsumer(0), s.Channel("a").Listener("e").CreateConsumer(0)
	s.CloseAllChannels()
	parityEnded(t, o)
	parityEnded(t, l)
	o = s.Channel("a").CreateConsumer(0)
	l = s.Channel("a").Listener("e").CreateConsumer(0)
	s.KillAllChannelOutputs()
	parityEnded(t, o)
	require.True(t, s.HasAnyChannelListenerConsumer(l.ID()))
	s.KillAllChannelListeners()
	parityEnded(t, l)
	o, l = s.Channel("a").CreateConsumer(0), s.Channel("a").Listener("e").CreateConsumer(0)
	s.KillAllChannels()
	parityEnded(t, o)
	parityEnded(t, l)
	require.Equal(t, []string{"a", "a/b"}, s.Subscriptions(false), "no stream call unsubscribes")
}

// Every AGChannel member and the channel events (PARITY §6.2, §11).
func TestParityChannelHandle(t *testing.T) {
	srv := startServer(t, nil)
	s := parityOpen(t, srv.URL(), Options{})
	ch := s.Channel("room")
	require.Equal(t, "room", ch.Name())
	require.Same(t, s, ch.Socket())
	require.Equal(t, ChannelUnsubscribed, ch.State())
	require.False(t, ch.IsSubscribed(true))

	ssc := ch.Listener(EventSubscribeStateChange).CreateConsumer(0)
	sub := ch.Listener(EventSubscribe).CreateConsumer(time.Minute)
	unsub := ch.Listener(EventUnsubscribe).CreateConsumer(0)
	kick := ch.Listener(EventKickOut).CreateConsumer(0)
	out := ch.CreateConsumer(0)
	msgs := ch.All()

	ch.Subscribe(SubscribeOptions{Data: "hello"})
	require.Equal(t, ChannelPending, ch.State())
	require.True(t, ch.IsSubscribed(true))
	require.False(t, ch.IsSubscribed(false))
	ev := parityNext(t, ssc)
	require.Equal(t, ChannelPending, ev.OldChannelState)
	require.Equal(t, ChannelSubscribed, ev.NewChannelState)
	require.Equal(t, "hello", ev.SubscriptionOptions.Data)
	ev = parityNext(t, sub)
	require.Equal(t, "hello", ev.SubscriptionOptions.Data)
	require.Equal(t, ChannelSubscribed, ch.State())
	require.True(t, ch.IsSubscribed(false))
	require.Equal(t, SubscribeOptions{Data: "hello"}, ch.Options())

	// transmitPublish and invokePublish; the channel is iterable.
	require.NoError(t, ch.TransmitPublish("one"))
	require.NoError(t, ch.InvokePublish(ctxT(t, 5*time.Second), "two"))
	require.Equal(t, `"one"`, parityNext(t, out).String())
	require.Equal(t, `"two"`, parityNext(t, out).String())
	next, stop := iter.Pull(msgs)
	v, ok := next()
	require.True(t, ok)
	require.Equal(t, `"one"`, v.String())
	stop()

	// next and once on the handle.
	go func() {
		for !ch.HasOutputConsumer(out.ID() + 2) {
			time.Sleep(time.Millisecond)
		}
		_ = ch.TransmitPublish("three")
	}()
	d, ok, err := ch.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, `"three"`, d.String())

	// Stats, backpressure and membership, restricted to this channel.
	other := s.Channel("other").CreateConsumer(0)
	otherL := s.Channel("other").Listener(EventSubscribe).CreateConsumer(0)
	require.NoError(t, ch.InvokePublish(ctxT(t, 5*time.Second), "four"))
	require.Eventually(t, func() bool { return ch.OutputBackpressure() == 2 }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, 2, ch.OutputConsumerBackpressure(out.ID()))
	require.Zero(t, ch.OutputConsumerBackpressure(other.ID()), "not this channel's")
	require.Equal(t, 0, ch.ListenerBackpressure(EventSubscribe))
	require.Equal(t, 0, ch.AllListenersBackpressure())
	require.Equal(t, 2, ch.Backpressure())
	require.Zero(t, ch.ListenerConsumerBackpressure(otherL.ID()))
	st, ok := ch.OutputConsumerStats(out.ID())
	require.True(t, ok)
	require.Equal(t, ConsumerStats{ID: out.ID(), Backpressure: 2, Stream: "room"}, st)
	_, ok = ch.OutputConsumerStats(other.ID())
	require.False(t, ok)
	st, ok = ch.ListenerConsumerStats(sub.ID())
	require.True(t, ok)
	require.Equal(t, ConsumerStats{ID: sub.ID(), Timeout: time.Minute, Stream: "room/subscribe"}, st)
	_, ok = ch.ListenerConsumerStats(otherL.ID())
	require.False(t, ok)
	require.Len(t, ch.OutputConsumerStatsList(), 1)
	require.Len(t, ch.ListenerConsumerStatsList(EventKickOut), 1)
	require.Len(t, ch.AllListenersConsumerStatsList(), 4)
	require.True(t, ch.HasOutputConsumer(out.ID()))
	require.False(t, ch.HasOutputConsumer(other.ID()))
	require.True(t, ch.HasListenerConsumer(EventKickOut, kick.ID()))
	require.False(t, ch.HasListenerConsumer(EventSubscribe, kick.ID()))
	require.True(t, ch.HasAnyListenerConsumer(unsub.ID()))
	require.False(t, ch.HasAnyListenerConsumer(otherL.ID()))

	// killOutputConsumer / killListenerConsumer only act on this channel.
	ch.KillOutputConsumer(other.ID())
	ch.KillListenerConsumer(otherL.ID())
	require.True(t, s.HasAnyChannelOutputConsumer(other.ID()))
	require.True(t, s.HasAnyChannelListenerConsumer(otherL.ID()))
	extra := ch.CreateConsumer(0)
	ch.KillOutputConsumer(extra.ID())
	parityEnded(t, extra)
	extraL := ch.Listener("x").CreateConsumer(0)
	ch.KillListenerConsumer(extraL.ID())
	parityEnded(t, extraL)

	// The kick-out and unsubscribe events of the channel.
	_, err = s.Invoke(ctxT(t, 5*time.Second), "kick", map[string]any{"channel": "room", "message": "out"})
	require.NoError(t, err)
	require.Equal(t, `"out"`, parityNext(t, kick).Message.String())
	ev = parityNext(t, ssc)
	require.Equal(t, ChannelUnsubscribed, ev.NewChannelState)
	require.Equal(t, EventUnsubscribe, parityNext(t, unsub).Name)
	require.Equal(t, ChannelUnsubscribed, ch.State())
	ch.Subscribe()
	require.Equal(t, SubscribeOptions{}, ch.Options())
	require.Equal(t, ChannelSubscribed, parityNext(t, ssc).NewChannelState)
	parityNext(t, sub)
	ch.Unsubscribe()
	require.Equal(t, ChannelUnsubscribed, parityNext(t, ssc).NewChannelState)
	require.Equal(t, EventUnsubscribe, parityNext(t, unsub).Name)
	require.False(t, ch.IsSubscribed(true))

	// Close and kill the handle's streams.
	ch.CloseListener(EventKickOut)
	parityEnded(t, kick)
	ch.KillListener(EventUnsubscribe)
	parityEnded(t, unsub)
	ch.CloseOutput()
	require.Equal(t, `"three"`, parityNext(t, out).String())
	require.Equal(t, `"four"`, parityNext(t, out).String())
	parityEnded(t, out)
	o := ch.CreateConsumer(0)
	ch.KillOutput()
	parityEnded(t, o)
	a, b := ch.Listener("a").CreateConsumer(0), ch.Listener("b").CreateConsumer(0)
	ch.CloseAllListeners()
	parityEnded(t, a)
	parityEnded(t, b)
	parityEnded(t, ssc)
	a = ch.Listener("a").CreateConsumer(0)
	ch.KillAllListeners()
	parityEnded(t, a)
	parityEnded(t, sub)
	o, a = ch.CreateConsumer(0), ch.Listener("a").CreateConsumer(0)
	ch.Close()
	parityEnded(t, o)
	parityEnded(t, a)
	o, a = ch.CreateConsumer(0), ch.Listener("a").CreateConsumer(0)
	ch.Kill()
	parityEnded(t, o)
	parityEnded(t, a)
	require.True(t, s.HasAnyChannelOutputConsumer(other.ID()), "other channels keep their streams")

	go func() {
		for !s.ChannelHasOutputConsumer("room", o.ID()+1) {
			time.Sleep(time.Millisecond)
		}
		ch.CloseOutput()
	}()
	_, err = ch.Once(ctxT(t, 5*time.Second))
	require.ErrorIs(t, err, streams.ErrEnded)
}

// subscribe (option replacement, no connect), channel(), getChannelOptions,
// subscribeRequest's options.
func TestParitySubscriptionTable(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoConnect: true})
	w := watch(t, s, EventSubscribeRequest, EventSubscribe)
	ch := s.Subscribe("opt", SubscribeOptions{Data: "d", Priority: 2})
	require.Equal(t, StateClosed, s.State(), "subscribe never connects")
	require.Equal(t, SubscribeOptions{Data: "d", Priority: 2}, s.ChannelOptions("opt"))
	require.Equal(t, SubscribeOptions{}, s.ChannelOptions("unknown"))
	require.Equal(t, ChannelUnsubscribed, s.Channel("unknown").State(), "channel() does not subscribe")
	require.Equal(t, []string{"opt"}, s.Subscriptions(true))

	require.NoError(t, s.Connect())
	ev := w.waitFor(EventSubscribeRequest, 5*time.Second)
	require.Equal(t, "opt", ev.Channel)
	require.Equal(t, SubscribeOptions{Data: "d"}, ev.SubscriptionOptions, "what #subscribe carried besides the channel")
	w.waitFor(EventSubscribe, 5*time.Second)

	// Subscribing again only replaces the options: no new request.
	again := s.Subscribe("opt", SubscribeOptions{WaitForAuth: true})
	require.Equal(t, SubscribeOptions{WaitForAuth: true}, again.Options())
	require.Equal(t, SubscribeOptions{WaitForAuth: true}, ch.Options(), "handles share the table")
	require.Equal(t, ChannelSubscribed, ch.State())
	require.Zero(t, w.c.Backpressure(), "no second subscribeRequest")
	s.Subscribe("opt")
	require.Equal(t, SubscribeOptions{}, s.ChannelOptions("opt"))
}

// connect (no-op when open), connect(options), reconnect, disconnect,
// getBytesReceived, send, pendingReconnectTimeout, connectAttempts, id.
func TestParityConnectionLifecycle(t *testing.T) {
	srv := startServer(t, nil)
	s, err := Create(Options{Hostname: "127.0.0.1", Port: srv.Port(), DisableAutoConnect: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	w := watch(t, s, EventConnect)
	require.NoError(t, s.Connect())
	w.waitFor(EventConnect, 5*time.Second)
	firstID := s.ID()
	require.NotEmpty(t, firstID)

	connecting := s.Listener(EventConnecting).CreateConsumer(0)
	require.NoError(t, s.Connect())
	require.Zero(t, connecting.Backpressure(), "connect on an open socket does nothing")
	connecting.Close()

	// getBytesReceived counts the frames of the current connection.
	before := s.BytesReceived()
	require.Positive(t, before, "the handshake response was received")
	_, err = s.Invoke(ctxT(t, 5*time.Second), "echo", strings.Repeat("x", 1000))
	require.NoError(t, err)
	require.GreaterOrEqual(t, s.BytesReceived()-before, int64(1000))

	// send writes a raw frame.
	raw := s.Receiver("sent").CreateConsumer(0)
	require.NoError(t, s.Send([]byte(`{"event":"echoEvent","data":{"event":"sent","data":"raw frame"}}`)))
	require.Equal(t, `"raw frame"`, parityNext(t, raw).String())

	// disconnect refuses codes that cannot be sent, before changing state.
	for _, code := range []int{999, 1005, 1006, 1015, 2999, 5000} {
		err := s.Disconnect(code, "")
		var iae *InvalidArgumentsError
		require.True(t, errors.As(err, &iae), "code %d: %v", code, err)
	}
	// ... and reasons that do not fit in a close frame (JS ws throws).
	var tooLong *InvalidArgumentsError
	require.ErrorAs(t, s.Disconnect(4100, strings.Repeat("r", 124)), &tooLong)
	require.ErrorAs(t, s.Reconnect(4100, strings.Repeat("é", 62)), &tooLong, "124 bytes in 62 characters")
	require.Equal(t, StateOpen, s.State())

	// reconnect: disconnect(1000) then connect at once, no auto-reconnect.
	w = watch(t, s, EventDisconnect, EventClose, EventConnecting, EventConnect)
	require.NoError(t, s.Reconnect(0, ""))
	require.Zero(t, s.ConnectAttempts(), "a user connect is not an attempt")
	ev := w.next(time.Second)
	require.Equal(t, EventDisconnect, ev.Name)
	require.Equal(t, 1000, ev.Code)
	require.Equal(t, "", ev.Reason, "the reason is exactly the argument")
	require.Equal(t, EventClose, w.next(time.Second).Name)
	require.Equal(t, EventConnecting, w.next(time.Second).Name)
	require.Equal(t, EventConnect, w.next(5*time.Second).Name)
	require.NotEqual(t, firstID, s.ID())
	require.False(t, s.PendingReconnect())

	// connect(options): close with 1000 and a fixed reason, reconnect with
	// the merged options; values captured at creation stay.
	require.NoError(t, s.ConnectWith(func(o *Options) {
		o.Query = url.Values{"x": {"1"}}
		o.ConnectTimeout = time.Second
		o.AckTimeout = time.Second
	}))
	ev = w.next(time.Second)
	require.Equal(t, EventDisconnect, ev.Name)
	require.Equal(t, 1000, ev.Code)
	require.Equal(t, "Socket was disconnected by the client to initiate a new connection", ev.Reason)
	w.waitFor(EventConnect, 5*time.Second)
	require.Contains(t, s.URI(), "?x=1")
	require.Equal(t, url.Values{"x": {"1"}}, s.Options().Query)
	require.Equal(t, DefaultConnectTimeout, s.ConnectTimeout())
	require.Equal(t, DefaultAckTimeout, s.AckTimeout())
	var iae *InvalidArgumentsError
	require.True(t, errors.As(s.ConnectWith(func(o *Options) { o.ProtocolVersion = 9 }), &iae), "new options are checked")

	// disconnect with 4000: an immediate reconnect (delay 0).
	require.NoError(t, s.Disconnect(4000, "ping"))
	d, _ := s.PendingReconnectTimeout()
	require.Zero(t, d)
	w.waitFor(EventConnect, 5*time.Second)

	// A code below 4500 schedules a reconnect; disconnect on the closed
	// socket cancels it.
	require.NoError(t, s.Disconnect(4444, "later"))
	require.Equal(t, "", s.ID(), "id is cleared by a close")
	require.Zero(t, s.BytesReceived(), "no current connection")
	require.True(t, s.PendingReconnect())
	d, pending := s.PendingReconnectTimeout()
	require.True(t, pending)
	require.GreaterOrEqual(t, d, 10*time.Second)
	require.Equal(t, 1, s.ConnectAttempts())
	require.NoError(t, s.Disconnect(0, ""))
	require.False(t, s.PendingReconnect())
	require.ErrorIs(t, s.Send([]byte("x")), ErrNotOpen)

	// autoReconnect off: nothing is scheduled.
	off := parityOpen(t, srv.URL(), Options{DisableAutoReconnect: true})
	require.NoError(t, off.Disconnect(4444, ""))
	require.False(t, off.PendingReconnect())
}

// connect(options) on a socket created from a URL. ConnectWith checks the
// effective options again, and those hold both the URL and the hostname
// and port taken from it, which resolveOptions refuses to combine.
func TestParityConnectWithOnSocketCreatedFromURL(t *testing.T) {
	srv := startServer(t, nil)
	s := parityOpen(t, srv.URL(), Options{})
	w := watch(t, s, EventConnect)
	require.NoError(t, s.ConnectWith(func(o *Options) { o.Query = url.Values{"x": {"1"}} }))
	w.waitFor(EventConnect, 5*time.Second)
	require.Contains(t, s.URI(), "?x=1")
}

// The close sequence (PARITY §6.3): unsubscribe events, disconnect, close,
// error; calls fail first with the state already closed; auth state kept.
func TestParityCloseSequence(t *testing.T) {
	srv := startServer(t, nil)
	s := parityOpen(t, srv.URL(), Options{DisableAutoReconnect: true})
	w := watch(t, s, EventSubscribe, EventAuthenticate)
	_, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "bob"})
	require.NoError(t, err)
	w.waitFor(EventAuthenticate, 5*time.Second)
	s.Subscribe("c1")
	w.waitFor(EventSubscribe, 5*time.Second)
	token := s.SignedAuthToken()

	stateAtFailure := make(chan State, 1)
	go func() {
		_, err := s.Invoke(context.Background(), "slow", map[string]any{"ms": 5000})
		var bce *BadConnectionError
		if errors.As(err, &bce) {
			stateAtFailure <- s.State()
		}
		close(stateAtFailure)
	}()
	all := watch(t, s, EventSubscribeStateChange, EventUnsubscribe, EventDisconnect, EventClose, EventError)
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.pending) == 1
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, s.Disconnect(4321, "bye"))
	require.Equal(t, StateClosed, <-stateAtFailure)
	var names []string
	for i := 0; i < 5; i++ {
		names = append(names, all.next(time.Second).Name)
	}
	require.Equal(t, []string{EventSubscribeStateChange, EventUnsubscribe, EventDisconnect, EventClose, EventError}, names)
	require.Equal(t, ChannelPending, s.ChannelState("c1"))
	require.Equal(t, Authenticated, s.AuthState(), "a close never changes the auth state")
	require.Equal(t, token, s.SignedAuthToken())
}

// The raw and message events from the real server, and encode failures of
// invoke, transmit and transmitPublish.
func TestParityMessagingEvents(t *testing.T) {
	srv := startServer(t, nil)
	s := parityOpen(t, srv.URL(), Options{})
	w := watch(t, s, EventRaw, EventMessage, EventError)
	_, err := s.Invoke(ctxT(t, 5*time.Second), "serverSend", map[string]any{"text": "not a packet"})
	require.NoError(t, err)
	// message comes first for every frame, then raw for a non-packet.
	sawMessage := false
	for {
		ev := w.next(5 * time.Second)
		if ev.Name == EventMessage && ev.Message.String() == "not a packet" {
			sawMessage = true
		}
		if ev.Name == EventRaw {
			require.True(t, sawMessage, "message before raw")
			require.Equal(t, "not a packet", ev.Message.String())
			break
		}
	}

	// invoke with data that cannot be encoded fails at once, with an error
	// event.
	w = watch(t, s, EventError)
	start := time.Now()
	_, err = s.Invoke(context.Background(), "echo", map[string]any{"f": func() {}})
	var iae *InvalidArgumentsError
	require.True(t, errors.As(err, &iae), "got %v", err)
	require.Less(t, time.Since(start), time.Second)
	require.True(t, errors.As(w.next(time.Second).Error, &iae))
	require.True(t, errors.As(s.Transmit("x", make(chan int)), &iae))
	require.True(t, errors.As(s.TransmitPublish("x", make(chan int)), &iae))
}

// cloneData: data is encoded at call time, so later changes do not leak.
func TestParityDataIsEncodedAtCallTime(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{DisableAutoConnect: true, CloneData: true})
	got := s.Receiver("copy").CreateConsumer(0)
	payload := map[string]any{"v": "original"}
	require.NoError(t, s.Transmit("echoEvent", map[string]any{"event": "copy", "data": payload}))
	payload["v"] = "changed while queued"
	require.JSONEq(t, `{"v":"original"}`, parityNext(t, got).String())
}

// batchInterval, cancelBatch, and isBatching surviving a reconnect.
func TestParityBatching(t *testing.T) {
	// No pings: a pong would count as a message the socket sent.
	srv := startServer(t, map[string]string{"SC_PING_INTERVAL": "60000", "SC_PING_TIMEOUT": "120000"})
	s := parityOpen(t, srv.URL(), Options{BatchInterval: 200 * time.Millisecond})
	frames := func() int {
		res, err := s.Invoke(ctxT(t, 5*time.Second), "stats", nil)
		require.NoError(t, err)
		var st struct {
			InboundMessages int `json:"inboundMessages"`
		}
		require.NoError(t, res.Decode(&st))
		return st.InboundMessages
	}

	// cancelBatch drops what was collected; an invoke in it times out.
	before := frames()
	s.StartBatch()
	require.NoError(t, s.Transmit("foo", 1))
	_, err := s.Invoke(context.Background(), "echo", 1, WithAckTimeout(200*time.Millisecond))
	var te *TimeoutError
	require.True(t, errors.As(err, &te), "got %v", err)
	s.CancelBatch()
	require.False(t, s.IsBufferingBatch())
	require.Equal(t, before+1, frames(), "nothing of the cancelled batch reached the server")

	// startBatching flushes every batchInterval.
	s.StartBatching()
	start := time.Now()
	_, err = s.Invoke(ctxT(t, 5*time.Second), "echo", "x")
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	// isBatching survives a reconnect, and batching resumes.
	w := watch(t, s, EventConnect)
	require.NoError(t, s.Reconnect(0, ""))
	w.waitFor(EventConnect, 5*time.Second)
	require.True(t, s.IsBatching())
	require.True(t, s.IsBufferingBatch())
	s.StopBatching()
	require.False(t, s.IsBufferingBatch())
}

// codecEngine: a custom codec is used for every frame.
func TestParityCustomCodec(t *testing.T) {
	srv := startServer(t, nil)
	cc := &parityCountingCodec{}
	s := parityOpen(t, srv.URL(), Options{Codec: cc})
	require.Same(t, cc, s.Codec())
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", map[string]int{"n": 5})
	require.NoError(t, err)
	require.JSONEq(t, `{"n":5}`, res.String())
	require.Positive(t, cc.marshals.Load())
	require.Positive(t, cc.frames.Load())
}

// parityCountingCodec is the JSON codec counting its calls.
type parityCountingCodec struct {
	codec.JSONCodec
	marshals atomic.Int64
	frames   atomic.Int64
}

func (c *parityCountingCodec) Marshal(v any) ([]byte, error) {
	c.marshals.Add(1)
	return c.JSONCodec.Marshal(v)
}

func (c *parityCountingCodec) DecodeFrame(dst []codec.Packet, frame []byte) []codec.Packet {
	c.frames.Add(1)
	return c.JSONCodec.DecodeFrame(dst, frame)
}

// wsOptions (Header, Dialer), path, connectTimeout with a query the server
// holds, pingTimeoutDisabled, host, socketPath.
func TestParityConnectionOptions(t *testing.T) {
	srv := startServer(t, map[string]string{"SC_ORIGINS": "localhost:*", "SC_PING_TIMEOUT_DISABLED": "1", "SC_PING_TIMEOUT": "300"})
	origin := func(o string) Options {
		return Options{Header: map[string][]string{"Origin": {o}}, DisableAutoReconnect: true, PingTimeoutDisabled: true}
	}

	t.Run("header", func(t *testing.T) {
		parityOpen(t, srv.URL(), origin("http://localhost:3000"))
		_, w := newWatchedSocket(t, srv.URL(), origin("http://elsewhere.example:3000"), EventConnectAbort)
		ev := w.waitFor(EventConnectAbort, 5*time.Second)
		require.Equal(t, 1006, ev.Code)
	})
	t.Run("dialer", func(t *testing.T) {
		var dials atomic.Int32
		o := origin("http://localhost:1")
		o.Dialer = &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
		parityOpen(t, srv.URL(), o)
		require.Equal(t, int32(1), dials.Load())
	})
	t.Run("path", func(t *testing.T) {
		_, w := newWatchedSocket(t, strings.Replace(srv.URL(), "/socketcluster/", "/wrong/", 1), origin("http://localhost:1"), EventConnectAbort)
		ev := w.waitFor(EventConnectAbort, 5*time.Second)
		require.Equal(t, 1006, ev.Code, "the server answers HTTP 400")
	})
	t.Run("query and connectTimeout", func(t *testing.T) {
		o := origin("http://localhost:1")
		o.Query = url.Values{"delayMe": {"true"}}
		o.ConnectTimeout = 300 * time.Millisecond
		_, w := newWatchedSocket(t, srv.URL(), o, EventConnectAbort)
		ev := w.waitFor(EventConnectAbort, 5*time.Second)
		require.Equal(t, 4007, ev.Code)
		require.Equal(t, "Client connection establishment timed out", ev.Reason)
	})
	t.Run("pingTimeoutDisabled", func(t *testing.T) {
		// The server sends no pings and announces a 300 ms ping timeout:
		// a socket that keeps its ping timeout drops the connection.
		o := origin("http://localhost:1")
		o.PingTimeoutDisabled = false
		timing := parityOpen(t, srv.URL(), o)
		require.Equal(t, 4000, watch(t, timing, EventDisconnect).waitFor(EventDisconnect, 5*time.Second).Code)

		s := parityOpen(t, srv.URL(), origin("http://localhost:1"))
		w := watch(t, s, EventDisconnect)
		time.Sleep(time.Second) // more than three ping timeouts
		require.Zero(t, w.c.Backpressure())
		require.Equal(t, StateOpen, s.State())
		_, err := s.Invoke(ctxT(t, 5*time.Second), "echo", 1)
		require.NoError(t, err)
	})
	t.Run("host", func(t *testing.T) {
		o := origin("http://localhost:1")
		o.Host = "127.0.0.1:" + itoaPort(srv.Port())
		s, err := Create(o)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		watch(t, s, EventConnect).waitFor(EventConnect, 5*time.Second)
		require.Equal(t, "socketcluster.authToken.127.0.0.1:"+itoaPort(srv.Port()), s.AuthTokenName())
	})
	t.Run("socketPath", func(t *testing.T) {
		sock := parityUnixRelay(t, "127.0.0.1:"+itoaPort(srv.Port()))
		o := origin("http://localhost:1")
		o.SocketPath = sock
		s, err := Create(o)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		require.Equal(t, "ws://"+sock+":/socketcluster/", s.URI())
		watch(t, s, EventConnect).waitFor(EventConnect, 5*time.Second)
		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", "over unix")
		require.NoError(t, err)
		require.Equal(t, `"over unix"`, res.String())
	})
}

// parityUnixRelay listens on a Unix socket and relays each connection to
// the TCP address target, returning the socket's path.
func parityUnixRelay(t *testing.T, target string) string {
	path := filepath.Join(t.TempDir(), "sc.sock")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			track(in)
			track(out)
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return path
}

// callIdGenerator: call ids count 1, 2, 3… per socket and are never reset
// by a new connection. Only a fake peer can show the ids on the wire.
func TestParityFakeCallIDsNeverReset(t *testing.T) {
	var mu sync.Mutex
	var cids []int64
	f := newFakeServer(t, func(ws *websocket.Conn) {
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var p struct {
				CID int64 `json:"cid"`
			}
			if json.Unmarshal(msg, &p) == nil && p.CID != 0 {
				mu.Lock()
				cids = append(cids, p.CID)
				mu.Unlock()
				reply, _ := json.Marshal(map[string]any{"rid": p.CID})
				_ = ws.WriteMessage(websocket.TextMessage, reply)
			}
		}
	})
	s := newSocket(t, f.wsURL(), Options{DisableAutoConnect: true})
	_, err := s.Invoke(ctxT(t, 5*time.Second), "a", nil) // handshake was 1
	require.NoError(t, err)
	w := watch(t, s, EventConnect)
	require.NoError(t, s.Connect())
	require.NoError(t, s.Reconnect(0, ""))
	w.waitFor(EventConnect, 5*time.Second) // handshake 3
	_, err = s.Invoke(ctxT(t, 5*time.Second), "b", nil)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []int64{2, 4}, cids)
}

// authenticate with a token the server refuses without an error, custom
// authTokenName, the per-socket default engine, deauthenticate on a closed
// socket.
func TestParityAuthentication(t *testing.T) {
	srv := startServer(t, nil)
	engine := NewMemoryAuthEngine()
	s := parityOpen(t, srv.URL(), Options{AuthEngine: engine, AuthTokenName: "my.token"})
	require.Equal(t, "my.token", s.AuthTokenName())

	blocked := signToken(t, "testkey", jwt.MapClaims{"username": "mallory", "blocked": true})
	status, err := s.Authenticate(ctxT(t, 5*time.Second), blocked)
	require.NoError(t, err)
	require.False(t, status.IsAuthenticated)
	var sce *SCError
	require.True(t, errors.As(status.AuthError, &sce), "got %v", status.AuthError)
	require.Equal(t, "BlockedUserError", sce.Name)
	require.Equal(t, Unauthenticated, s.AuthState())
	stored, err := engine.LoadToken(context.Background(), "my.token")
	require.NoError(t, err)
	require.Equal(t, blocked, stored, "the token is saved whatever the answer")

	// The default engine belongs to one socket.
	a := parityOpen(t, srv.URL(), Options{})
	b := parityOpen(t, srv.URL(), Options{})
	wa := watch(t, a, EventAuthenticate)
	_, err = a.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "kate"})
	require.NoError(t, err)
	wa.waitFor(EventAuthenticate, 5*time.Second)
	require.NotSame(t, a.AuthEngine(), b.AuthEngine())
	tok, err := b.AuthEngine().LoadToken(context.Background(), b.AuthTokenName())
	require.NoError(t, err)
	require.Empty(t, tok)

	// deauthenticate on a closed socket: no connection, the token goes.
	shared := NewMemoryAuthEngine()
	closed := newSocket(t, srv.URL(), Options{DisableAutoConnect: true, AuthEngine: shared})
	require.NoError(t, shared.SaveToken(context.Background(), closed.AuthTokenName(), "old.token.value"))
	w := watch(t, closed, EventRemoveAuthToken)
	require.NoError(t, closed.Deauthenticate(context.Background()))
	require.Equal(t, StateClosed, closed.State())
	require.Equal(t, "old.token.value", w.next(time.Second).OldSignedAuthToken)
}

// Auth engine failures: load aborts the handshake (4003), save and remove
// become error events.
func TestParityAuthEngineFailures(t *testing.T) {
	srv := startServer(t, nil)
	t.Run("loadToken", func(t *testing.T) {
		e := &parityFailingEngine{MemoryAuthEngine: NewMemoryAuthEngine()}
		e.failLoad.Store(true)
		_, w := newWatchedSocket(t, srv.URL(), Options{AuthEngine: e, DisableAutoReconnect: true}, EventError, EventConnectAbort)
		ev := w.next(5 * time.Second)
		require.ErrorIs(t, ev.Error, errParityEngine)
		ev = w.next(time.Second)
		require.Equal(t, EventConnectAbort, ev.Name)
		require.Equal(t, 4003, ev.Code)
		require.Equal(t, "Error: "+errParityEngine.Error(), ev.Reason)
	})
	t.Run("saveToken", func(t *testing.T) {
		e := &parityFailingEngine{MemoryAuthEngine: NewMemoryAuthEngine()}
		e.failSave.Store(true)
		s := parityOpen(t, srv.URL(), Options{AuthEngine: e})
		w := watch(t, s, EventAuthenticate, EventError)
		_, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "david"})
		require.NoError(t, err)
		require.Equal(t, EventAuthenticate, w.next(5*time.Second).Name)
		require.ErrorIs(t, w.next(time.Second).Error, errParityEngine)
		require.Equal(t, Authenticated, s.AuthState(), "auth state is unaffected")
	})
	t.Run("removeToken", func(t *testing.T) {
		e := &parityFailingEngine{MemoryAuthEngine: NewMemoryAuthEngine()}
		s := parityOpen(t, srv.URL(), Options{AuthEngine: e})
		w := watch(t, s, EventAuthenticate)
		_, err := s.Invoke(ctxT(t, 5*time.Second), "login", map[string]any{"username": "david"})
		require.NoError(t, err)
		w.waitFor(EventAuthenticate, 5*time.Second)
		e.failRemove.Store(true)
		w = watch(t, s, EventDeauthenticate, EventError, EventRemoveAuthToken)
		require.NoError(t, s.Deauthenticate(context.Background()))
		require.Equal(t, EventDeauthenticate, w.next(time.Second).Name)
		require.ErrorIs(t, w.next(time.Second).Error, errParityEngine)
		require.Zero(t, w.c.Backpressure(), "no removeAuthToken")
	})
}

var errParityEngine = errors.New("engine unavailable")

// parityFailingEngine is a memory engine whose calls fail on demand.
type parityFailingEngine struct {
	*MemoryAuthEngine
	failLoad, failSave, failRemove atomic.Bool
}

func (e *parityFailingEngine) LoadToken(ctx context.Context, name string) (string, error) {
	if e.failLoad.Load() {
		return "", errParityEngine
	}
	return e.MemoryAuthEngine.LoadToken(ctx, name)
}

func (e *parityFailingEngine) SaveToken(ctx context.Context, name, token string) error {
	if e.failSave.Load() {
		return errParityEngine
	}
	return e.MemoryAuthEngine.SaveToken(ctx, name, token)
}

func (e *parityFailingEngine) RemoveToken(ctx context.Context, name string) (string, error) {
	if e.failRemove.Load() {
		return "", errParityEngine
	}
	return e.MemoryAuthEngine.RemoveToken(ctx, name)
}

// decodeBase64 on invalid UTF-8: Node's decoder replaces each maximal
// invalid subsequence with its own U+FFFD ("\xfb\xff" gives two, the
// surrogate "\xed\xa0\x80" three), where strings.ToValidUTF8 collapses a
// whole run into one.
func TestParityDecodeBase64ReplacesInvalidBytesLikeNode(t *testing.T) {
	require.Equal(t, "\uFFFD\uFFFD", DecodeBase64("-_8="), "bytes fb ff")
	require.Equal(t, "\uFFFD\uFFFD\uFFFD", DecodeBase64("7aCA"), "bytes ed a0 80")
	require.Equal(t, "\uFFFDA", DecodeBase64("4pxB"), "bytes e2 9c 41: one truncated sequence")
}

// A codec that leaves the channel fields of #publish unset still delivers
// channel messages: the socket reads them with DecodeChannelData.
func TestCodecWithoutChannelFieldsDeliversPublish(t *testing.T) {
	srv := startServer(t, nil)
	cc := &parityPlainChannelCodec{}
	s := newSocket(t, srv.URL(), Options{Codec: cc, DisableAutoConnect: true})
	w := watch(t, s, EventSubscribe)
	ch := s.Subscribe("news")
	msgs := ch.CreateConsumer(0)
	require.NoError(t, s.Connect())
	w.waitFor(EventSubscribe, 5*time.Second)
	require.NoError(t, ch.InvokePublish(ctxT(t, 5*time.Second), "hello"))
	v, _, err := msgs.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.Equal(t, `"hello"`, v.String())
	require.Positive(t, cc.channelReads.Load())
}

// parityPlainChannelCodec is the JSON codec without the channel fields
// that DecodeFrame fills in one pass.
type parityPlainChannelCodec struct {
	codec.JSONCodec
	channelReads atomic.Int64
}

func (c *parityPlainChannelCodec) DecodeFrame(dst []codec.Packet, frame []byte) []codec.Packet {
	n := len(dst)
	dst = c.JSONCodec.DecodeFrame(dst, frame)
	for i := n; i < len(dst); i++ {
		dst[i].HasChannel, dst[i].Channel, dst[i].Value = false, "", nil
	}
	return dst
}

func (c *parityPlainChannelCodec) DecodeChannelData(data []byte, valueKey string) (string, []byte, bool) {
	c.channelReads.Add(1)
	return c.JSONCodec.DecodeChannelData(data, valueKey)
}
