package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The real server speaks plain ws; these tests put a TLS-terminating TCP
// proxy in front of it, which the server cannot do itself.

// certFiles writes a self-signed CA and a certificate it signed (for
// 127.0.0.1 when server, for a client otherwise) and returns their paths.
type certFiles struct {
	caPEM          string
	certPEM, keyPM string
	ca             *x509.Certificate
	caKey          *ecdsa.PrivateKey
	pair           tls.Certificate
}

func newCA(t *testing.T, dir string) *certFiles {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sc test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	c := &certFiles{caPEM: filepath.Join(dir, "ca.pem"), ca: ca, caKey: key}
	writePEM(t, c.caPEM, "CERTIFICATE", der)
	return c
}

// issue signs a leaf certificate and writes it and its key to dir/name.*.
func (c *certFiles) issue(t *testing.T, dir, name string, server bool) (certPath, keyPath string, pair tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.ca, &key.PublicKey, c.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, keyPath, "EC PRIVATE KEY", kder)
	pair, err = tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath, pair
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tlsProxy accepts TLS on a loopback port and forwards the bytes to the
// shared server. It stops when the test ends.
func tlsProxy(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", u.Host)
			if err != nil {
				in.Close()
				continue
			}
			track(in)
			track(out)
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "wss://" + l.Addr().String() + "/socketcluster/"
}

func TestSCTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, dir)
	_, _, serverPair := ca.issue(t, dir, "server", true)
	wss := tlsProxy(t, &tls.Config{Certificates: []tls.Certificate{serverPair}})

	r := sc(t, "", "invoke", "echo", `"over tls"`, "--url", wss, "--ca", ca.caPEM)
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
	ca := newCA(t, dir)
	_, _, serverPair := ca.issue(t, dir, "server", true)
	certPath, keyPath, _ := ca.issue(t, dir, "client", false)
	pool := x509.NewCertPool()
	pool.AddCert(ca.ca)
	wss := tlsProxy(t, &tls.Config{
		Certificates: []tls.Certificate{serverPair},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	})

	r := sc(t, "", "invoke", "echo", "2", "--url", wss, "--ca", ca.caPEM, "--cert", certPath, "--key", keyPath)
	expectCode(t, r, 0)
	if r.stdout != "2\n" {
		t.Fatalf("stdout %q", r.stdout)
	}

	r = sc(t, "", "invoke", "echo", "2", "--url", wss, "--ca", ca.caPEM)
	expectCode(t, r, 4)

	r = sc(t, "", "invoke", "echo", "2", "--url", wss, "--ca", ca.caPEM, "--cert", certPath, "--key", ca.caPEM)
	expectCode(t, r, 2)
	expectContains(t, "stderr", r.stderr, "--cert/--key")
}
