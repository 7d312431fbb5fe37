package scclient

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// connectProxy is a minimal HTTP CONNECT proxy on loopback that counts the
// tunnels it opened.
type connectProxy struct {
	ln      net.Listener
	tunnels atomic.Int32
	wg      sync.WaitGroup
}

func startConnectProxy(t *testing.T) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &connectProxy{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
	})
	return p
}

func (p *connectProxy) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		return
	}
	up, err := net.Dial("tcp", req.Host)
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	defer up.Close()
	p.tunnels.Add(1)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, br); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.SetDeadline(time.Now())
	up.SetDeadline(time.Now())
	<-done
}

// Through an HTTP proxy the CONNECT request and the upgrade request are
// each sent before their answer is read, so the socket works as directly.
func TestConnectThroughHTTPProxy(t *testing.T) {
	srv := startServer(t, nil)
	proxy := startConnectProxy(t)
	proxyURL, err := url.Parse("http://" + proxy.ln.Addr().String())
	require.NoError(t, err)
	s := newSocket(t, srv.URL(), Options{Dialer: &websocket.Dialer{Proxy: http.ProxyURL(proxyURL)}})
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", "through the proxy")
	require.NoError(t, err)
	require.Equal(t, `"through the proxy"`, res.String())
	require.Equal(t, int32(1), proxy.tunnels.Load())
	require.NoError(t, s.Close())
}

// During its opening a connection holds what is written until it reads,
// then sends it in one write; once the opening ends, writes go straight out.
func TestCorkConnHoldsWritesThroughTheOpening(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cc := newCorkConn(a)
	peer := make(chan string, 4)
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := b.Read(buf) // a pipe delivers one write per read
			if err != nil {
				return
			}
			peer <- string(buf[:n])
			if _, err := b.Write([]byte("ok")); err != nil {
				return
			}
		}
	}()
	exchange := func(writes ...string) string {
		t.Helper()
		for i, w := range writes {
			if i%2 == 0 {
				_, err := cc.WriteString(w)
				require.NoError(t, err)
			} else {
				for j := 0; j < len(w); j++ {
					require.NoError(t, cc.WriteByte(w[j]))
				}
			}
		}
		select {
		case s := <-peer:
			t.Fatalf("sent before the answer was read: %q", s)
		case <-time.After(50 * time.Millisecond):
		}
		buf := make([]byte, 2)
		n, err := cc.Read(buf)
		require.NoError(t, err)
		require.Equal(t, "ok", string(buf[:n]))
		return <-peer
	}
	// Two requests of the opening (say, CONNECT and the upgrade), each
	// leaving whole when its answer is read.
	require.Equal(t, "CONNECT x:1 HTTP/1.1\r\n\r\n", exchange("CONNECT x:1 ", "HTTP/1.1\r\n\r\n"))
	require.Equal(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", exchange("GET / HTTP/1.1\r\n", "Host: x", "\r\n\r\n"))

	// After the opening, writes go straight out.
	require.NoError(t, cc.endOpening())
	go func() { _, _ = cc.Write([]byte("now")) }()
	require.Equal(t, "now", <-peer)
}

// Through a proxy, the CONNECT request and the upgrade request each leave
// in one write, not header by header.
func TestOpeningThroughAProxyWritesEachRequestWhole(t *testing.T) {
	srv := startServer(t, nil)
	proxy := startConnectProxy(t)
	proxyURL, err := url.Parse("http://" + proxy.ln.Addr().String())
	require.NoError(t, err)
	var writes atomic.Int32
	d := &websocket.Dialer{
		Proxy: http.ProxyURL(proxyURL),
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var nd net.Dialer
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: c, writes: &writes}, nil
		},
	}
	parityOpen(t, srv.URL(), Options{Dialer: d})
	// CONNECT, the upgrade request and #handshake.
	require.LessOrEqual(t, writes.Load(), int32(3))
}

// countingConn counts the writes made on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int32
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}
