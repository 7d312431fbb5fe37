package scclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/codec"
)

// writeWait bounds every write; a peer that does not take our bytes for
// this long is treated as gone.
const writeWait = 10 * time.Second

// closeGrace is how long a closing connection waits for the server's close
// frame before dropping the TCP connection.
const closeGrace = time.Second

// writeBufferPool lends the WebSocket writer its buffer only while a frame
// is being written, so idle connections hold none.
var writeBufferPool = &sync.Pool{}

// conn is one WebSocket connection of a Socket: dialing, the handshake, the
// read loop, pings and writes. A Socket has at most one current conn; a
// conn that is no longer current ignores everything it sees and ends.
type conn struct {
	s      *Socket
	opts   Options
	url    string
	ctx    context.Context
	cancel context.CancelFunc

	ws            *websocket.Conn // set under s.mu once dialed
	connectTimer  *time.Timer
	pingTimer     *time.Timer
	batchTimer    *time.Timer // the batching interval, under s.mu
	pingTimeout   atomic.Int64
	lastPing      atomic.Int64 // unix nanoseconds
	bytesReceived atomic.Int64
	closing       atomic.Bool
	err           error // why the dial or read failed, under s.mu

	ping, pong []byte

	dmu     sync.Mutex
	dialing []net.Conn // raw connections of the dial in progress

	wmu        sync.Mutex
	collecting bool
	batch      []codec.Packet

	pkts []codec.Packet // reader-only
}

func newConn(s *Socket, opts Options) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{s: s, opts: opts, url: buildURL(&opts, time.Now()), ctx: ctx, cancel: cancel}
	if opts.ProtocolVersion == 1 {
		c.ping, c.pong = []byte("#1"), []byte("#2")
	} else {
		c.ping, c.pong = []byte{}, []byte{}
	}
	c.pingTimeout.Store(int64(opts.ConnectTimeout))
	c.lastPing.Store(time.Now().UnixNano())
	c.connectTimer = time.AfterFunc(opts.ConnectTimeout, c.onConnectTimeout)
	return c
}

func (c *conn) dialer() *websocket.Dialer {
	var d websocket.Dialer
	if c.opts.Dialer != nil {
		d = *c.opts.Dialer
	} else {
		d = websocket.Dialer{Proxy: http.ProxyFromEnvironment, EnableCompression: true, WriteBufferPool: writeBufferPool}
	}
	if c.opts.TLSConfig != nil {
		d.TLSClientConfig = c.opts.TLSConfig
	}
	// The connect timer (close 4007) bounds the dial through c.ctx; a
	// dialer timeout of the same length would race it and report 1006.
	base := d.NetDialContext
	switch {
	case c.opts.SocketPath != "":
		path := c.opts.SocketPath
		base = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var nd net.Dialer
			return nd.DialContext(ctx, "unix", path)
		}
	case base == nil && d.NetDial != nil:
		netDial := d.NetDial
		base = func(_ context.Context, network, addr string) (net.Conn, error) { return netDial(network, addr) }
	case base == nil:
		var nd net.Dialer
		base = nd.DialContext
	}
	// The dialer honours only a context deadline during the HTTP upgrade,
	// not cancellation: remember the raw connection so that shutdown can
	// close it while the dial is still running.
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := base(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.dmu.Lock()
		defer c.dmu.Unlock()
		if c.closing.Load() {
			nc.Close()
			return nil, context.Canceled
		}
		c.dialing = append(c.dialing, nc)
		return nc, nil
	}
	return &d
}

// endDial forgets the raw connections of a finished dial.
func (c *conn) endDial() {
	c.dmu.Lock()
	c.dialing = nil
	c.dmu.Unlock()
}

// abortDial closes the raw connections of a dial still running.
func (c *conn) abortDial() {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	for _, nc := range c.dialing {
		nc.Close()
	}
	c.dialing = nil
}

