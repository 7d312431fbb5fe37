package faultproxy

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/socketcluster-go/scclient/internal/testpki"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echoServer is a TCP server that echoes every byte; it can close the
// connections it holds to play a server that goes away.
type echoServer struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoServer{ln: ln}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.mu.Lock()
			e.conns = append(e.conns, c)
			e.mu.Unlock()
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				_, _ = io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		e.closeConns()
		e.wg.Wait()
	})
	return e
}

func (e *echoServer) addr() string { return e.ln.Addr().String() }

func (e *echoServer) closeConns() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.conns {
		c.Close()
	}
	e.conns = nil
}

func newProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := New(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialOrReset dials addr; it returns nil when the connection was reset
// before connect returned, which a reset right after accept can do on
// loopback.
func dialOrReset(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes msg and reads the same number of bytes back within d.
func roundTrip(c net.Conn, msg []byte, d time.Duration) ([]byte, error) {
	if _, err := c.Write(msg); err != nil {
		return nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	got := make([]byte, len(msg))
	_, err := io.ReadFull(c, got)
	return got, err
}

// readErr reads until an error within d and returns it.
func readErr(c net.Conn, d time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 1024)
	for {
		if _, err := c.Read(buf); err != nil {
			return err
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestForwardsBothWaysAndCounts(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	msg := bytes.Repeat([]byte("abc"), 50000)
	got, err := roundTrip(c, msg, 5*time.Second)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("round trip: err %v, equal %v", err, bytes.Equal(got, msg))
	}
	st := p.Stats()
	if st.Accepted != 1 || st.Active != 1 || st.BytesUp != int64(len(msg)) || st.BytesDown != int64(len(msg)) {
		t.Fatalf("stats %+v", st)
	}
	if p.Target() != e.addr() {
		t.Fatalf("Target() = %q", p.Target())
	}
}

func TestCutRSTResetsTheClient(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	if _, err := roundTrip(c, []byte("x"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.Cut(RST); n != 1 {
		t.Fatalf("Cut cut %d connections", n)
	}
	err := readErr(c, 5*time.Second)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after an RST cut: %v, want ECONNRESET", err)
	}
	waitFor(t, "no active links", func() bool { return p.Stats().Active == 0 })
	if p.Stats().Cut != 1 {
		t.Fatalf("stats %+v", p.Stats())
	}
	// The proxy still accepts and forwards new connections.
	c2 := dial(t, p.Addr())
	if _, err := roundTrip(c2, []byte("again"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestCutFINClosesTheClientCleanly(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	if _, err := roundTrip(c, []byte("x"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Cut(FIN)
	if err := readErr(c, 5*time.Second); err != io.EOF {
		t.Fatalf("read after a FIN cut: %v, want EOF", err)
	}
}

func TestStallHoldsOneDirectionUntilResume(t *testing.T) {
	for _, dir := range []Direction{Upstream, Downstream, Both} {
		t.Run(dir.String(), func(t *testing.T) {
			e := newEchoServer(t)
			p := newProxy(t, e.addr())
			c := dial(t, p.Addr())
			p.Stall(dir)
			_, err := roundTrip(c, []byte("held"), 200*time.Millisecond)
			if !isTimeout(err) {
				t.Fatalf("a stalled %v let the bytes through: %v", dir, err)
			}
			p.Resume(dir)
			got := make([]byte, 4)
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != "held" {
				t.Fatalf("after Resume: %q %v", got, err)
			}
		})
	}
}

func TestStallBacksUpTheSender(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	p.Stall(Upstream)
	// Writes block once the proxy and the kernel buffers are full.
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	chunk := make([]byte, 1<<20)
	var err error
	for i := 0; i < 256 && err == nil; i++ {
		_, err = c.Write(chunk)
	}
	if !isTimeout(err) {
		t.Fatalf("writes never blocked on a stalled upstream: %v", err)
	}
	p.Heal()
}

func TestDelayHoldsEveryChunk(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	p.SetDelay(150 * time.Millisecond)
	start := time.Now()
	if _, err := roundTrip(c, []byte("slow"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// One delay each way.
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("round trip took %v with a 150 ms delay each way", d)
	}
	p.SetDelay(0)
	start = time.Now()
	if _, err := roundTrip(c, []byte("fast"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Fatalf("round trip took %v with no delay", d)
	}
}

func TestThrottleLimitsTheRate(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	p.SetThrottle(40 << 10) // 40 KiB/s each way
	msg := make([]byte, 16<<10)
	start := time.Now()
	if _, err := roundTrip(c, msg, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// 16 KiB at 40 KiB/s is 0.4 s each way; the two ways overlap.
	if d := time.Since(start); d < 350*time.Millisecond {
		t.Fatalf("16 KiB went through a 40 KiB/s throttle in %v", d)
	}
}

func TestHalfOpenDropsBytesAndHidesCloses(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	c := dial(t, p.Addr())
	if _, err := roundTrip(c, []byte("x"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.SetHalfOpen(true)
	_, err := roundTrip(c, []byte("lost"), 200*time.Millisecond)
	if !isTimeout(err) {
		t.Fatalf("half-open let bytes through: %v", err)
	}
	waitFor(t, "dropped bytes", func() bool { return p.Stats().Dropped >= 4 })
	// The server goes away; the client must not notice while half-open.
	e.closeConns()
	if err := readErr(c, 300*time.Millisecond); !isTimeout(err) {
		t.Fatalf("the client saw the server's close through a half-open link: %v", err)
	}
	if p.Stats().Active != 1 {
		t.Fatalf("the link was dropped while half-open: %+v", p.Stats())
	}
	p.SetHalfOpen(false)
	if err := readErr(c, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("after half-open ended: %v, want ECONNRESET", err)
	}
}

func TestHalfOpenResetsOnlyConnectionsThatLostBytes(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	lost := dial(t, p.Addr())
	idle := dial(t, p.Addr())
	for _, c := range []net.Conn{lost, idle} {
		if _, err := roundTrip(c, []byte("x"), 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	p.SetHalfOpen(true)
	if _, err := lost.Write([]byte("dropped")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "dropped bytes", func() bool { return p.Stats().Dropped >= 7 })
	p.Heal()
	if err := readErr(lost, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("a connection that lost bytes: %v, want ECONNRESET", err)
	}
	// The idle one lost nothing and goes on.
	if got, err := roundTrip(idle, []byte("fine"), 5*time.Second); err != nil || string(got) != "fine" {
		t.Fatalf("idle connection after half-open: %q %v", got, err)
	}
}

func TestRefuseResetsNewConnections(t *testing.T) {
	e := newEchoServer(t)
	p := newProxy(t, e.addr())
	open := dial(t, p.Addr())
	if _, err := roundTrip(open, []byte("x"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.SetRefuse(true)
	if c := dialOrReset(t, p.Addr()); c != nil {
		if err := readErr(c, 5*time.Second); isTimeout(err) {
			t.Fatalf("a refused connection stayed open")
		}
	}
	if p.Stats().Refused != 1 {
		t.Fatalf("stats %+v", p.Stats())
	}
	// Connections already open are left alone.
	if _, err := roundTrip(open, []byte("y"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Heal()
	c2 := dial(t, p.Addr())
	if _, err := roundTrip(c2, []byte("z"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestCloseEndsEverything(t *testing.T) {
	e := newEchoServer(t)
	p, err := New(e.addr())
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, p.Addr())
	if _, err := roundTrip(c, []byte("x"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Stall(Both) // a pump waiting on a stall must end too
	if _, err := c.Write([]byte("pending")); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// EOF, or a reset when the kernel still held unread bytes.
	if err := readErr(c, 5*time.Second); isTimeout(err) {
		t.Fatal("the client stayed connected after Close")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Fatal("the listener still accepts after Close")
	}
}

func TestUnreachableTargetResetsTheClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := newProxy(t, addr)
	c := dialOrReset(t, p.Addr())
	if c == nil {
		return
	}
	if err := readErr(c, 5*time.Second); isTimeout(err) {
		t.Fatal("the client stayed connected to a proxy whose target is down")
	}
}

func TestBadArguments(t *testing.T) {
	if _, err := New("no-port"); err == nil {
		t.Fatal("New accepted a target without a port")
	}
	if _, err := NewTLS("127.0.0.1:1", nil); err == nil {
		t.Fatal("NewTLS accepted a nil config")
	}
	if _, err := NewTLS("127.0.0.1:1", &tls.Config{}); err == nil {
		t.Fatal("NewTLS accepted a config without a certificate")
	}
	if Direction(7).String() != "Direction(7)" || RST.String() != "RST" || FIN.String() != "FIN" {
		t.Fatal("String methods")
	}
}

func TestTLSModeTerminatesTLS(t *testing.T) {
	e := newEchoServer(t)
	ca := testpki.NewCA(t)
	cert, pool := ca.Server(t), ca.Pool
	p, err := NewTLS(e.addr(), &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })

	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", p.Addr(), &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(c, []byte("secret"), 5*time.Second); err != nil || string(got) != "secret" {
		t.Fatalf("round trip over TLS: %q %v", got, err)
	}
	// The target saw plain bytes: the proxy counted the plain text.
	if st := p.Stats(); st.BytesUp != 6 {
		t.Fatalf("stats %+v", st)
	}

	// A client that does not trust the certificate fails its handshake.
	_, err = tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", p.Addr(), &tls.Config{RootCAs: x509.NewCertPool()})
	var uae x509.UnknownAuthorityError
	if !errors.As(err, &uae) {
		t.Fatalf("untrusted certificate: %v", err)
	}
	// A cut in TLS mode resets the TCP connection under the TLS one.
	p.Cut(RST)
	if err := readErr(c, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("TLS client after an RST cut: %v, want ECONNRESET", err)
	}
}
