package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// tlsConfig builds the TLS settings of wss:// connections from --ca,
// --cert/--key and --insecure; nil when none is given.
func (c *connFlags) tlsConfig() (*tls.Config, error) {
	if c.ca == "" && c.cert == "" && c.key == "" && !c.insecure {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.ca != "" {
		pem, err := os.ReadFile(c.ca)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca: no PEM certificate found in %s", c.ca)
		}
		tc.RootCAs = pool
	}
	if (c.cert == "") != (c.key == "") {
		return nil, errors.New("--cert and --key must be given together")
	}
	if c.cert != "" {
		pair, err := tls.LoadX509KeyPair(c.cert, c.key)
		if err != nil {
			return nil, fmt.Errorf("--cert/--key: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	tc.InsecureSkipVerify = c.insecure
	return tc, nil
}