// dialURL is the URL handed to the dialer: for a Unix socket the host part
// only names the HTTP Host header.
func (c *conn) dialURL() string {
	if c.opts.SocketPath == "" {
		return c.url
	}
	o := c.opts
	o.SocketPath = ""
	o.ProtocolScheme = ""
	o.Host = "localhost"
	return buildURL(&o, time.Now())
}

// run dials, performs the handshake and then reads until the connection
// ends. It is the connection's only goroutine.
func (c *conn) run() {
	s := c.s
	defer s.wg.Done()
	ws, _, err := c.dialer().DialContext(c.ctx, c.dialURL(), c.opts.Header)
	c.endDial()
	s.mu.Lock()
	if s.conn != c {
		s.mu.Unlock()
		if ws != nil {
			ws.Close()
		}
		return
	}
	if err != nil {
		c.err = err
		s.log.Debug("scclient: dial failed", "url", c.url, "error", err)
		s.destroyLocked(c, CloseAbnormal, closeReason(CloseAbnormal, ""), true)
		s.mu.Unlock()
		return
	}
	c.ws = ws
	c.connectTimer.Stop()
	ws.SetReadLimit(c.opts.ReadLimit)
	c.resetPingTimer()
	s.mu.Unlock()

	token, err := s.auth.LoadToken(c.ctx, s.authTokenName)
	s.mu.Lock()
	if s.conn == c {
		if err != nil {
			s.emitError(err)
			s.failHandshakeLocked(c, CloseHandshakeFailed, "Error: "+err.Error())
		} else {
			s.sendHandshakeLocked(c, token)
		}
	}
	s.mu.Unlock()
	c.readLoop()
}

// readLoop reads frames until the connection fails or is shut down.
func (c *conn) readLoop() {
	s := c.s
	ws := c.ws
	defer ws.Close()
	for {
		mt, frame, err := c.readFrame()
		if c.closing.Load() {
			if err != nil {
				return
			}
			continue // shutting down: drain until the peer's close frame
		}
		if err != nil {
			code, reason := closeCodeOf(err)
			s.mu.Lock()
			if s.conn == c {
				c.err = err
			}
			s.mu.Unlock()
			if code == CloseMessageTooBig {
				_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(closeGrace))
			}
			s.closeConn(c, code, reason)
			return
		}
		s.handleFrame(c, mt, frame)
	}
}

// scratchPool holds the buffers frames are read into and packets are
// encoded into, shared by every connection so that an idle socket keeps none.
var scratchPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// maxPooledScratch is the largest buffer put back into scratchPool.
const maxPooledScratch = 64 << 10

func getScratch() *[]byte { return scratchPool.Get().(*[]byte) }

func putScratch(bp *[]byte, buf []byte) {
	if cap(buf) <= maxPooledScratch {
		*bp = buf[:0]
		scratchPool.Put(bp)
	}
}

// readFrame reads one whole message into a pooled buffer, then copies it
// into a slice of its exact size: one allocation per frame, which payloads
// handed to consumers may alias safely.
func (c *conn) readFrame() (int, []byte, error) {
	mt, r, err := c.ws.NextReader()
	if err != nil {
		return 0, nil, err
	}
	bp := getScratch()
	buf := (*bp)[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			putScratch(bp, buf)
			return 0, nil, err
		}
	}
	c.bytesReceived.Add(int64(len(buf)))
	frame := make([]byte, len(buf))
	copy(frame, buf)
	putScratch(bp, buf)
	return mt, frame, nil
}

// closeCodeOf maps a read error to the close code and reason to report.
func closeCodeOf(err error) (int, string) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Code == CloseAbnormal {
			return CloseAbnormal, "" // synthesised locally; its text is not the peer's
		}
		return ce.Code, ce.Text
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return CloseMessageTooBig, ""
	}
	return CloseAbnormal, ""
}

// isPing reports whether a text frame is the server's ping.
func (c *conn) isPing(frame []byte) bool {
	return bytes.Equal(frame, c.ping)
}

func (c *conn) onPing() {
	c.lastPing.Store(time.Now().UnixNano())
	c.resetPingTimer()
	_ = c.writeFrame(websocket.TextMessage, c.pong)
}

