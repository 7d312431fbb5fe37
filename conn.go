package scclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/codec"
)

// writeWait bounds every write; a peer that does not take our bytes for
// this long is treated as gone.
const writeWait = 10 * time.Second

// controlWait bounds the pong and close replies the read loop sends, so a
// stalled link holds up reading for at most this long.
const controlWait = time.Second

// closeGrace is how long a closing connection waits for the server's close
// frame before dropping the TCP connection.
const closeGrace = time.Second

// upgradeReadBufferSize sizes the buffer the dialer reads the HTTP upgrade
// response through; the connection keeps it but reads nothing else with it.
const upgradeReadBufferSize = 512

// noKeepAliveDialer dials TCP without keep-alive probes, as Node's sockets
// do. The default dialer uses it while the SocketCluster ping is on, since
// the ping already finds dead links (close 4000); leaving the option off
// saves four setsockopt calls per dial.
var noKeepAliveDialer = &net.Dialer{KeepAlive: -1}

// writeBufferPool is given to the dialer so that gorilla/websocket does not
// allocate a write buffer for each connection: the conn frames its writes
// itself and never writes through the library.
var writeBufferPool = &sync.Pool{}

// conn is one WebSocket connection of a Socket: dialing, the handshake, the
// read loop, pings and writes. A Socket has at most one current conn; a
// conn that is no longer current ignores everything it sees and ends.
type conn struct {
	s      *Socket
	opts   *Options           // shared with the Socket; never changed
	url    string             // until the WebSocket is open
	ctx    context.Context    // the dial's; nil once open (under s.mu)
	cancel context.CancelFunc // cancels ctx; nil once open (under s.mu)

	nc            net.Conn    // the open WebSocket's connection (after TLS, if any); set under s.mu
	deflate       bool        // permessage-deflate was negotiated; set with nc
	connectTimer  *time.Timer // until the WebSocket is open (under s.mu)
	pingTimer     *time.Timer
	batchTimer    *time.Timer // the batching interval, under s.mu
	pingTimeout   atomic.Int64
	lastPing      atomic.Int64 // unix nanoseconds
	bytesReceived atomic.Int64
	closing       atomic.Bool
	err           error // why the dial or read failed, under s.mu

	dmu     sync.Mutex
	dialing []net.Conn // raw connections of the dial in progress

	cork *corkConn // the dialed connection, under TLS if any

	// Writes use group commit: a writer queues its frame under qmu, then
	// whoever gets wmu frames every queued one into one buffer and sends it
	// in one write.
	// A goroutine that finds another one writing returns at once, so a
	// write stuck on a stalled link blocks nobody else, and the batch state
	// never waits for the network.
	qmu        sync.Mutex
	queue      []outFrame
	collecting bool // a batch is being collected (under qmu)
	batch      []codec.Packet
	wmu        sync.Mutex
	sending    []outFrame  // the writer's snapshot, under wmu
	closeSent  atomic.Bool // a close frame was taken by the writer: nothing follows it (set under wmu)

	rd   *wsReader      // reader-only
	pkts []codec.Packet // reader-only

	// Idle parking (Linux, plain TCP or Unix connections): after
	// idleParkAfter without a byte from the server, the read loop ends its
	// goroutine and the connection waits in the idle set until its
	// descriptor is readable. Whoever clears parked runs the read loop.
	parked     atomic.Bool
	idleTok    int32                     // c's token in idleSet; read loop only
	graceUntil atomic.Pointer[time.Time] // when a closing connection stops waiting for the close frame
	idleSet    *idleSet                  // the set c is registered in; read loop only
	idleMark   uint64                    // rd.reads when the idle deadline was set; read loop only
	noPark     bool                      // parking failed once; read loop only
	idleEntry  bool                      // the descriptor may have an entry in idleSet (a hint); read loop only

	coalesce atomic.Pointer[readCoalescer] // waiting for several answers at once (coalesce.go); set by the reader

	parkSoon      bool          // the last response a caller waited for came in; read loop only
	callerReading bool          // a caller of Invoke runs the read loop (readFor); read loop only
	coalescing    bool          // reads may be coalesced; set before the read loop starts
	callerTurns   atomic.Uint32 // how many times a caller ran the read loop
}

