package main

import (
	"crypto/tls"
	"net/url"
	"testing"

	"github.com/socketcluster-go/scclient/internal/faultproxy"
	"github.com/socketcluster-go/scclient/internal/testpki"
)

// The real server speaks plain ws; these tests put a TLS-terminating
// proxy in front of it, which the server cannot do itself.

// tlsProxy accepts TLS on a loopback port and forwards the bytes to the
// shared server. It stops when the test ends.
func tlsProxy(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := faultproxy.NewTLS(u.Host, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return "wss://" + p.Addr() + "/socketcluster/"
}

func TestSCTLS(t *testing.T) {
	ca := testpki.NewCA(t)
	caPEM := ca.WriteCA(t, t.TempDir())
	wss := tlsProxy(t, &tls.Config{Certificates: []tls.Certificate{ca.Server(t)}})

	r := sc(t, "", "invoke", "echo", `"over tls"`, "--url", wss, "--ca", caPEM)
	expectCode(t, r, 0)
	if r.stdout != "\"over tls\"\n" {
		t.Fatalf("stdout %q", r.stdout)
	}

	r = sc(t, "", "invoke", "echo", "1", "--url", wss)
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "certificate")

	r = sc(t, "", "invoke", "echo", "1", "--url", wss, "--insecure")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "warning: --insecure")
}

func TestSCTLSClientCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t)
	caPEM := ca.WriteCA(t, dir)
	certPath, keyPath := testpki.WritePair(t, dir, "client", ca.Client(t, "sc test client"))
	wss := tlsProxy(t, &tls.Config{
		Certificates: []tls.Certificate{ca.Server(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool,
	})

	r := sc(t, "", "invoke", "echo", "2", "--url", wss, "--ca", caPEM, "--cert", certPath, "--key", keyPath)
	expectCode(t, r, 0)
	if r.stdout != "2\n" {
		t.Fatalf("stdout %q", r.stdout)
	}

	r = sc(t, "", "invoke", "echo", "2", "--url", wss, "--ca", caPEM)
	expectCode(t, r, 4)

	r = sc(t, "", "invoke", "echo", "2", "--url", wss, "--ca", caPEM, "--cert", certPath, "--key", caPEM)
	expectCode(t, r, 2)
	expectContains(t, "stderr", r.stderr, "--cert/--key")
}
