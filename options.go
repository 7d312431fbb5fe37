package scclient

import (
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/codec"
	"github.com/socketcluster-go/scclient/streams"
)

// Version is the version of the JavaScript client whose behaviour this
// package reproduces; it is exposed as Socket.Version.
const Version = "20.0.2"

// Default values of the options, the same as the JavaScript client's.
const (
	DefaultPath                     = "/socketcluster/"
	DefaultConnectTimeout           = 20 * time.Second
	DefaultAckTimeout               = 10 * time.Second
	DefaultBatchInterval            = 50 * time.Millisecond
	DefaultBatchOnHandshakeDuration = 100 * time.Millisecond
	DefaultTimestampParam           = "t"
	DefaultProtocolVersion          = 2
	DefaultReadLimit                = 64 << 20
	DefaultReadCoalesceDelay        = time.Millisecond
	DefaultInitialDelay             = 10 * time.Second
	DefaultRandomness               = 10 * time.Second
	DefaultMultiplier               = 1.5
	DefaultMaxDelay                 = 60 * time.Second
)

// maxTimeout is the largest timeout the JavaScript client accepts
// (2^31-1 ms, the limit of setTimeout).
const maxTimeout = time.Duration(math.MaxInt32) * time.Millisecond

// Options configure a Socket. The zero value of every field means the
// JavaScript client's default, so Options{} connects to ws://localhost:80.
type Options struct {
	// URL is a whole ws:// or wss:// URL (path and query included). It is
	// an alternative to Hostname, Port, Host, Secure, Path and Query, and
	// may not be combined with Host, Hostname or Port.
	URL string

	// Host is "hostname:port", used verbatim as the URL authority. It may
	// not be combined with Hostname or Port.
	Host string
	// Hostname is the host part of the URL. Default "localhost".
	Hostname string
	// Port is the port. Default 80, or 443 when Secure. It is left out of
	// the URL when it is the scheme's default.
	Port int
	// Secure selects wss instead of ws.
	Secure bool
	// ProtocolScheme overrides the URL scheme verbatim.
	ProtocolScheme string
	// SocketPath, when set, dials this Unix domain socket instead of a TCP
	// address; the HTTP request still uses Path.
	SocketPath string
	// Path is the HTTP path of the upgrade request. Default "/socketcluster/".
	Path string
	// Query holds query parameters of the upgrade request. Keys are
	// encoded in sorted order (the JavaScript client keeps insertion order;
	// servers do not depend on it).
	Query url.Values
	// TimestampRequests adds TimestampParam=<milliseconds since the epoch>
	// to the query of every connection.
	TimestampRequests bool
	// TimestampParam names that parameter. Default "t".
	TimestampParam string

	// DisableAutoConnect stops Create from connecting at once. A call that
	// sends (Transmit, Invoke, Authenticate, …) still connects a closed
	// socket, as in JavaScript.
	DisableAutoConnect bool
	// DisableAutoReconnect turns off reconnecting after a lost connection.
	DisableAutoReconnect bool
	// AutoReconnectOptions tunes the reconnect schedule; zero fields take
	// the defaults (initial delay 10 s, randomness 10 s, multiplier 1.5,
	// maximum delay 60 s). Ignored when ReconnectBackOff is set.
	AutoReconnectOptions ReconnectOptions
	// ReconnectBackOff replaces the JavaScript reconnect schedule with any
	// backoff.BackOff. backoff.Stop ends reconnecting. Reset is called after
	// every successful handshake. The immediate reconnect after a ping
	// timeout (codes 4000, 4001, 1005) still applies.
	ReconnectBackOff backoff.BackOff
	// DisableAutoSubscribeOnConnect stops the socket from sending
	// #subscribe for pending channels after a handshake; call
	// ProcessPendingSubscriptions (or the connect event's function) to do it.
	DisableAutoSubscribeOnConnect bool

	// ConnectTimeout bounds the time from dialing to an open WebSocket
	// (close code 4007), and is the ping timeout until the handshake
	// response tells the server's. Default 20 s.
	ConnectTimeout time.Duration
	// AckTimeout is the default time an invoke waits for its response,
	// counted from the call (queue time included), and the time the
	// handshake may take. Default 10 s.
	AckTimeout time.Duration
	// PingTimeoutDisabled turns off the ping timeout and the stale-socket
	// check.
	PingTimeoutDisabled bool
	// ProtocolVersion selects the ping/pong flavour: 1 ("#1"/"#2") or 2
	// (empty frames). Default 2. It must match the server's.
	ProtocolVersion int

	// ChannelPrefix is prepended to every channel name on the wire and
	// stripped from inbound channel names that start with it.
	ChannelPrefix string

	// AuthTokenName is the key under which the auth engine stores the
	// signed token. Default "socketcluster.authToken.<host>" or
	// "socketcluster.authToken.<hostname>:<port>".
	AuthTokenName string
	// AuthEngine stores the signed auth token between connections. Default
	// a fresh in-memory engine per socket.
	AuthEngine AuthEngine
	// Codec encodes and decodes frames. Default codec.JSON, compatible with
	// the JavaScript client and server.
	Codec codec.Codec
	// CloneData is accepted for compatibility. Payloads are always encoded
	// at call time, so later changes by the caller never alter what is sent.
	CloneData bool

	// BatchOnHandshake batches outbound packets for
	// BatchOnHandshakeDuration after each handshake.
	BatchOnHandshake bool
	// BatchOnHandshakeDuration defaults to 100 ms.
	BatchOnHandshakeDuration time.Duration
	// BatchInterval is the flush period while batching. Default 50 ms.
	BatchInterval time.Duration

	// Dialer dials the WebSocket and performs the HTTP upgrade. Default a
	// dialer with the proxy from the environment, permessage-deflate
	// offered and TCP keep-alive off unless PingTimeoutDisabled is set (the
	// ping finds dead links). Its TLSClientConfig is replaced by
	// TLSConfig when that is set. Its ReadBufferSize only sizes the read of
	// the upgrade response (default 512 bytes): frames are read by the
	// socket's own reader.
	Dialer *websocket.Dialer
	// Header holds extra HTTP headers for the upgrade request, such as
	// Origin or Authorization.
	Header http.Header
	// TLSConfig configures wss connections (custom CA, client
	// certificates). Certificates are verified unless it says otherwise.
	TLSConfig *tls.Config
	// ReadLimit is the largest inbound message accepted, in bytes, counting
	// all its fragments and, when compressed, its inflated size; a larger
	// one closes the connection with 1009. Default 64 MiB.
	ReadLimit int64
	// ReadCoalesceDelay bounds how long received bytes may wait in the
	// kernel while the socket lets answers to many calls in flight pile up
	// before reading them (Linux, plain TCP; see the README's performance
	// section). Default 1 ms; a negative value turns coalescing off.
	ReadCoalesceDelay time.Duration
	// BinaryType is accepted for compatibility; binary frames always arrive
	// as []byte.
	BinaryType string

	// ClientID identifies this socket object across connections; it is
	// never sent. Default a random UUID v4.
	ClientID string

	// Logger receives diagnostics (never tokens or payloads). Default: none.
	Logger *slog.Logger

	// MaxBacklog bounds how many values each stream consumer (event
	// listener, receiver, procedure, channel) may have waiting. 0, the
	// default, means unbounded, as in JavaScript: a consumer that is never
	// read then grows without limit. A consumer that reaches the bound
	// follows BacklogPolicy, counts what it drops (Consumer.Dropped) and is
	// reported once on the error listener as a *SlowConsumerError each time
	// it starts overflowing. Consumer.SetMaxBacklog changes one consumer.
	MaxBacklog int
	// BacklogPolicy is what a consumer at MaxBacklog does with the next
	// value: streams.DropOldest (the default), streams.DropNewest, or
	// streams.CloseConsumer (the consumer ends).
	BacklogPolicy streams.OverflowPolicy
}

