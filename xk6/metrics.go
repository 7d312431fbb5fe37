package xk6

import (
	"context"
	"time"

	"go.k6.io/k6/metrics"
)

// scMetrics are the custom metrics the extension emits.
type scMetrics struct {
	connecting      *metrics.Metric
	sessions        *metrics.Metric
	sessionDuration *metrics.Metric
	msgsSent        *metrics.Metric
	msgsReceived    *metrics.Metric
	publishLatency  *metrics.Metric
	rpcDuration     *metrics.Metric
	errors          *metrics.Metric
	reconnects      *metrics.Metric
}

// registerMetrics creates the metrics in the registry, or finds them when
// another VU already did.
func registerMetrics(r *metrics.Registry) (*scMetrics, error) {
	m := &scMetrics{}
	defs := []struct {
		dst  **metrics.Metric
		name string
		typ  metrics.MetricType
		vt   metrics.ValueType
	}{
		{&m.connecting, "sc_connecting", metrics.Trend, metrics.Time},
		{&m.sessions, "sc_sessions", metrics.Counter, metrics.Default},
		{&m.sessionDuration, "sc_session_duration", metrics.Trend, metrics.Time},
		{&m.msgsSent, "sc_msgs_sent", metrics.Counter, metrics.Default},
		{&m.msgsReceived, "sc_msgs_received", metrics.Counter, metrics.Default},
		{&m.publishLatency, "sc_publish_latency", metrics.Trend, metrics.Time},
		{&m.rpcDuration, "sc_rpc_duration", metrics.Trend, metrics.Time},
		{&m.errors, "sc_errors", metrics.Counter, metrics.Default},
		{&m.reconnects, "sc_reconnects", metrics.Counter, metrics.Default},
	}
	for _, d := range defs {
		metric, err := r.NewMetric(d.name, d.typ, d.vt)
		if err != nil {
			return nil, err
		}
		*d.dst = metric
	}
	return m, nil
}

// sampler pushes samples of one socket with its base tags. It is safe for
// concurrent use: it only reads immutable values and writes to k6's sample
// channel.
type sampler struct {
	ctx     context.Context
	out     chan<- metrics.SampleContainer
	base    metrics.TagsAndMeta
	metrics *scMetrics
}

// push sends one sample, adding the given tag pairs (name, value, …) to the
// socket's tags.
func (s *sampler) push(m *metrics.Metric, value float64, tags ...string) {
	ts := s.base.Tags
	for i := 0; i+1 < len(tags); i += 2 {
		if tags[i+1] != "" {
			ts = ts.With(tags[i], tags[i+1])
		}
	}
	metrics.PushIfNotDone(s.ctx, s.out, metrics.Sample{
		TimeSeries: metrics.TimeSeries{Metric: m, Tags: ts},
		Time:       time.Now(),
		Metadata:   s.base.Metadata,
		Value:      value,
	})
}

// duration pushes a Trend sample of d in milliseconds.
func (s *sampler) duration(m *metrics.Metric, d time.Duration, tags ...string) {
	s.push(m, metrics.D(d), tags...)
}
