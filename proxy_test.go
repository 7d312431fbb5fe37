package scclient

import (
	"bufio"
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

// A fresh connection holds what is written until its first read, then
// sends it in one write.
func TestCorkConnHoldsWritesUntilTheFirstRead(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cc := newCorkConn(a)
	_, err := cc.WriteString("GET / HTTP/1.1\r\n")
	require.NoError(t, err)
	require.NoError(t, cc.WriteByte('H'))
	_, err = cc.Write([]byte("ost: x\r\n\r\n"))
	require.NoError(t, err)

	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 64)
		n, _ := b.Read(buf) // a pipe delivers one write per read
		got <- string(buf[:n])
		_, _ = b.Write([]byte("ok"))
	}()
	select {
	case s := <-got:
		t.Fatalf("sent before any read: %q", s)
	case <-time.After(50 * time.Millisecond):
	}
	buf := make([]byte, 2)
	n, err := cc.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "ok", string(buf[:n]))
	require.Equal(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", <-got)

	// Afterwards writes go straight out.
	go func() { _, _ = cc.Write([]byte("now")) }()
	buf = make([]byte, 3)
	_, err = io.ReadFull(b, buf)
	require.NoError(t, err)
	require.Equal(t, "now", string(buf))
}