// idleParkAfter is how long a read loop waits without receiving anything
// before it parks its connection in the idle set.
var idleParkAfter = 100 * time.Millisecond

func newConn(s *Socket, opts *Options) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{s: s, opts: opts, url: buildURL(opts, time.Now()), ctx: ctx, cancel: cancel}
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
	if d.ReadBufferSize == 0 {
		// Only the upgrade response is read through the dialer's buffer;
		// frames have their own reader.
		d.ReadBufferSize = upgradeReadBufferSize
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
	case base == nil && c.opts.Dialer == nil && !c.opts.PingTimeoutDisabled:
		base = noKeepAliveDialer.DialContext
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
		c.cork = newCorkConn(nc)
		return c.cork, nil
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

// redactQuery drops the query of a URL for logs: applications sometimes
// put credentials there.
func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// dialURL is the URL handed to the dialer: for a Unix socket the host part
// only names the HTTP Host header.
func (c *conn) dialURL() string {
	if c.opts.SocketPath == "" {
		return c.url
	}
	o := *c.opts
	o.SocketPath = ""
	o.ProtocolScheme = ""
	o.Host = "localhost"
	return buildURL(&o, time.Now())
}

// run dials, performs the handshake and then hands reading over to
// readLoop. At any time a connection runs one goroutine: this one, then the
// read loop.
func (c *conn) run() {
	s := c.s
	defer s.wg.Done()
	ws, resp, err := c.dialer().DialContext(c.ctx, c.dialURL(), c.opts.Header)
	c.endDial()
	if err == nil {
		err = c.startReader(ws, resp)
		if err != nil {
			ws.Close()
			ws = nil
		}
	}
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
		s.log.Debug("scclient: dial failed", "url", redactQuery(c.url), "error", err)
		s.destroyLocked(c, CloseAbnormal, closeReason(CloseAbnormal, ""), true)
		s.mu.Unlock()
		return
	}
	c.nc = ws.NetConn() // frames are written by the conn itself: ws is dropped
	c.connectTimer.Stop()
	c.connectTimer = nil // an open connection keeps no dial state
	c.url = ""
	c.resetPingTimer()
	s.mu.Unlock()

	token, err := s.auth.LoadToken(c.ctx, s.created.AuthTokenName)
	// Nothing waits on the context any more. Cancelling it now also drops
	// the map of child contexts the dial left behind (empty, but a map
	// keeps its memory), instead of keeping it for the connection's life.
	c.cancel()
	s.mu.Lock()
	c.ctx, c.cancel = nil, nil
	if s.conn == c {
		if err != nil {
			s.emitError(err)
			s.failHandshakeLocked(c, CloseHandshakeFailed, "Error: "+err.Error())
		} else {
			s.sendHandshakeLocked(c, token)
		}
	}
	s.mu.Unlock()
	// Reading goes on in a fresh goroutine: the stack the dial grew ends
	// with this one, so an idle socket keeps only a minimal one.
	s.wg.Add(1)
	go c.readLoop()
}

// readLoop reads frames until the connection fails or is shut down. When
// it has used up what was read and its stack has grown meanwhile, it goes
// on in a fresh goroutine; when the connection is idle, it parks it in the
// idle set and ends. Either way the socket's count of goroutines (wg)
// passes on with the read loop.
func (c *conn) readLoop() {
	if c.rd.onDeadline != nil {
		c.setIdleDeadline() // a new start, or back from the idle set
	}
	c.readOn()
}

// readOn runs the read loop in the current goroutine.
func (c *conn) readOn() {
	if !c.readFrames() {
		c.endReadLoop()
	}
}

