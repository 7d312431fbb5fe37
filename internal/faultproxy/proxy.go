package faultproxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// dialTimeout bounds the dial to the target and the TLS handshake with the
// client.
const dialTimeout = 10 * time.Second

// Direction names one way of a proxied connection.
type Direction int

// The directions Stall and Resume act on.
const (
	// Upstream is client to server.
	Upstream Direction = iota
	// Downstream is server to client.
	Downstream
	// Both is Upstream and Downstream together.
	Both
)

// String returns "upstream", "downstream" or "both".
func (d Direction) String() string {
	switch d {
	case Upstream:
		return "upstream"
	case Downstream:
		return "downstream"
	case Both:
		return "both"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// CutMode says how Cut closes the connections.
type CutMode int

// The ways to cut a connection.
const (
	// RST aborts both TCP connections with a reset (SO_LINGER 0).
	RST CutMode = iota
	// FIN closes both TCP connections in an orderly way.
	FIN
)

// String returns "RST" or "FIN".
func (m CutMode) String() string {
	if m == RST {
		return "RST"
	}
	return "FIN"
}

// Stats counts what a proxy did since it was created.
type Stats struct {
	// Accepted is the number of connections accepted (refused ones too).
	Accepted int64
	// Active is the number of connections open now.
	Active int
	// Cut is the number of connections closed by Cut.
	Cut int64
	// Refused is the number of connections closed at once by SetRefuse.
	Refused int64
	// BytesUp and BytesDown are the bytes forwarded each way.
	BytesUp, BytesDown int64
	// Dropped is the number of bytes thrown away while half-open.
	Dropped int64
}

// faults is the proxy's fault state; a copy is taken under Proxy.mu.
type faults struct {
	stalled  [2]bool
	halfOpen bool
	refuse   bool
	delay    time.Duration
	throttle int // bytes per second per direction, 0 for no limit
}

// Proxy is a running fault-injecting TCP proxy.
type Proxy struct {
	target string
	tls    *tls.Config
	ln     net.Listener
	wg     sync.WaitGroup

	mu      sync.Mutex
	f       faults
	changed chan struct{} // closed and replaced whenever f changes
	links   map[*link]struct{}
	closed  bool

	ctx    context.Context // cancelled by Close; bounds dials and TLS handshakes
	cancel context.CancelFunc

	accepted, cut, refused atomic.Int64
	up, down, dropped      atomic.Int64
}

// New starts a proxy on 127.0.0.1 (a free port) that forwards every
// connection to target, a "host:port" address.
func New(target string) (*Proxy, error) {
	return start(target, nil)
}

// NewTLS is New with TLS terminated on the listening side: clients speak
// TLS with cfg (which must hold a certificate; set ClientAuth to require
// client certificates) and the target gets the plain bytes.
func NewTLS(target string, cfg *tls.Config) (*Proxy, error) {
	if cfg == nil || (len(cfg.Certificates) == 0 && cfg.GetCertificate == nil) {
		return nil, errors.New("faultproxy: NewTLS needs a tls.Config with a certificate")
	}
	return start(target, cfg)
}

func start(target string, cfg *tls.Config) (*Proxy, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("faultproxy: bad target %q: %w", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{
		target:  target,
		tls:     cfg,
		ln:      ln,
		changed: make(chan struct{}),
		links:   map[*link]struct{}{},
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the "127.0.0.1:port" address clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target returns the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// Close stops accepting, closes every connection (FIN) and waits for the
// proxy's goroutines to end. It is idempotent.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	p.cancel()
	links := p.linksLocked()
	p.mu.Unlock()
	err := p.ln.Close()
	for _, l := range links {
		l.close(FIN)
	}
	p.wg.Wait()
	return err
}

// Cut closes every open connection on both sides with mode and returns how
// many it closed. New connections are accepted as usual.
func (p *Proxy) Cut(mode CutMode) int {
	p.mu.Lock()
	links := p.linksLocked()
	p.mu.Unlock()
	n := 0
	for _, l := range links {
		if l.close(mode) {
			n++
		}
	}
	p.cut.Add(int64(n))
	return n
}

// Stall stops forwarding in dir until Resume; what the sender writes waits
// in the proxy and the kernel's buffers, so it eventually blocks.
func (p *Proxy) Stall(dir Direction) { p.setStalled(dir, true) }

// Resume forwards dir again, starting with the bytes held back.
func (p *Proxy) Resume(dir Direction) { p.setStalled(dir, false) }

func (p *Proxy) setStalled(dir Direction, on bool) {
	p.update(func(f *faults) {
		if dir == Upstream || dir == Both {
			f.stalled[Upstream] = on
		}
		if dir == Downstream || dir == Both {
			f.stalled[Downstream] = on
		}
	})
}

// SetHalfOpen turns the half-open fault on or off. While on, both TCP
// connections stay open but every byte is dropped in both directions, and
// a side that closes is not told to the other one. When it ends, the
// connections that lost bytes are reset, as a peer that lost their state
// would (their streams cannot go on), and those whose far side went away
// are closed.
func (p *Proxy) SetHalfOpen(on bool) { p.update(func(f *faults) { f.halfOpen = on }) }

// SetDelay holds every chunk for d before forwarding it (0 for none).
func (p *Proxy) SetDelay(d time.Duration) { p.update(func(f *faults) { f.delay = d }) }

// SetThrottle limits each direction of each connection to bytesPerSecond
// (0 for no limit).
func (p *Proxy) SetThrottle(bytesPerSecond int) {
	p.update(func(f *faults) { f.throttle = max(bytesPerSecond, 0) })
}

// SetRefuse makes the proxy reset new connections as soon as it accepts
// them, as a server that is down would; open ones are left alone.
func (p *Proxy) SetRefuse(on bool) { p.update(func(f *faults) { f.refuse = on }) }

// Heal clears every fault: nothing stalled, no half-open, no delay, no
// throttle, no refusal.
func (p *Proxy) Heal() { p.update(func(f *faults) { *f = faults{} }) }

// Stats returns the proxy's counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	active := len(p.links)
	p.mu.Unlock()
	return Stats{
		Accepted:  p.accepted.Load(),
		Active:    active,
		Cut:       p.cut.Load(),
		Refused:   p.refused.Load(),
		BytesUp:   p.up.Load(),
		BytesDown: p.down.Load(),
		Dropped:   p.dropped.Load(),
	}
}

// update changes the fault state and wakes every waiting pump. When a
// half-open period ends, it resets the links that dropped bytes.
func (p *Proxy) update(change func(*faults)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	wasHalfOpen := p.f.halfOpen
	change(&p.f)
	if wasHalfOpen && !p.f.halfOpen {
		// Reset before waking the pumps: a pump whose source ended while
		// half-open would otherwise close its link with a FIN first.
		for l := range p.links {
			if l.dropped.Load() {
				l.close(RST)
			}
		}
	}
	close(p.changed)
	p.changed = make(chan struct{})
}

// state returns the fault state and a channel closed at its next change.
func (p *Proxy) state() (faults, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.f, p.changed
}

func (p *Proxy) linksLocked() []*link {
	out := make([]*link, 0, len(p.links))
	for l := range p.links {
		out = append(out, l)
	}
	return out
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		raw, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.accepted.Add(1)
		if f, _ := p.state(); f.refuse {
			p.refused.Add(1)
			abort(raw)
			continue
		}
		p.wg.Add(1)
		go p.serve(raw)
	}
}

// serve completes the TLS handshake if any, dials the target and runs the
// link until it ends.
func (p *Proxy) serve(raw net.Conn) {
	defer p.wg.Done()
	client := raw
	ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
	defer cancel()
	if p.tls != nil {
		tc := tls.Server(raw, p.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return
		}
		client = tc
	}
	var d net.Dialer
	server, err := d.DialContext(ctx, "tcp", p.target)
	if err != nil {
		abort(raw)
		return
	}
	cancel()
	l := &link{p: p, client: client, clientRaw: raw, server: server, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close(FIN)
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	l.run()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// abort closes a TCP connection with a reset.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
