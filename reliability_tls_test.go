package scclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/internal/faultproxy"
)

// relPKI is a test certificate authority with a server certificate for
// 127.0.0.1 (and no other name) and a client certificate.
type relPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

func relNewPKI(t *testing.T) relPKI {
	t.Helper()
	caKey := relKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "scclient test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	leaf := func(serial int64, name string, usage x509.ExtKeyUsage, ips []net.IP) tls.Certificate {
		key := relKey(t)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
	}
	return relPKI{
		pool:   pool,
		server: leaf(2, "127.0.0.1", x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)}),
		client: leaf(3, "scclient test client", x509.ExtKeyUsageClientAuth, nil),
	}
}

func relKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// relTLSServer starts the real server behind a TLS-terminating proxy;
// requireClientCert makes the proxy demand a certificate signed by the
// test CA. It returns the proxy's port.
func relTLSServer(t *testing.T, pki relPKI, requireClientCert bool) int {
	t.Helper()
	srv := startServer(t, nil)
	cfg := &tls.Config{Certificates: []tls.Certificate{pki.server}}
	if requireClientCert {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = pki.pool
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

// relConnectFailure waits for a failed connection and returns the cause
// kept in the SocketProtocolError.
func relConnectFailure(t *testing.T, s *Socket) error {
	t.Helper()
	w := watch(t, s, EventConnect, EventConnectAbort, EventError)
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
	pki := relNewPKI(t)
	port := relTLSServer(t, pki, false)
	s := newSocket(t, relWSS("127.0.0.1", port), Options{DisableAutoReconnect: true})
	cause := relConnectFailure(t, s)
	var cve *tls.CertificateVerificationError
	if !errors.As(cause, &cve) {
		t.Fatalf("cause %T: %v, want a certificate verification error", cause, cause)
	}
	if !strings.Contains(cause.Error(), "certificate signed by unknown authority") {
		t.Errorf("the error does not say what is wrong: %v", cause)
	}
}

func TestReliabilityTLSCustomCA(t *testing.T) {
	pki := relNewPKI(t)
	port := relTLSServer(t, pki, false)
	cfg := &tls.Config{RootCAs: pki.pool}
	s := newSocket(t, relWSS("127.0.0.1", port), Options{TLSConfig: cfg})
	relRequireWorks(t, s)
	if cfg.InsecureSkipVerify || cfg.ServerName != "" {
		t.Errorf("the socket changed the caller's tls.Config: %+v", cfg)
	}

	// The custom CA does not turn off the host name check: the
	// certificate names 127.0.0.1 only.
	s2 := newSocket(t, relWSS("localhost", port), Options{TLSConfig: cfg, DisableAutoReconnect: true})
	cause := relConnectFailure(t, s2)
	var he x509.HostnameError
	if !errors.As(cause, &he) {
		t.Fatalf("cause %T: %v, want a host name error", cause, cause)
	}
}

func TestReliabilityTLSClientCertificates(t *testing.T) {
	pki := relNewPKI(t)
	port := relTLSServer(t, pki, true)

	without := newSocket(t, relWSS("127.0.0.1", port), Options{TLSConfig: &tls.Config{RootCAs: pki.pool}, DisableAutoReconnect: true})
	cause := relConnectFailure(t, without)
	if !strings.Contains(cause.Error(), "certificate") {
		t.Errorf("the error does not say a certificate is missing: %v", cause)
	}

	with := newSocket(t, relWSS("127.0.0.1", port), Options{TLSConfig: &tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client}}})
	relRequireWorks(t, with)
}

func TestReliabilityTLSInsecureSkipVerifyOnlyWhenAsked(t *testing.T) {
	pki := relNewPKI(t)
	port := relTLSServer(t, pki, false)

	// A custom Dialer without a TLS config still verifies.
	d := &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	s := newSocket(t, relWSS("127.0.0.1", port), Options{Dialer: d, DisableAutoReconnect: true})
	var uae x509.UnknownAuthorityError
	if cause := relConnectFailure(t, s); !errors.As(cause, &uae) {
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