// endReadLoop ends the connection's read loop for good: the connection
// leaves the idle set and the socket's count of goroutines drops.
func (c *conn) endReadLoop() {
	c.leaveIdle()
	c.s.wg.Done()
}

// readFrames is the read loop's body; true when it handed the read loop
// over (to a fresh goroutine or to the idle set), false when it ended.
func (c *conn) readFrames() (handedOver bool) {
	s := c.s
	// The runtime grows a stack by moving it, so the address of a local
	// variable changes exactly when the stack was grown (or shrunk).
	var mark byte
	stackAt := uintptr(unsafe.Pointer(&mark))
	for {
		mt, frame, err := c.readFrame()
		if err == errIdle {
			if c.park(true) {
				return true
			}
			continue
		}
		if err != nil {
			c.readFailed(err)
			return false
		}
		if c.closing.Load() {
			continue // shutting down: drain until the peer's close frame
		}
		s.handleFrame(c, mt, frame)
		if c.parkSoon {
			// A caller got the last response it waited for: park now,
			// so that its next call finds the connection parked and
			// reads the response itself (see readFor).
			c.parkSoon = false
			if c.canPark() && c.rd.drained() && c.park(false) {
				return true
			}
		}
		if c.rd.drained() && uintptr(unsafe.Pointer(&mark)) != stackAt {
			go c.readOn()
			return true
		}
	}
}

// readFailed ends reading on err: a closing connection is closed, any
// other gets the close code err calls for (and a close frame when the
// server broke the protocol or the size limit).
func (c *conn) readFailed(err error) {
	s := c.s
	if c.closing.Load() {
		c.nc.Close()
		return
	}
	code, reason := closeCodeOf(err)
	s.mu.Lock()
	if s.conn == c {
		c.err = err
	}
	s.mu.Unlock()
	switch {
	case code == CloseMessageTooBig:
		c.writeClose(websocket.FormatCloseMessage(code, ""), time.Now().Add(closeGrace))
	case errors.Is(err, errProtocol):
		c.writeClose(websocket.FormatCloseMessage(websocket.CloseProtocolError, ""), time.Now().Add(closeGrace))
	}
	s.closeConn(c, code, reason)
	c.nc.Close()
}

// errIdle ends a read at a message boundary when nothing arrived for
// idleParkAfter: the read loop parks the connection.
var errIdle = errors.New("scclient: connection idle")

// setIdleDeadline sets the read deadline the read loop parks after, or,
// once the connection is closing, the end of its close handshake.
func (c *conn) setIdleDeadline() {
	c.idleMark = c.rd.reads
	nc := c.nc
	if !c.closing.Load() {
		var d time.Time // none once parking failed
		if !c.noPark {
			d = time.Now().Add(idleParkAfter)
		}
		_ = nc.SetReadDeadline(d)
		if !c.closing.Load() {
			return
		}
	}
	// shutdown may have set its deadline just before ours: restore it.
	_ = nc.SetReadDeadline(c.graceDeadline())
}

// graceDeadline is when a closing connection stops waiting for the
// server's close frame.
func (c *conn) graceDeadline() time.Time {
	if g := c.graceUntil.Load(); g != nil {
		return *g
	}
	return time.Now().Add(closeGrace)
}

// onReadDeadline decides what a read that hit its deadline does: nil to
// wait on (there was traffic since the deadline was set, the read is
// inside a message, or the close handshake has time left), errIdle to
// park, os.ErrDeadlineExceeded to fail (a closing connection's grace is
// over).
func (c *conn) onReadDeadline(boundary bool) error {
	switch {
	case c.callerReading:
		return errHandBack
	case c.closing.Load():
		if !time.Now().Before(c.graceDeadline()) {
			return os.ErrDeadlineExceeded
		}
	case boundary && !c.noPark && c.rd.reads == c.idleMark:
		return errIdle
	}
	c.setIdleDeadline() // the grace deadline, once closing
	return nil
}

// canPark reports whether the read loop may park the connection: reads
// that wait without a buffer and no earlier failure to park.
func (c *conn) canPark() bool { return c.rd.onDeadline != nil && !c.noPark }

