package cli

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/socketcluster-go/scclient"
)

// DefaultURL is the server the commands talk to when --url is not given.
const DefaultURL = "ws://127.0.0.1:8000/socketcluster/"

// connFlags are the connection flags every command takes.
type connFlags struct {
	url             string
	token           string
	tokenFile       string
	headers         []string
	ca              string
	cert            string
	key             string
	insecure        bool
	ackTimeout      time.Duration
	connectTimeout  time.Duration
	protocolVersion int
	reconnectDelay  time.Duration
	quiet           bool
}

func (c *connFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.url, "url", DefaultURL, "server URL (ws:// or wss://)")
	fs.StringVar(&c.token, "token", "", "signed auth token (JWT) sent in the handshake")
	fs.StringVar(&c.tokenFile, "token-file", "", "read the auth token from this file")
	fs.StringArrayVar(&c.headers, "header", nil, "extra HTTP header for the upgrade request, `Name: value` (repeatable)")
	fs.StringVar(&c.ca, "ca", "", "PEM file of CA certificates to trust for wss://")
	fs.StringVar(&c.cert, "cert", "", "PEM client certificate for wss:// (needs --key)")
	fs.StringVar(&c.key, "key", "", "PEM private key of --cert")
	fs.BoolVar(&c.insecure, "insecure", false, "do not verify the server's certificate (prints a warning)")
	fs.DurationVar(&c.ackTimeout, "ack-timeout", scclient.DefaultAckTimeout, "how long a call waits for the server's answer")
	fs.DurationVar(&c.connectTimeout, "connect-timeout", 10*time.Second, "how long connecting may take")
	fs.IntVar(&c.protocolVersion, "protocol-version", scclient.DefaultProtocolVersion, "ping/pong protocol version, 1 or 2 (must match the server)")
	fs.DurationVar(&c.reconnectDelay, "reconnect-delay", time.Second, "first delay before reconnecting a lost connection (commands that stay connected)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print only errors on stderr")
}

// options turns the flags into socket options. The token, when given, is
// returned separately: the caller stores it in the socket's auth engine so
// that it goes out with the handshake.
func (c *connFlags) options() (scclient.Options, string, error) {
	var o scclient.Options
	if c.url == "" {
		return o, "", errors.New("--url must not be empty")
	}
	o.URL = c.url
	o.DisableAutoConnect = true
	if c.ackTimeout <= 0 {
		return o, "", fmt.Errorf("--ack-timeout must be positive, got %v", c.ackTimeout)
	}
	if c.connectTimeout <= 0 {
		return o, "", fmt.Errorf("--connect-timeout must be positive, got %v", c.connectTimeout)
	}
	if c.reconnectDelay <= 0 {
		return o, "", fmt.Errorf("--reconnect-delay must be positive, got %v", c.reconnectDelay)
	}
	o.AckTimeout = c.ackTimeout
	o.ConnectTimeout = c.connectTimeout
	o.ProtocolVersion = c.protocolVersion
	o.AutoReconnectOptions = scclient.ReconnectOptions{
		InitialDelay: c.reconnectDelay,
		Randomness:   c.reconnectDelay / 2,
		Multiplier:   1.5,
		MaxDelay:     max(30*time.Second, c.reconnectDelay),
	}
	h, err := parseHeaders(c.headers)
	if err != nil {
		return o, "", err
	}
	o.Header = h
	tc, err := c.tlsConfig()
	if err != nil {
		return o, "", err
	}
	o.TLSConfig = tc
	token, err := c.readToken()
	if err != nil {
		return o, "", err
	}
	return o, token, nil
}

// readToken returns --token or the trimmed contents of --token-file.
func (c *connFlags) readToken() (string, error) {
	if c.token != "" && c.tokenFile != "" {
		return "", errors.New("--token and --token-file cannot be used together")
	}
	if c.tokenFile == "" {
		return strings.TrimSpace(c.token), nil
	}
	b, err := os.ReadFile(c.tokenFile)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("--token-file: %s is empty", c.tokenFile)
	}
	return t, nil
}

// parseHeaders turns "Name: value" strings into a header.
func parseHeaders(lines []string) (http.Header, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	h := make(http.Header, len(lines))
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return nil, fmt.Errorf("--header %q: want \"Name: value\"", l)
		}
		if strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("--header %q: the value must be one line", l)
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	return h, nil
}
