package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteText writes the report for people.
func (res *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	p := res.Params
	fmt.Fprintf(&b, "sc bench %s  %s\n", res.Mode, res.URL)
	if res.Mode == "rpc" {
		load := fmt.Sprintf("%g calls/s", p.Rate)
		if p.Rate == 0 {
			load = fmt.Sprintf("closed loop, %d in flight", p.Concurrency)
		}
		fmt.Fprintf(&b, "  %d clients, procedure %s, %s, %d B payloads\n", p.Clients, p.RPC, load, p.Size)
	} else {
		ack := ""
		if p.Ack {
			ack = ", acknowledged"
		}
		fmt.Fprintf(&b, "  %d clients, %d channels (%d per client), %g msg/s%s, %d B payloads\n",
			p.Clients, p.Channels, p.SubsPerClient, p.Rate, ack, p.Size)
	}
	s := res.Setup
	fmt.Fprintf(&b, "\nsetup        %d of %d connected in %.2f s (%d failed)\n", s.Connected, s.Requested, s.Seconds, s.Failed)
	fmt.Fprintf(&b, "connect      %s\n", quantileLine(s.ConnectMs))
	if res.Mode == "pubsub" {
		fmt.Fprintf(&b, "subscribed   %d subscriptions (%d refused, %d not answered in time)\n", s.Subscriptions, s.SubscribeFailed, s.SubscribePending)
	}
	fmt.Fprintf(&b, "\nwindow       %.2f s (%.2f s with the drain)\n", res.WindowSeconds, res.Seconds)
	if res.Mode == "rpc" {
		fmt.Fprintf(&b, "calls        %d answered (%.1f/s)\n", res.Sent, res.SentPerS)
		fmt.Fprintf(&b, "latency      %s  (call round trip)\n", quantileLine(res.Latency))
	} else {
		fmt.Fprintf(&b, "published    %d (%.1f/s)\n", res.Sent, res.SentPerS)
		fmt.Fprintf(&b, "received     %d of %d expected (%.1f/s)\n", res.Received, res.Expected, res.ReceivedPerS)
		fmt.Fprintf(&b, "lost         %d   duplicates %d   bad payloads %d\n", res.Lost, res.Duplicates, res.BadPayloads)
		fmt.Fprintf(&b, "latency      %s  (publish to receive)\n", quantileLine(res.Latency))
		if res.AckLatency != nil {
			fmt.Fprintf(&b, "ack latency  %s  (invokePublish round trip)\n", quantileLine(*res.AckLatency))
		}
	}
	fmt.Fprintf(&b, "reconnects   %d (disconnects %d)\n", res.Reconnects, res.Disconnects)
	fmt.Fprintf(&b, "errors       %s\n", errorsLine(res.Errors))
	verdict := "clean"
	if !res.Clean {
		verdict = "NOT clean"
	}
	fmt.Fprintf(&b, "result       %s\n", verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

// quantileLine formats latency figures in milliseconds.
func quantileLine(q Quantiles) string {
	if q.Count == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s ms  (%d samples)",
		ms(q.P50), ms(q.P90), ms(q.P99), ms(q.P999), ms(q.Max), q.Count)
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func errorsLine(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
