package testpki

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
)

func TestIssuedCertificatesVerifyAgainstTheCA(t *testing.T) {
	ca := NewCA(t)
	server := ca.Server(t)
	if _, err := server.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "127.0.0.1"}); err != nil {
		t.Fatalf("server certificate: %v", err)
	}
	client := ca.Client(t, "bot")
	if _, err := client.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("client certificate: %v", err)
	}
	if _, err := server.Leaf.Verify(x509.VerifyOptions{Roots: NewCA(t).Pool}); err == nil {
		t.Fatal("a certificate verified against another CA")
	}
}

func TestWrittenFilesLoad(t *testing.T) {
	dir := t.TempDir()
	ca := NewCA(t)
	caPath := ca.WriteCA(t, dir)
	b, err := os.ReadFile(caPath)
	if err != nil || !x509.NewCertPool().AppendCertsFromPEM(b) {
		t.Fatalf("CA file does not load: %v", err)
	}
	certPath, keyPath := WritePair(t, dir, "client", ca.Client(t, "bot"))
	if _, err := tls.LoadX509KeyPair(certPath, keyPath); err != nil {
		t.Fatalf("pair does not load: %v", err)
	}
	info, err := os.Stat(keyPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", info.Mode().Perm(), err)
	}
}
