package scclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/internal/faultproxy"
	"github.com/socketcluster-go/scclient/internal/testpki"
)

// relTLSServer starts the real server behind a TLS-terminating proxy;
// requireClientCert makes the proxy demand a certificate signed by the
// test CA. It returns the proxy's port.
func relTLSServer(t *testing.T, pki *testpki.CA, requireClientCert bool) int {
	t.Helper()
	srv := startServer(t, nil)
	cfg := &tls.Config{Certificates: []tls.Certificate{pki.Server(t)}}
	if requireClientCert {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = pki.Pool
	}
	p, err := faultproxy.NewTLS("127.0.0.1:"+strconv.Itoa(srv.Port()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	_, port, _ := net.SplitHostPort(p.Addr())
	n, _ := strconv.Atoi(port)
	return n
}

func relWSS(host string, port int) string {
	return "wss://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/socketcluster/"
}

// relConnectFailure connects a socket with opts to url, waits for the
// connection to fail and returns the cause
// kept in the SocketProtocolError.
func relConnectFailure(t *testing.T, url string, opts Options) error {
	t.Helper()
	// Watched before it connects: a fast failure must not come before the
	// watcher exists.
	_, w := newWatchedSocket(t, url, opts, EventConnect, EventConnectAbort, EventError)
	ev := w.next(10 * time.Second)
	if ev.Name != EventConnectAbort {
		t.Fatalf("got %s (%v), want connectAbort", ev.Name, ev.Error)
	}
	if ev.Code != CloseAbnormal {
		t.Errorf("connectAbort code %d, want 1006", ev.Code)
	}
	ev = w.waitFor(EventError, 5*time.Second)
	var spe *SocketProtocolError
	if !errors.As(ev.Error, &spe) {
		t.Fatalf("error event %T: %v", ev.Error, ev.Error)
	}
	cause := spe.Unwrap()
	if cause == nil {
		t.Fatalf("the TLS failure is not kept as the cause of %v", spe)
	}
	return cause
}

// relRequireWorks checks that s connects and answers an echo.
func relRequireWorks(t *testing.T, s *Socket) {
	t.Helper()
	res, err := s.Invoke(ctxT(t, 10*time.Second), "echo", "over tls")
	if err != nil || res.String() != `"over tls"` {
		t.Fatalf("echo over wss: %s %v", res, err)
	}
}

func TestReliabilityTLSVerifiesCertificatesByDefault(t *testing.T) {
	pki := testpki.NewCA(t)
	port := relTLSServer(t, pki, false)
	cause := relConnectFailure(t, relWSS("127.0.0.1", port), Options{DisableAutoReconnect: true})
	var cve *tls.CertificateVerificationError
	if !errors.As(cause, &cve) {
		t.Fatalf("cause %T: %v, want a certificate verification error", cause, cause)
	}
	if !strings.Contains(cause.Error(), "certificate signed by unknown authority") {
		t.Errorf("the error does not say what is wrong: %v", cause)
	}
}

func TestReliabilityTLSCustomCA(t *testing.T) {
	pki := testpki.NewCA(t)
	port := relTLSServer(t, pki, false)
	cfg := &tls.Config{RootCAs: pki.Pool}
	s := newSocket(t, relWSS("127.0.0.1", port), Options{TLSConfig: cfg})
	relRequireWorks(t, s)
	if cfg.InsecureSkipVerify || cfg.ServerName != "" {
		t.Errorf("the socket changed the caller's tls.Config: %+v", cfg)
	}

	// The custom CA does not turn off the host name check: the
	// certificate names 127.0.0.1 only.
	cause := relConnectFailure(t, relWSS("localhost", port), Options{TLSConfig: cfg, DisableAutoReconnect: true})
	var he x509.HostnameError
	if !errors.As(cause, &he) {
		t.Fatalf("cause %T: %v, want a host name error", cause, cause)
	}
}

func TestReliabilityTLSClientCertificates(t *testing.T) {
	pki := testpki.NewCA(t)
	port := relTLSServer(t, pki, true)

	cause := relConnectFailure(t, relWSS("127.0.0.1", port), Options{TLSConfig: &tls.Config{RootCAs: pki.Pool}, DisableAutoReconnect: true})
	if !strings.Contains(cause.Error(), "certificate") {
		t.Errorf("the error does not say a certificate is missing: %v", cause)
	}

	with := newSocket(t, relWSS("127.0.0.1", port), Options{TLSConfig: &tls.Config{RootCAs: pki.Pool, Certificates: []tls.Certificate{pki.Client(t, "scclient test client")}}})
	relRequireWorks(t, with)
}

func TestReliabilityTLSInsecureSkipVerifyOnlyWhenAsked(t *testing.T) {
	pki := testpki.NewCA(t)
	port := relTLSServer(t, pki, false)

	// A custom Dialer without a TLS config still verifies.
	d := &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	var uae x509.UnknownAuthorityError
	if cause := relConnectFailure(t, relWSS("127.0.0.1", port), Options{Dialer: d, DisableAutoReconnect: true}); !errors.As(cause, &uae) {
		t.Fatalf("custom dialer: cause %T: %v, want an unknown authority error", cause, cause)
	}
	if d.TLSClientConfig != nil {
		t.Errorf("the socket changed the caller's Dialer")
	}

	// Asked through TLSConfig.
	asked := newSocket(t, relWSS("127.0.0.1", port), Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	relRequireWorks(t, asked)

	// Asked through the Dialer's own TLS config.
	asked2 := newSocket(t, relWSS("127.0.0.1", port), Options{Dialer: &websocket.Dialer{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}})
	relRequireWorks(t, asked2)
}