// ReconnectOptions are the parameters of the JavaScript reconnect schedule:
// delay = round(InitialDelay + Randomness·U[0,1)) · Multiplier^attempt,
// capped at MaxDelay.
type ReconnectOptions struct {
	// InitialDelay defaults to 10 s.
	InitialDelay time.Duration
	// Randomness defaults to 10 s; a negative value means none.
	Randomness time.Duration
	// Multiplier defaults to 1.5.
	Multiplier float64
	// MaxDelay defaults to 60 s.
	MaxDelay time.Duration
}

var hostPattern = regexp.MustCompile(`[^:]+:\d{2,5}`)

// resolveOptions checks the options and fills in every default.
func resolveOptions(o Options) (Options, error) {
	if o.URL != "" {
		if o.Host != "" || o.Hostname != "" || o.Port != 0 {
			return o, newInvalidArgumentsError("The URL option cannot be combined with the host, hostname or port options")
		}
		u, err := url.Parse(o.URL)
		if err != nil {
			return o, newInvalidArgumentsError("The URL option is not a valid URL: %v", err)
		}
		switch u.Scheme {
		case "ws":
		case "wss":
			o.Secure = true
		default:
			return o, newInvalidArgumentsError("The URL option must start with ws:// or wss://, not %q", u.Scheme+"://")
		}
		if u.User != nil || u.Fragment != "" {
			return o, newInvalidArgumentsError("The URL option may not carry user information or a fragment")
		}
		o.Hostname = u.Hostname()
		if o.Hostname == "" {
			return o, newInvalidArgumentsError("The URL option %q has no host", o.URL)
		}
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 || n > 65535 {
				return o, newInvalidArgumentsError("The URL option has an invalid port %q", p)
			}
			o.Port = n
		}
		if u.Path != "" {
			o.Path = u.Path
		}
		if u.RawQuery != "" {
			q, err := url.ParseQuery(u.RawQuery)
			if err != nil {
				return o, newInvalidArgumentsError("The URL option has an invalid query: %v", err)
			}
			if o.Query == nil {
				o.Query = url.Values{}
			}
			for k, vs := range q {
				o.Query[k] = append(o.Query[k], vs...)
			}
		}
	}
	if o.Host != "" {
		if !hostPattern.MatchString(o.Host) {
			return o, newInvalidArgumentsError("The host option should include both the hostname and the port number in the hostname:port format")
		}
		if o.Hostname != "" {
			return o, newInvalidArgumentsError("The host option should already include the hostname and the port number in the hostname:port format - Because of this, you should never use host and hostname options together")
		}
		if o.Port != 0 {
			return o, newInvalidArgumentsError("The host option should already include the hostname and the port number in the hostname:port format - Because of this, you should never use host and port options together")
		}
	}
	if o.Hostname == "" && o.Host == "" {
		o.Hostname = "localhost"
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, newInvalidArgumentsError("The port option must be between 1 and 65535, not %d", o.Port)
	}
	if o.Port == 0 && o.Host == "" {
		if o.Secure {
			o.Port = 443
		} else {
			o.Port = 80
		}
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.TimestampParam == "" {
		o.TimestampParam = DefaultTimestampParam
	}
	var err error
	if o.ConnectTimeout, err = timeoutOption("connectTimeout", o.ConnectTimeout, DefaultConnectTimeout); err != nil {
		return o, err
	}
	if o.AckTimeout, err = timeoutOption("ackTimeout", o.AckTimeout, DefaultAckTimeout); err != nil {
		return o, err
	}
	if o.BatchInterval, err = timeoutOption("batchInterval", o.BatchInterval, DefaultBatchInterval); err != nil {
		return o, err
	}
	if o.BatchOnHandshakeDuration, err = timeoutOption("batchOnHandshakeDuration", o.BatchOnHandshakeDuration, DefaultBatchOnHandshakeDuration); err != nil {
		return o, err
	}
	switch o.ProtocolVersion {
	case 0:
		o.ProtocolVersion = DefaultProtocolVersion
	case 1, 2:
	default:
		return o, newInvalidArgumentsError("The protocolVersion option must be 1 or 2, not %d", o.ProtocolVersion)
	}
	if o.MaxBacklog < 0 {
		return o, newInvalidArgumentsError("The maxBacklog option must not be negative")
	}
	if o.BacklogPolicy < streams.DropOldest || o.BacklogPolicy > streams.CloseConsumer {
		return o, newInvalidArgumentsError("The backlogPolicy option %d is not a known policy", int(o.BacklogPolicy))
	}
	if o.ReadLimit < 0 {
		return o, newInvalidArgumentsError("The readLimit option must not be negative")
	}
	if o.ReadLimit == 0 {
		o.ReadLimit = DefaultReadLimit
	}
	if o.ReadCoalesceDelay == 0 {
		o.ReadCoalesceDelay = DefaultReadCoalesceDelay
	}
	r := &o.AutoReconnectOptions
	if r.InitialDelay < 0 || r.MaxDelay < 0 || r.Multiplier < 0 {
		return o, newInvalidArgumentsError("The autoReconnectOptions values must not be negative")
	}
	if r.InitialDelay == 0 {
		r.InitialDelay = DefaultInitialDelay
	}
	if r.Randomness == 0 {
		r.Randomness = DefaultRandomness
	}
	if r.Multiplier == 0 {
		r.Multiplier = DefaultMultiplier
	}
	if r.MaxDelay == 0 {
		r.MaxDelay = DefaultMaxDelay
	}
	if o.AuthTokenName == "" {
		if o.Host != "" {
			o.AuthTokenName = "socketcluster.authToken." + o.Host
		} else {
			o.AuthTokenName = "socketcluster.authToken." + o.Hostname + ":" + strconv.Itoa(o.Port)
		}
	}
	if o.AuthEngine == nil {
		o.AuthEngine = NewMemoryAuthEngine()
	}
	if o.Codec == nil {
		o.Codec = codec.JSON
	}
	if o.ClientID == "" {
		o.ClientID = newUUID()
	}
	for name, values := range o.Header {
		if !validHeaderName(name) {
			return o, newInvalidArgumentsError("The header name %q is not a valid HTTP header name", name)
		}
		if handshakeHeaders[http.CanonicalHeaderKey(name)] {
			return o, newInvalidArgumentsError("The header %s belongs to the WebSocket handshake and cannot be set", name)
		}
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n\x00") {
				return o, newInvalidArgumentsError("The value of header %q contains a line break or NUL", name)
			}
		}
	}
	return o, nil
}