// park hands a connection with nothing half read to the idle set and
// reports whether it did, in which case the read loop's goroutine must end
// at once: the connection may already be running in another one. An idle
// connection also lets go of memory it does not need while idle
// (dropMemory); one parked between calls keeps what a call or two need
// for the next one, but not what a burst of calls made grow.
func (c *conn) park(dropMemory bool) bool {
	if !c.joinIdle() {
		c.noPark = true
		return false
	}
	set, tok := c.idleSet, c.idleTok
	if dropMemory {
		c.dropIdleMemory(0)
	} else {
		c.dropIdleMemory(keptBetweenCalls)
	}
	hasEntry := c.idleEntry
	c.idleEntry = true
	c.parked.Store(true)
	// From here on another goroutine may be running the read loop: only
	// set, tok, hasEntry and the atomics may be used until the
	// CompareAndSwap below wins.
	err := c.armIdle(set, tok, hasEntry)
	if err == nil && !c.closing.Load() && !idleSetFailed(set) {
		return true
	}
	// A shutdown came in meanwhile, or the set cannot take c: go on
	// reading here unless someone took the read loop already.
	if !c.parked.CompareAndSwap(true, false) {
		return true
	}
	if err != nil {
		c.noPark = true
	} else {
		c.disarmIdle()
	}
	return false
}

// keptBetweenCalls is how many entries the decoded packets, the write
// queues and the table of pending calls of a connection parked between
// calls may have room for and still be kept: a socket calling once in a
// while reuses them, while one left idle after a burst of calls does not
// hold what the burst made them grow to until its next frame, which may
// never come when the server does not ping.
const keptBetweenCalls = 8

// dropIdleMemory lets go of what an idle connection does not need until
// its next frame: the read buffer and the read coalescing state, and the
// decoded packets, the empty write queues and an empty table of pending
// calls (Go maps keep their memory when emptied) that have room for more
// than keep entries. The writer's own slice stays: taking the writer's
// lock here would leave frames queued meanwhile unsent.
func (c *conn) dropIdleMemory(keep int) {
	c.rd.release()
	c.dropCoalescing()
	if cap(c.pkts) > keep {
		c.pkts = nil
	}
	c.qmu.Lock()
	if len(c.queue) == 0 && cap(c.queue) > keep {
		c.queue = nil
	}
	if len(c.batch) == 0 && cap(c.batch) > keep {
		c.batch = nil
	}
	c.qmu.Unlock()
	c.s.mu.Lock()
	if len(c.s.pending) == 0 && c.s.pendingPeak > keep {
		c.s.pending, c.s.pendingPeak = nil, 0
	}
	c.s.mu.Unlock()
}

// resumeReader gives a parked connection whose descriptor became readable
// its read loop back.
func (c *conn) resumeReader() {
	if c.parked.CompareAndSwap(true, false) {
		go c.readLoop()
	}
}

// unpark takes a parked connection out of the idle set and gives it its
// read loop back, for events the descriptor does not report: a shutdown
// (the close handshake has a deadline) and a connection closed on a failed
// write.
func (c *conn) unpark() {
	if c.parked.CompareAndSwap(true, false) {
		c.disarmIdle()
		go c.readLoop()
	}
}

// scratchPool holds the buffers packets are encoded into, shared by every
// connection so that an idle socket keeps none.
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

// startReader sets up reading of a freshly dialed connection: frames are
// read from the network connection under ws, starting with any bytes the
// dialer read past the upgrade response.
func (c *conn) startReader(ws *websocket.Conn, resp *http.Response) error {
	pending, err := takeUpgradeBuffer(ws)
	if err != nil {
		return err
	}
	nc := ws.NetConn()
	var raw syscall.RawConn
	if c.cork != nil {
		// The upgrade is done: from now on writes go out as they come.
		if err := c.cork.endOpening(); err != nil {
			return err
		}
		if nc == net.Conn(c.cork) {
			raw = c.cork.raw
		}
	}
	c.deflate = negotiatedDeflate(resp)
	c.rd = newWSReader(nc, raw, pending, c.opts.ReadLimit, c.deflate, c.onControl)
	if idleParking && raw != nil {
		c.rd.onDeadline = c.onReadDeadline
	}
	if raw != nil && isTCP(c.cork.Conn) && rcvLowatWakes && c.opts.ReadCoalesceDelay > 0 {
		c.rd.beforeWait = c.beforeWait
		c.coalescing = true
	}
	return nil
}

