package scclient

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/socketcluster-go/scclient/codec"
	"github.com/socketcluster-go/scclient/streams"
)

// Socket is a SocketCluster client socket, the Go form of the JavaScript
// AGClientSocket. It connects, reconnects, sends calls, and delivers
// everything it receives on streams consumed with range.
//
// Every method is safe for concurrent use. Streams never run user code:
// events are queued for their consumers, so a slow consumer cannot stall
// the connection (it only grows its own backlog).
type Socket struct {
	codec codec.Codec
	log   *slog.Logger

	// created holds the options resolved at creation, never changed: the
	// values captured then (ClientID, AckTimeout, ConnectTimeout,
	// ChannelPrefix, AuthTokenName, PingTimeoutDisabled), like the
	// JavaScript properties.
	created *Options
	auth    AuthEngine

	// The stream families, each made when its first stream is asked for.
	listeners        demuxSlot[string, Event]
	receivers        demuxSlot[string, Data]
	procedures       demuxSlot[string, *Request]
	channelOutputs   demuxSlot[string, Data]
	channelListeners demuxSlot[ChannelEventKey, Event]

	// wg counts the goroutines the socket started: one per connection (its
	// dial, then its read loop, also while parked in the idle set), and
	// one per close handshake being sent.
	wg sync.WaitGroup

	mu                      sync.Mutex
	userOpts                Options  // the options as given, for ConnectWith
	opts                    *Options // options of the next connection; replaced, never changed
	state                   State
	conn                    *conn
	id                      string
	pingTimeout             time.Duration
	lastCID                 int64
	pending                 map[int64]*call // sent calls awaiting a response; made on first use, dropped when empty on idle
	pendingPeak             int             // the most calls pending at once since pending was made
	inFlight                atomic.Int32    // len(pending), for readers that must not take mu
	queue                   []*call         // calls waiting for the connection to open
	connectAttempts         int
	backoff                 backoff.BackOff
	reconnectTimer          *time.Timer
	pendingReconnect        bool
	pendingReconnectTimeout time.Duration
	authState               AuthState
	signedAuthToken         string
	authToken               map[string]any
	channels                map[string]*channelEntry
	channelOrder            []*channelEntry
	preparingPending        bool
	isBatching              bool
	closedForGood           bool
}

// Create checks the options, fills in the defaults and returns a socket,
// which starts connecting at once unless DisableAutoConnect is set. Bad
// options give an *InvalidArgumentsError.
func Create(opts Options) (*Socket, error) {
	resolved, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	s := &Socket{
		codec:       resolved.Codec,
		log:         resolved.Logger,
		created:     &resolved,
		auth:        resolved.AuthEngine,
		userOpts:    opts,
		opts:        &resolved,
		pingTimeout: resolved.ConnectTimeout,
		channels:    map[string]*channelEntry{},
	}
	if s.log == nil {
		s.log = slog.New(discardHandler{})
	}
	s.backoff = resolved.ReconnectBackOff // the default one is made when first needed
	if !resolved.DisableAutoConnect {
		s.mu.Lock()
		s.connectLocked()
		s.mu.Unlock()
	}
	return s, nil
}

// demuxSlot holds the demux of one stream family, made when a stream of
// the family is first asked for: most sockets never listen to most
// families, and a nil demux drops what is written to it.
type demuxSlot[K comparable, T any] struct {
	p atomic.Pointer[streams.Demux[K, T]]
}

// get returns the family's demux, nil when none was made yet.
func (d *demuxSlot[K, T]) get() *streams.Demux[K, T] { return d.p.Load() }

// make returns the family's demux, making it on first use.
func (d *demuxSlot[K, T]) make(s *Socket, family string) *streams.Demux[K, T] {
	if dm := d.p.Load(); dm != nil {
		return dm
	}
	d.p.CompareAndSwap(nil, streams.NewDemux[K, T](s.streamConfig(family)))
	return d.p.Load()
}

// streamConfig configures one stream family: the TimeoutError of consumer
// timeouts, and the backlog bound whose overflows become SlowConsumerError
// events.
func (s *Socket) streamConfig(family string) streams.Config {
	cfg := streams.Config{
		NewTimeoutError: func() error { return newTimeoutError("Stream consumer iteration timed out") },
		MaxBacklog:      s.created.MaxBacklog,
		Overflow:        s.created.BacklogPolicy,
	}
	cfg.OnOverflow = func(o streams.Overflow) {
		if family == "listener" && o.Key == EventError {
			return // reporting it would feed the stream that overflows
		}
		s.emitError(newSlowConsumerError(family, o))
	}
	return cfg
}

// State returns the connection state.
func (s *Socket) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// ID returns the id the server gave this connection in the handshake, or
// "" when not open.
func (s *Socket) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// ClientID returns the stable id of this socket object (never sent).
func (s *Socket) ClientID() string { return s.created.ClientID }

