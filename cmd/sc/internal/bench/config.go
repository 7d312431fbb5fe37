// Package bench is the load generator behind "sc bench": many sockets
// publishing and receiving (or calling a procedure) at a set rate, with
// latencies kept in HDR histograms and every message accounted for by its
// sequence number.
package bench

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/socketcluster-go/scclient"
)

// Hard limits: a run never exceeds them, whatever it is asked.
const (
	MaxClients     = 20000
	MaxDuration    = time.Hour
	MaxRate        = 1_000_000
	MaxSize        = 1 << 20
	MaxConcurrency = 10000
	MaxChannels    = 100000
	// MaxInflight bounds the calls an open-loop run keeps waiting for an
	// answer; past it the sender waits, so the achieved rate drops.
	MaxInflight = 10000
)

// Default values of the settings left at zero.
const (
	DefaultDuration         = 10 * time.Second
	DefaultMessagesDuration = 10 * time.Minute // the limit of a --messages run
	DefaultDrain            = 5 * time.Second
	DefaultSetupTimeout     = 60 * time.Second
	DefaultConnectRate      = 500
	DefaultInterval         = time.Second
)

// Config describes one run. The zero value of a field means its default.
type Config struct {
	// Options returns the socket options of one client (URL, TLS, headers,
	// timeouts). The run sets DisableAutoConnect itself.
	Options func() scclient.Options
	// Token, when set, is sent in every client's handshake.
	Token string

	// Clients is the number of sockets (1 to MaxClients).
	Clients int
	// ConnectRate is how many sockets start connecting per second.
	ConnectRate float64

	// Channels are the channel names; each client subscribes to
	// SubsPerClient of them, spread evenly (client i starts at channel i).
	// Empty in RPC mode.
	Channels      []string
	SubsPerClient int

	// Rate is the total number of publishes (or calls) per second. In RPC
	// mode 0 with Concurrency set means closed loop.
	Rate float64
	// Size is the payload size in bytes (at least the header's size).
	Size int
	// Ack publishes with InvokePublish instead of TransmitPublish.
	Ack bool
	// RPC, when set, invokes this procedure instead of publishing.
	RPC string
	// Concurrency is the number of calls kept in flight in closed loop.
	Concurrency int

	// Duration is the measured window; Messages, when set, ends it after
	// that many publishes or calls.
	Duration time.Duration
	Messages int64
	// Drain is how long to wait for messages still on their way after the
	// last publish.
	Drain time.Duration
	// SetupTimeout bounds connecting and subscribing every client.
	SetupTimeout time.Duration
	// Interval is the resolution of the timeline (and the progress line).
	Interval time.Duration

	// Progress, when set, receives a progress line every Interval.
	Progress io.Writer
	// Log, when set, receives diagnostic lines.
	Log func(format string, args ...any)
}

// ErrConfig is wrapped by every error about invalid settings.
var ErrConfig = errors.New("invalid bench settings")

// mode names what a run measures.
func (c *Config) mode() string {
	if c.RPC != "" {
		return "rpc"
	}
	return "pubsub"
}

// closedLoop reports whether calls are made back to back by Concurrency
// workers rather than at Rate.
func (c *Config) closedLoop() bool { return c.RPC != "" && c.Rate == 0 }

// normalize checks the settings and fills in the defaults.
func (c *Config) normalize() error {
	if err := c.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

func (c *Config) check() error {
	if c.Options == nil {
		return errors.New("no socket options")
	}
	if c.Clients < 1 || c.Clients > MaxClients {
		return fmt.Errorf("--clients must be 1 to %d, got %d", MaxClients, c.Clients)
	}
	if c.ConnectRate < 0 {
		return fmt.Errorf("--connect-rate must not be negative")
	}
	if c.ConnectRate == 0 {
		c.ConnectRate = DefaultConnectRate
	}
	if c.Rate < 0 || c.Rate > MaxRate {
		return fmt.Errorf("--rate must be 0 to %d, got %v", MaxRate, c.Rate)
	}
	if c.Size < 0 || c.Size > MaxSize {
		return fmt.Errorf("--size must be 0 to %d, got %d", MaxSize, c.Size)
	}
	if c.Concurrency < 0 || c.Concurrency > MaxConcurrency {
		return fmt.Errorf("--concurrency must be 0 to %d, got %d", MaxConcurrency, c.Concurrency)
	}
	if c.Duration < 0 || c.Duration > MaxDuration {
		return fmt.Errorf("--duration must be at most %v, got %v", MaxDuration, c.Duration)
	}
	if c.Messages < 0 {
		return fmt.Errorf("--messages must not be negative")
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
		if c.Messages > 0 {
			c.Duration = DefaultMessagesDuration
		}
	}
	if c.RPC != "" {
		if c.Ack {
			return errors.New("--ack applies to publishing, not to --rpc")
		}
		if c.Rate == 0 && c.Concurrency == 0 {
			return errors.New("--rpc needs --rate (open loop) or --concurrency (closed loop)")
		}
		if c.Rate > 0 && c.Concurrency > 0 {
			return errors.New("--rate and --concurrency cannot be used together")
		}
		c.Channels = nil
		c.SubsPerClient = 0
	} else {
		if c.Concurrency > 0 {
			return errors.New("--concurrency applies to --rpc only")
		}
		if c.Rate == 0 {
			return errors.New("--rate must be positive when publishing")
		}
		if len(c.Channels) == 0 || len(c.Channels) > MaxChannels {
			return fmt.Errorf("--channels must name 1 to %d channels", MaxChannels)
		}
		if c.SubsPerClient == 0 {
			c.SubsPerClient = 1
		}
		if c.SubsPerClient < 0 || c.SubsPerClient > len(c.Channels) {
			return fmt.Errorf("--subs-per-client must be 1 to %d (the number of channels)", len(c.Channels))
		}
	}
	if c.Drain <= 0 {
		c.Drain = DefaultDrain
	}
	if c.SetupTimeout <= 0 {
		c.SetupTimeout = DefaultSetupTimeout
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
	return nil
}