// negotiatedDeflate reports whether the upgrade response accepted
// permessage-deflate.
func negotiatedDeflate(resp *http.Response) bool {
	if resp == nil {
		return false
	}
	for _, v := range resp.Header.Values("Sec-Websocket-Extensions") {
		if strings.Contains(strings.ToLower(v), "permessage-deflate") {
			return true
		}
	}
	return false
}

// onControl answers the server's control frames: a ping with a pong, a
// close frame with the close handshake, ending the read with its code.
func (c *conn) onControl(op int, payload []byte) error {
	switch op {
	case opPing:
		_ = c.writeFrame(opPong, payload, time.Now().Add(controlWait))
	case opClose:
		code, reason, err := parseClose(payload)
		if err != nil {
			return err
		}
		c.writeClose(websocket.FormatCloseMessage(code, ""), time.Now().Add(controlWait))
		return &websocket.CloseError{Code: code, Text: reason}
	}
	return nil
}

// readFrame reads one whole message into a slice of its exact size, which
// payloads handed to consumers may alias safely.
func (c *conn) readFrame() (int, []byte, error) {
	mt, frame, err := c.rd.next()
	if err != nil {
		return 0, nil, err
	}
	c.bytesReceived.Add(int64(len(frame)))
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

// isPing reports whether a text frame is the server's ping: "#1" in
// protocol version 1, an empty message in version 2.
func (c *conn) isPing(frame []byte) bool {
	if c.opts.ProtocolVersion == 1 {
		return string(frame) == "#1"
	}
	return len(frame) == 0
}

// pongV1 answers a protocol version 1 ping; version 2 answers with an empty
// message.
var pongV1 = []byte("#2")

func (c *conn) onPing() {
	c.lastPing.Store(time.Now().UnixNano())
	c.resetPingTimer()
	var pong []byte
	if c.opts.ProtocolVersion == 1 {
		pong = pongV1
	}
	_ = c.writeFrame(opText, pong, time.Time{})
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
	if c.connectTimer != nil {
		c.connectTimer.Stop()
	}
	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
	c.stopCoalescing()
}

// shutdown ends the connection from our side: an unfinished dial is
// cancelled; an open WebSocket gets a close frame and the read loop drains
// until the server's close frame or closeGrace.
func (c *conn) shutdown(code int, reason string) {
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	if c.cancel != nil {
		c.cancel()
	}
	c.abortDial()
	nc := c.nc
	if nc == nil {
		return
	}
	deadline := time.Now().Add(closeGrace)
	c.graceUntil.Store(&deadline)
	// The close frame may wait for the network (up to the deadline): not
	// under the socket's lock.
	c.s.wg.Add(1)
	go func() {
		defer c.s.wg.Done()
		c.writeClose(websocket.FormatCloseMessage(code, reason), deadline)
		_ = nc.SetReadDeadline(deadline)
	}()
	c.unpark()
}

// failure returns why the connection failed, when it is known.
func (c *conn) failure() error { return c.err }

// outFrame is one frame waiting to be written: its opcode and payload (in
// a buffer from scratchPool, through bp), and for control frames how long
// it may wait for the network (zero: writeWait).
type outFrame struct {
	op       int
	bp       *[]byte
	buf      []byte
	deadline time.Time
}

// writePacket encodes and sends one packet, or adds it to the batch being
// collected. It returns only encoding errors and ErrNotOpen; a connection
// that fails while writing is closed by the read loop.
func (c *conn) writePacket(p *codec.Packet) error {
	c.qmu.Lock()
	if c.collecting {
		c.batch = append(c.batch, *p)
		c.qmu.Unlock()
		return nil
	}
	bp := getScratch()
	var (
		buf []byte
		err error
	)
	if jc, ok := c.s.codec.(codec.JSONCodec); ok {
		buf, err = jc.EncodePacket((*bp)[:0], p)
	} else {
		// Through the interface the packet escapes: hand over a copy,
		// so that the callers' packets can stay on their stacks.
		pc := *p
		buf, err = c.s.codec.EncodePacket((*bp)[:0], &pc)
	}
	return c.sendEncodedLocked(bp, buf, err)
}

// sendEncodedLocked queues a text frame encoded into bp and writes the
// queue; after an encoding error it drops the frame and returns the error.
// It is called with qmu held and releases it.
func (c *conn) sendEncodedLocked(bp *[]byte, buf []byte, err error) error {
	if err != nil {
		c.qmu.Unlock()
		putScratch(bp, buf)
		return err
	}
	return c.queueLocked(outFrame{op: opText, bp: bp, buf: buf})
}

// queueLocked adds f to the write queue and writes the queue. It is
// called with qmu held and releases it.
func (c *conn) queueLocked(f outFrame) error {
	c.queue = append(c.queue, f)
	c.qmu.Unlock()
	return c.drain()
}

// errControlTooLong refuses a control frame payload above 125 bytes
// (RFC 6455 §5.5).
var errControlTooLong = errors.New("scclient: control frame payload longer than 125 bytes")

// writeFrame sends a frame with payload as it is, bypassing batching; a
// control frame waits for the network at most until deadline. After a
// close frame nothing more is sent.
func (c *conn) writeFrame(op int, payload []byte, deadline time.Time) error {
	if op >= opClose && len(payload) > 125 {
		return errControlTooLong
	}
	bp := getScratch()
	buf := append((*bp)[:0], payload...)
	c.qmu.Lock()
	return c.queueLocked(outFrame{op: op, bp: bp, buf: buf, deadline: deadline})
}

// writeClose sends a close frame and waits, at most until deadline, for
// the writer to take it: the connection is often closed right after, which
// must not drop the frame behind a write in progress.
func (c *conn) writeClose(payload []byte, deadline time.Time) {
	if c.writeFrame(opClose, payload, deadline) == errControlTooLong {
		return
	}
	for !c.closeSent.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

// drain writes the queued frames unless another goroutine is already doing
// so, in which case that goroutine picks them up: it looks at the queue
// again after giving up the writer role.
func (c *conn) drain() error {
	for {
		if !c.wmu.TryLock() {
			return nil
		}
		if c.deepInFlight() {
			// Callers woken with this one by a coalesced read queue
			// their frames meanwhile and leave them to this write.
			runtime.Gosched()
		}
		c.qmu.Lock()
		c.sending, c.queue = c.queue, c.sending[:0]
		c.qmu.Unlock()
		if len(c.sending) == 0 {
			c.wmu.Unlock()
			c.qmu.Lock()
			more := len(c.queue) > 0
			c.qmu.Unlock()
			if !more {
				if c.closing.Load() {
					return ErrNotOpen
				}
				return nil
			}
			continue
		}
		c.sendAllLocked(c.sending)
		clear(c.sending)
		c.sending = c.sending[:0]
		c.wmu.Unlock()
	}
}

// sendAllLocked writes frames in order, framed and masked into one buffer
// and sent in one write. Once the connection is closing only its close
// frame still goes out, and a pong that waited past its deadline is
// dropped rather than failing the write. The write's deadline is the
// latest of the frames' (writeWait for data), except with a close frame,
// whose deadline bounds the rest: the connection is going away. The
// deadline bounds the wait for room in the socket buffer: on a descriptor
// written directly (see writeBy), frames whose deadline has passed still
// go out when there is room. The caller holds wmu.
func (c *conn) sendAllLocked(frames []outFrame) {
	closing := c.closing.Load()
	now := time.Now()
	bp := getScratch()
	out := (*bp)[:0]
	var (
		deadline, closeBy time.Time
		err               error
	)
	for _, f := range frames {
		expired := f.op == opPong && !f.deadline.IsZero() && !now.Before(f.deadline)
		if err == nil && !c.closeSent.Load() && (!closing || f.op == opClose) && !expired {
			out, err = c.appendOutFrame(out, f)
			d := f.deadline
			if d.IsZero() {
				d = now.Add(writeWait)
			}
			if d.After(deadline) {
				deadline = d
			}
			if f.op == opClose {
				closeBy = d
			}
		}
		if f.op == opClose {
			c.closeSent.Store(true) // written, or dropped with a failed write
		}
		putScratch(f.bp, f.buf)
	}
	if !closeBy.IsZero() {
		deadline = closeBy
	}
	if err == nil && len(out) > 0 {
		err = writeBy(c.nc, out, deadline)
	}
	putScratch(bp, out)
	if err != nil && !c.closing.Load() {
		// The read loop notices the broken connection and runs the close
		// sequence, which settles every pending call.
		_ = c.nc.Close()
		c.unpark()
	}
}

// appendOutFrame appends f as a client frame; data frames are compressed
// when permessage-deflate was negotiated.
func (c *conn) appendOutFrame(out []byte, f outFrame) ([]byte, error) {
	if !c.deflate || (f.op != opText && f.op != opBinary) {
		return appendFrame(out, f.op, false, f.buf), nil
	}
	zp := getScratch()
	z, err := appendDeflated((*zp)[:0], f.buf)
	if err == nil {
		out = appendFrame(out, f.op, true, z)
	}
	putScratch(zp, z)
	return out, err
}

// corkConn holds writes back while corked and sends them in one write when
// uncorked.
//
// A new connection stays corked through its opening, until the WebSocket
// upgrade is done: what is written before an answer is awaited (a proxy's
// CONNECT, the TLS hello, the HTTP upgrade request) leaves in one write
// when the answer is read. As a byte and string writer it also takes the
// upgrade request from net/http directly, which would otherwise wrap it in
// a 4 KiB bufio.Writer of its own for every dial.
type corkConn struct {
	net.Conn
	mu      sync.Mutex
	corked  bool
	opening atomic.Bool     // corked since the dial, until the upgrade is done
	raw     syscall.RawConn // the descriptor of a TCP or Unix connection, if any
	rw      *rawWriter      // writes to raw, made on the first
	bp      *[]byte
	buf     []byte
}

// newCorkConn wraps a freshly dialed connection, corked for its opening.
func newCorkConn(nc net.Conn) *corkConn {
	cc := &corkConn{Conn: nc, raw: rawConnOf(nc)}
	cc.opening.Store(true)
	_ = cc.setCorked(true)
	return cc
}

// Read first sends what the opening held back, then reads.
func (cc *corkConn) Read(p []byte) (int, error) {
	if cc.opening.Load() {
		if err := cc.sendHeld(); err != nil {
			return 0, err
		}
	}
	return cc.Conn.Read(p)
}

// sendHeld sends what is held back and stays corked: during the opening
// every request (a proxy's CONNECT, the TLS hello, the upgrade) is written
// whole before its answer is read.
func (cc *corkConn) sendHeld() error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if !cc.corked || len(cc.buf) == 0 {
		return nil
	}
	_, err := cc.write(cc.buf)
	cc.buf = cc.buf[:0]
	return err
}

// endOpening ends the opening once the upgrade is done: what is held is
// sent, and writes go out as they come.
func (cc *corkConn) endOpening() error {
	if cc.opening.CompareAndSwap(true, false) {
		return cc.setCorked(false)
	}
	return nil
}

// Write sends p, or keeps it while corked.
func (cc *corkConn) Write(p []byte) (int, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.writeOrHold(p)
}

// writeOrHold is Write with cc.mu held.
func (cc *corkConn) writeOrHold(p []byte) (int, error) {
	if cc.corked {
		cc.buf = append(cc.buf, p...)
		return len(p), nil
	}
	return cc.write(p)
}

// WriteString is Write for a string.
func (cc *corkConn) WriteString(s string) (int, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.corked {
		cc.buf = append(cc.buf, s...)
		return len(s), nil
	}
	return cc.write([]byte(s))
}

// WriteByte is Write for one byte.
func (cc *corkConn) WriteByte(c byte) error {
	b := [1]byte{c}
	_, err := cc.Write(b[:])
	return err
}

// write sends p now: straight to the descriptor when there is one, with
// the errors a net.Conn write gives.
func (cc *corkConn) write(p []byte) (int, error) {
	if cc.raw == nil {
		return cc.Conn.Write(p)
	}
	n, err := cc.rawWriter().write(p)
	return n, cc.writeError(err)
}

// rawWriter is the connection's writer to its descriptor, made on the
// first write. cc.mu must be held.
func (cc *corkConn) rawWriter() *rawWriter {
	if cc.rw == nil {
		cc.rw = newRawWriter(cc.raw)
	}
	return cc.rw
}

// writeError gives a raw write's error the context a net.Conn write has.
func (cc *corkConn) writeError(err error) error {
	if err != nil {
		err = connError("write", cc.Conn, err)
	}
	return err
}

// writeBy is Write with deadline as the write deadline, which a
// descriptor written directly gets only if the write has to wait.
func (cc *corkConn) writeBy(p []byte, deadline time.Time) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.corked || cc.raw == nil {
		_ = cc.Conn.SetWriteDeadline(deadline)
		_, err := cc.writeOrHold(p)
		return err
	}
	_, err := cc.rawWriter().writeBy(p, deadline, cc.Conn)
	return cc.writeError(err)
}