// Version returns the JavaScript client version whose behaviour this
// package reproduces.
func (s *Socket) Version() string { return Version }

// ProtocolVersion returns the ping/pong protocol version in use.
func (s *Socket) ProtocolVersion() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.ProtocolVersion
}

// PendingReconnect reports whether an automatic reconnect is scheduled.
func (s *Socket) PendingReconnect() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingReconnect
}

// PendingReconnectTimeout returns the delay of the scheduled reconnect, and
// false when none is scheduled.
func (s *Socket) PendingReconnectTimeout() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingReconnectTimeout, s.pendingReconnect
}

// ConnectAttempts returns the number of reconnects scheduled since the last
// successful handshake.
func (s *Socket) ConnectAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connectAttempts
}

// ConnectTimeout returns the effective connect timeout.
func (s *Socket) ConnectTimeout() time.Duration { return s.created.ConnectTimeout }

// AckTimeout returns the effective default ack timeout.
func (s *Socket) AckTimeout() time.Duration { return s.created.AckTimeout }

// PingTimeout returns the connect timeout until a handshake response
// arrives, then the server's ping timeout.
func (s *Socket) PingTimeout() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pingTimeout
}

// PingTimeoutDisabled reports whether the ping timeout is turned off.
func (s *Socket) PingTimeoutDisabled() bool { return s.created.PingTimeoutDisabled }

// ChannelPrefix returns the channel name prefix ("" for none).
func (s *Socket) ChannelPrefix() string { return s.created.ChannelPrefix }

// AuthTokenName returns the key under which the token is stored.
func (s *Socket) AuthTokenName() string { return s.created.AuthTokenName }

// AuthEngine returns the auth engine in use.
func (s *Socket) AuthEngine() AuthEngine { return s.auth }

// Codec returns the codec in use.
func (s *Socket) Codec() codec.Codec { return s.codec }

// Options returns a copy of the effective options, defaults filled in.
func (s *Socket) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.opts
}

// URI returns the URL the next connection will use.
func (s *Socket) URI() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return buildURL(s.opts, time.Now())
}

// BytesReceived returns the number of bytes of WebSocket messages received
// on the current connection (0 when there is none).
func (s *Socket) BytesReceived() int64 {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return 0
	}
	return c.bytesReceived.Load()
}

// Connect opens a connection if the socket is closed; otherwise it does
// nothing. It returns ErrClosed after Close.
func (s *Socket) Connect() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closedForGood {
		return ErrClosed
	}
	s.connectLocked()
	return nil
}

// ConnectWith changes the options and connects with them: update edits a
// copy of the options as they were given to Create (or to the last
// ConnectWith), zero fields still meaning defaults, and the result is
// checked again. An open connection is closed first (code 1000). As in
// JavaScript, the new options affect the URL, the connect timeout, the
// handshake's ack timeout and the protocol version, not the values captured
// at creation (ClientID, AckTimeout, ConnectTimeout, ChannelPrefix,
// AuthTokenName, AuthEngine, Codec).
func (s *Socket) ConnectWith(update func(*Options)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closedForGood {
		return ErrClosed
	}
	next := s.userOpts
	update(&next)
	if next.ClientID == "" {
		next.ClientID = s.created.ClientID
	}
	if next.AuthTokenName == "" {
		next.AuthTokenName = s.created.AuthTokenName
	}
	if next.AuthEngine == nil {
		next.AuthEngine = s.auth
	}
	if next.Codec == nil {
		next.Codec = s.codec
	}
	resolved, err := resolveOptions(next)
	if err != nil {
		return err
	}
	if s.state != StateClosed {
		s.disconnectLocked(CloseNormal, "Socket was disconnected by the client to initiate a new connection", true)
	}
	s.userOpts = next
	s.opts = &resolved
	s.connectLocked()
	return nil
}

