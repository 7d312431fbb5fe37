package bench

import (
	"sort"
	"time"
)

// Result is the report of one run; its JSON form is what --json prints.
type Result struct {
	Tool      string    `json:"tool"`       // "sc bench"
	URL       string    `json:"url"`        // the server
	Mode      string    `json:"mode"`       // "pubsub" or "rpc"
	StartedAt time.Time `json:"started_at"` // when the run began (UTC)
	Params    Params    `json:"params"`     // the settings

	// Setup describes connecting and subscribing.
	Setup Setup `json:"setup"`

	// WindowSeconds is the time publishes or calls were made; Seconds adds
	// the drain.
	WindowSeconds float64 `json:"window_s"`
	Seconds       float64 `json:"total_s"`

	// Sent counts publishes (or calls) made without error, SentPerS their
	// rate over the window.
	Sent     int64   `json:"sent"`
	SentPerS float64 `json:"sent_per_s"`

	// Pub/sub accounting: deliveries expected by the subscriptions that
	// were active when the window opened, those received, lost (never
	// arrived), duplicated, and payloads that were not the run's own.
	Expected     int64   `json:"expected"`
	Received     int64   `json:"received"`
	ReceivedPerS float64 `json:"received_per_s"`
	Lost         int64   `json:"lost"`
	Duplicates   int64   `json:"duplicates"`
	BadPayloads  int64   `json:"bad_payloads"`

	// Latency is publish → receive (pub/sub) or the call's round trip
	// (RPC); AckLatency is the invokePublish round trip with --ack.
	Latency      Quantiles    `json:"latency_ms"`
	AckLatency   *Quantiles   `json:"ack_latency_ms,omitempty"`
	Distribution []Percentile `json:"distribution,omitempty"`

	// Errors counts failed calls and refused subscriptions by sc-errors
	// name.
	Errors      map[string]int64 `json:"errors"`
	ErrorCount  int64            `json:"error_count"` // the sum of Errors
	Reconnects  int64            `json:"reconnects"`  // handshakes after a client's first
	Disconnects int64            `json:"disconnects"` // connections lost before the teardown

	// Clean is true when every client connected and subscribed and
	// nothing was lost, duplicated, corrupted or refused.
	Clean bool `json:"clean"`

	// Timeline has one point per interval of the window and the drain.
	Timeline []Point `json:"timeline"`
}

// Params echoes the settings of the run (see Config for their meaning).
type Params struct {
	Clients       int      `json:"clients"`                   // sockets asked for
	ConnectRate   float64  `json:"connect_rate"`              // sockets started per second
	Channels      int      `json:"channels"`                  // number of channels
	ChannelNames  []string `json:"channel_names,omitempty"`   // the names, when there are at most 20
	SubsPerClient int      `json:"subs_per_client,omitempty"` // channels each client subscribes to
	Rate          float64  `json:"rate"`                      // publishes or calls per second (0: closed loop)
	Size          int      `json:"size"`                      // payload bytes
	Ack           bool     `json:"ack,omitempty"`             // publishes were acknowledged
	RPC           string   `json:"rpc,omitempty"`             // the procedure called in RPC mode
	Concurrency   int      `json:"concurrency,omitempty"`     // calls in flight in closed loop
	DurationS     float64  `json:"duration_s"`                // the window's limit
	Messages      int64    `json:"messages,omitempty"`        // the message budget (0: none)
}

// Setup describes connecting and subscribing the clients.
type Setup struct {
	Seconds          float64   `json:"seconds"`           // time until every client was ready
	Requested        int       `json:"requested"`         // clients asked for
	Connected        int       `json:"connected"`         // clients connected when the window opened
	Failed           int       `json:"failed"`            // clients that did not connect in time
	ConnectMs        Quantiles `json:"connect_ms"`        // time from dialing to the handshake's answer
	Subscriptions    int       `json:"subscriptions"`     // subscriptions accepted before the window
	SubscribeFailed  int64     `json:"subscribe_failed"`  // subscriptions the server refused
	SubscribePending int       `json:"subscribe_pending"` // subscriptions not answered in time
}