// resetPingTimer (re)arms the ping timeout (close 4000).
func (c *conn) resetPingTimer() {
	c.lastPing.Store(time.Now().UnixNano())
	if c.opts.PingTimeoutDisabled {
		return
	}
	d := time.Duration(c.pingTimeout.Load())
	if c.pingTimer == nil {
		c.pingTimer = time.AfterFunc(d, c.onPingTimeout)
		return
	}
	c.pingTimer.Reset(d)
}

// isStale reports whether no ping arrived within the ping timeout, which
// catches timers that did not fire while the machine slept.
func (c *conn) isStale() bool {
	if c.opts.PingTimeoutDisabled {
		return false
	}
	return time.Since(time.Unix(0, c.lastPing.Load())) >= time.Duration(c.pingTimeout.Load())
}

func (c *conn) onPingTimeout() {
	c.s.localClose(c, CloseServerPingTimeout)
}

func (c *conn) onConnectTimeout() {
	c.s.localClose(c, CloseConnectTimeout)
}

// localClose closes c from one of its timers with code and the table text.
func (s *Socket) localClose(c *conn, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != c {
		return
	}
	s.destroyLocked(c, code, closeReason(code, ""), true)
	c.shutdown(code, "")
}

// stopTimers stops the connection's own timers.
func (c *conn) stopTimers() {
	c.connectTimer.Stop()
	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
}

// shutdown ends the connection from our side: an unfinished dial is
// cancelled; an open WebSocket gets a close frame and the read loop drains
// until the server's close frame or closeGrace.
func (c *conn) shutdown(code int, reason string) {
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	c.cancel()
	c.abortDial()
	ws := c.ws
	if ws == nil {
		return
	}
	c.s.wg.Add(1)
	go func() {
		defer c.s.wg.Done()
		deadline := time.Now().Add(closeGrace)
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
		_ = ws.NetConn().SetReadDeadline(deadline)
	}()
}

// failure returns why the connection failed, when it is known.
func (c *conn) failure() error { return c.err }

// writePacket encodes and sends one packet, or adds it to the batch being
// collected.
func (c *conn) writePacket(p *codec.Packet) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.collecting {
		c.batch = append(c.batch, *p)
		return nil
	}
	bp := getScratch()
	buf, err := c.s.codec.EncodePacket((*bp)[:0], p)
	if err == nil {
		err = c.writeFrameLocked(websocket.TextMessage, buf)
	}
	putScratch(bp, buf)
	return err
}

// writeFrame sends one frame as it is, bypassing batching.
func (c *conn) writeFrame(mt int, b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeFrameLocked(mt, b)
}

func (c *conn) writeFrameLocked(mt int, b []byte) error {
	if c.closing.Load() {
		return ErrNotOpen
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteMessage(mt, b); err != nil {
		// The read loop notices the broken connection and runs the close
		// sequence, which settles every pending call; callers only need to
		// know the frame did not go out.
		_ = c.ws.NetConn().Close()
		return ErrNotOpen
	}
	return nil
}

// startBatch starts collecting outbound packets, discarding any not yet
// flushed.
func (c *conn) startBatch() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.collecting = true
	c.batch = c.batch[:0]
}

// flushBatch stops collecting and sends what was collected as one frame.
func (c *conn) flushBatch() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.collecting = false
	if len(c.batch) == 0 {
		return nil
	}
	bp := getScratch()
	buf, err := c.s.codec.EncodeBatch((*bp)[:0], c.batch)
	clear(c.batch)
	c.batch = c.batch[:0]
	if err == nil {
		err = c.writeFrameLocked(websocket.TextMessage, buf)
	}
	putScratch(bp, buf)
	return err
}

// cancelBatch stops collecting and discards what was collected.
func (c *conn) cancelBatch() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.collecting = false
	clear(c.batch)
	c.batch = c.batch[:0]
}

// isCollecting reports whether a batch is being collected.
func (c *conn) isCollecting() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.collecting
}