// handshakeHeaders are set by the WebSocket handshake itself; letting a
// caller override them would break or subvert the upgrade.
var handshakeHeaders = map[string]bool{
	"Upgrade":                  true,
	"Connection":               true,
	"Sec-Websocket-Key":        true,
	"Sec-Websocket-Version":    true,
	"Sec-Websocket-Extensions": true,
	"Sec-Websocket-Accept":     true,
}

func timeoutOption(name string, v, def time.Duration) (time.Duration, error) {
	switch {
	case v < 0:
		return v, newInvalidArgumentsError("The %s value must not be negative", name)
	case v == 0:
		return def, nil
	case v > maxTimeout:
		return v, newInvalidArgumentsError("The %s value provided exceeded the maximum amount allowed", name)
	}
	return v, nil
}

func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// newUUID returns a random UUID v4.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// buildURL computes the URL of the next connection (PROTOCOL §2).
func buildURL(o *Options, now time.Time) string {
	scheme := o.ProtocolScheme
	if scheme == "" {
		if o.Secure {
			scheme = "wss"
		} else {
			scheme = "ws"
		}
	}
	var host string
	switch {
	case o.SocketPath != "":
		host = o.SocketPath + ":"
	case o.Host != "":
		host = o.Host
	default:
		host = o.Hostname
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			host = "[" + host + "]" // an IPv6 literal
		}
		if o.Port != 0 && !(scheme == "wss" && o.Port == 443) && !(scheme == "ws" && o.Port == 80) {
			host += ":" + strconv.Itoa(o.Port)
		}
	}
	q := o.Query
	if o.TimestampRequests {
		q = make(url.Values, len(o.Query)+1)
		for k, v := range o.Query {
			q[k] = v
		}
		q.Set(o.TimestampParam, strconv.FormatInt(now.UnixMilli(), 10))
	}
	u := scheme + "://" + host + o.Path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}