func (r *run) newResult() *Result {
	cfg := r.cfg
	opts := cfg.Options()
	p := Params{
		Clients: cfg.Clients, ConnectRate: cfg.ConnectRate, Channels: len(cfg.Channels),
		SubsPerClient: cfg.SubsPerClient, Rate: cfg.Rate, Size: cfg.Size, Ack: cfg.Ack,
		RPC: cfg.RPC, Concurrency: cfg.Concurrency, DurationS: cfg.Duration.Seconds(), Messages: cfg.Messages,
	}
	if len(cfg.Channels) <= 20 {
		p.ChannelNames = cfg.Channels
	}
	return &Result{Tool: "sc bench", URL: opts.URL, Mode: cfg.mode(), StartedAt: time.Now().UTC(), Params: p}
}

func (r *run) setupResult(took time.Duration) Setup {
	s := Setup{Seconds: took.Seconds(), Requested: r.cfg.Clients, Connected: len(r.ready)}
	s.Failed = s.Requested - s.Connected
	s.ConnectMs = quantiles(r.connectLat.total())
	for _, c := range r.ready {
		for _, sb := range c.subs {
			switch {
			case sb.counted.Load():
				s.Subscriptions++
			case !sb.refused.Load():
				s.SubscribePending++
			}
		}
	}
	s.SubscribeFailed = r.subscribeFails.Load()
	return s
}

// finish fills in the figures once every goroutine of the run has ended.
func (r *run) finish(res *Result, window, total time.Duration, pts []Point) {
	res.WindowSeconds = window.Seconds()
	res.Seconds = total.Seconds()
	res.Sent = r.sent.Load()
	if window > 0 {
		res.SentPerS = float64(res.Sent) / window.Seconds()
	}
	res.Received = r.received.Load()
	if total > 0 {
		res.ReceivedPerS = float64(res.Received) / total.Seconds()
	}
	res.Duplicates = r.dups.Load()
	res.BadPayloads = r.bad.Load()
	if r.cfg.RPC == "" {
		res.Expected, res.Lost = r.accountLoss()
		h := r.pubLat.total()
		res.Latency = quantiles(h)
		res.Distribution = distribution(h)
		if r.cfg.Ack {
			q := quantiles(r.callLat.total())
			res.AckLatency = &q
		}
	} else {
		h := r.callLat.total()
		res.Latency = quantiles(h)
		res.Distribution = distribution(h)
	}
	res.Errors = r.errs.snapshot()
	if res.Errors == nil {
		res.Errors = map[string]int64{}
	}
	res.ErrorCount = r.errs.total()
	res.Reconnects = r.reconnects.Load()
	res.Disconnects = r.disconnects.Load()
	res.Timeline = pts
	if res.Timeline == nil {
		res.Timeline = []Point{}
	}
	res.Clean = res.Setup.Failed == 0 && res.Setup.SubscribeFailed == 0 && res.Setup.SubscribePending == 0 &&
		res.Lost == 0 && res.Duplicates == 0 && res.BadPayloads == 0 && res.ErrorCount == 0 && res.Sent > 0
}

// accountLoss counts, for every subscription active when the window
// opened, the sequence numbers published on its channel (except failed
// publishes) that never arrived.
func (r *run) accountLoss() (expected, lost int64) {
	for ch := range r.failed {
		sort.Slice(r.failed[ch], func(i, j int) bool { return r.failed[ch][i] < r.failed[ch][j] })
	}
	for _, c := range r.ready {
		for _, s := range c.subs {
			if !s.counted.Load() {
				continue
			}
			published := r.chanSeq[s.ch].Load()
			failed := r.failed[s.ch]
			want := published - int64(len(failed))
			got := s.seen.countBelow(published)
			for _, f := range failed {
				if s.seen.has(f) {
					got--
				}
			}
			expected += want
			lost += want - got
		}
	}
	return expected, lost
}