// Disconnect closes the connection with code (0 means 1000) and reason. A
// code other than 1000 and below 4500 schedules a reconnect, as in
// JavaScript. On a closed socket it cancels a scheduled reconnect. A code
// that cannot be sent in a close frame, or a reason longer than the 123
// bytes a close frame has room for, is an *InvalidArgumentsError.
func (s *Socket) Disconnect(code int, reason string) error {
	if code == 0 {
		code = CloseNormal
	}
	if !validCloseCode(code) {
		return newInvalidArgumentsError("The close code %d cannot be sent in a WebSocket close frame", code)
	}
	if len(reason) > maxCloseReason {
		return newInvalidArgumentsError("The close reason is %d bytes long; a WebSocket close frame holds at most %d", len(reason), maxCloseReason)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disconnectLocked(code, reason, reason != "")
	return nil
}

// maxCloseReason is the longest reason a close frame can carry: its
// payload holds at most 125 bytes, two of them the code (RFC 6455 §5.5).
const maxCloseReason = 123

// Reconnect disconnects with code and reason, then connects again at once.
func (s *Socket) Reconnect(code int, reason string) error {
	if err := s.Disconnect(code, reason); err != nil {
		return err
	}
	return s.Connect()
}

// Close ends the socket for good: it disconnects (code 1000), cancels any
// reconnect, closes every stream so that every range over them ends after
// the backlog, and waits for the socket's goroutines to finish. Calls made
// afterwards fail with ErrClosed. Close is idempotent.
func (s *Socket) Close() error {
	s.mu.Lock()
	if !s.closedForGood {
		s.closedForGood = true
		s.disconnectLocked(CloseNormal, "", false)
		s.cancelReconnectLocked()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.listeners.get().CloseAll()
	s.receivers.get().CloseAll()
	s.procedures.get().CloseAll()
	s.channelOutputs.get().CloseAll()
	s.channelListeners.get().CloseAll()
	return nil
}

// emit writes an event to the listener stream of its name. Streams never
// run user code, so it may be called with s.mu held.
func (s *Socket) emit(ev Event) {
	s.listeners.get().Write(ev.Name, ev)
}

// Emit writes an event to the listener streams, as the JavaScript emit
// does; the event's Name selects the stream.
func (s *Socket) Emit(ev Event) { s.emit(ev) }

func (s *Socket) emitError(err error) {
	s.emit(Event{Name: EventError, Error: err})
}

// connectLocked starts a connection if the socket is closed.
func (s *Socket) connectLocked() {
	if s.state != StateClosed || s.closedForGood {
		return
	}
	s.cancelReconnectLocked()
	s.state = StateConnecting
	s.pingTimeout = s.opts.ConnectTimeout
	s.emit(Event{Name: EventConnecting})
	c := newConn(s, s.opts)
	s.conn = c
	s.wg.Add(1)
	go c.run()
}

func (s *Socket) cancelReconnectLocked() {
	s.pendingReconnect = false
	s.pendingReconnectTimeout = 0
	if s.reconnectTimer != nil {
		s.reconnectTimer.Stop()
		s.reconnectTimer = nil
	}
}

// disconnectLocked is Disconnect with the lock held.
func (s *Socket) disconnectLocked(code int, reason string, hasReason bool) {
	if s.state == StateClosed {
		s.cancelReconnectLocked()
		return
	}
	c := s.conn
	s.destroyLocked(c, code, reason, hasReason)
	c.shutdown(code, reason)
}

// closeConn handles a connection that ended on its own (network, server,
// timers): it runs the close sequence if c is still current.
func (s *Socket) closeConn(c *conn, code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != c {
		return
	}
	s.destroyLocked(c, code, closeReason(code, reason), true)
}

// destroyLocked runs the close sequence of PARITY §6.3 for the current
// connection c: fail every call, suspend subscriptions, emit
// connectAbort/disconnect, close and error, then schedule a reconnect.
func (s *Socket) destroyLocked(c *conn, code int, reason string, hasReason bool) {
	if s.conn != c || c == nil {
		return
	}
	wasOpen := s.state == StateOpen
	s.state = StateClosed
	s.conn = nil
	s.id = ""
	c.stopTimers()
	s.cancelReconnectLocked()
	s.stopBatchingTimerLocked(c)
	c.cancelBatch()

	typ := "connectAbort"
	if wasOpen {
		typ = "disconnect"
	}
	s.failCallsLocked(typ, code, reason)
	s.suspendSubscriptionsLocked()

	if wasOpen {
		s.emit(Event{Name: EventDisconnect, Code: code, Reason: reason})
	} else {
		s.emit(Event{Name: EventConnectAbort, Code: code, Reason: reason})
	}
	s.emit(Event{Name: EventClose, Code: code, Reason: reason})
	if _, normal := IgnoreStatuses[code]; !normal {
		spe := newSocketProtocolError(code, reason, hasReason)
		spe.cause = c.failure()
		s.emitError(spe)
	}
	s.tryReconnectLocked(code)
}

// tryReconnectLocked schedules a reconnect for a close with code.
func (s *Socket) tryReconnectLocked(code int) {
	if s.opts.DisableAutoReconnect || s.closedForGood {
		return
	}
	reconnect, immediate := reconnectPolicy(code)
	if !reconnect {
		return
	}
	exponent := s.connectAttempts
	s.connectAttempts++
	if s.backoff == nil {
		s.backoff = NewJSBackOff(s.created.AutoReconnectOptions)
	}
	delay := s.backoff.NextBackOff()
	if delay == backoff.Stop {
		return
	}
	if immediate && exponent == 0 {
		delay = 0
	}
	s.pendingReconnect = true
	s.pendingReconnectTimeout = delay
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.reconnectTimer != t {
			return
		}
		s.reconnectTimer = nil
		s.connectLocked()
	})
	s.reconnectTimer = t
}

// discardHandler is a slog.Handler that drops everything.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