// writeBy writes p to nc with deadline as its write deadline; a corkConn
// sets the deadline only when the write has to wait for room.
func writeBy(nc net.Conn, p []byte, deadline time.Time) error {
	if cc, ok := nc.(*corkConn); ok {
		return cc.writeBy(p, deadline)
	}
	_ = nc.SetWriteDeadline(deadline)
	_, err := nc.Write(p)
	return err
}

// setCorked corks or uncorks; uncorking sends what was held back.
func (cc *corkConn) setCorked(on bool) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.corked = on
	if on {
		if cc.bp == nil {
			cc.bp = getScratch()
			cc.buf = (*cc.bp)[:0]
		}
		return nil
	}
	if cc.bp == nil {
		return nil
	}
	var err error
	if len(cc.buf) > 0 {
		_, err = cc.write(cc.buf)
	}
	putScratch(cc.bp, cc.buf)
	cc.bp, cc.buf = nil, nil
	return err
}

// startBatch starts collecting outbound packets, discarding any not yet
// flushed.
func (c *conn) startBatch() {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.resetBatchLocked(true)
}

// resetBatchLocked empties the batch and sets whether one is being
// collected. qmu must be held.
func (c *conn) resetBatchLocked(collecting bool) {
	c.collecting = collecting
	clear(c.batch)
	c.batch = c.batch[:0]
}

// flushBatch stops collecting and sends what was collected as one frame.
func (c *conn) flushBatch() error {
	c.qmu.Lock()
	c.collecting = false
	if len(c.batch) == 0 {
		c.qmu.Unlock()
		return nil
	}
	bp := getScratch()
	buf, err := c.s.codec.EncodeBatch((*bp)[:0], c.batch)
	c.resetBatchLocked(false)
	return c.sendEncodedLocked(bp, buf, err)
}

// cancelBatch stops collecting and discards what was collected.
func (c *conn) cancelBatch() {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.resetBatchLocked(false)
}

// isCollecting reports whether a batch is being collected.
func (c *conn) isCollecting() bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return c.collecting
}
