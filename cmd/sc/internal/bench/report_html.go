package bench

import (
	"fmt"
	"html/template"
	"io"
	"math"
)

// WriteHTML writes a self-contained HTML report: the figures and inline SVG
// charts of latency over time, throughput over time, connected sockets and
// the latency distribution. It loads nothing from the network.
func (res *Result) WriteHTML(w io.Writer) error {
	latLabel := "publish → receive latency"
	if res.Mode == "rpc" {
		latLabel = "call round trip latency"
	}
	data := struct {
		R        *Result
		LatLabel string
		Charts   []template.HTML
		Summary  [][2]string
		Errors   string
	}{R: res, LatLabel: latLabel, Errors: errorsLine(res.Errors)}
	data.Summary = res.summaryRows()
	for _, c := range res.charts(latLabel) {
		data.Charts = append(data.Charts, template.HTML(c.svg())) // built from numbers and escaped labels
	}
	return reportTemplate.Execute(w, data)
}

func (res *Result) summaryRows() [][2]string {
	s := res.Setup
	rows := [][2]string{
		{"target", res.URL},
		{"mode", res.Mode},
		{"started", res.StartedAt.Format("2006-01-02 15:04:05 UTC")},
		{"clients", fmt.Sprintf("%d of %d connected in %.2f s", s.Connected, s.Requested, s.Seconds)},
		{"connect time", quantileLine(s.ConnectMs)},
		{"window", fmt.Sprintf("%.2f s (%.2f s with the drain)", res.WindowSeconds, res.Seconds)},
	}
	p := res.Params
	if res.Mode == "rpc" {
		load := fmt.Sprintf("%g calls/s", p.Rate)
		if p.Rate == 0 {
			load = fmt.Sprintf("closed loop, %d in flight", p.Concurrency)
		}
		rows = append(rows,
			[2]string{"load", fmt.Sprintf("procedure %s, %s, %d B", p.RPC, load, p.Size)},
			[2]string{"calls", fmt.Sprintf("%d answered (%.1f/s)", res.Sent, res.SentPerS)},
		)
	} else {
		rows = append(rows,
			[2]string{"load", fmt.Sprintf("%g msg/s over %d channels (%d per client), %d B", p.Rate, p.Channels, p.SubsPerClient, p.Size)},
			[2]string{"subscriptions", fmt.Sprintf("%d (%d refused, %d not answered)", s.Subscriptions, s.SubscribeFailed, s.SubscribePending)},
			[2]string{"published", fmt.Sprintf("%d (%.1f/s)", res.Sent, res.SentPerS)},
			[2]string{"received", fmt.Sprintf("%d of %d expected (%.1f/s)", res.Received, res.Expected, res.ReceivedPerS)},
			[2]string{"lost / duplicates / bad", fmt.Sprintf("%d / %d / %d", res.Lost, res.Duplicates, res.BadPayloads)},
		)
	}
	rows = append(rows, [2]string{"latency", quantileLine(res.Latency)})
	if res.AckLatency != nil {
		rows = append(rows, [2]string{"ack latency", quantileLine(*res.AckLatency)})
	}
	rows = append(rows,
		[2]string{"reconnects", fmt.Sprintf("%d (disconnects %d)", res.Reconnects, res.Disconnects)},
		[2]string{"errors", errorsLine(res.Errors)},
	)
	return rows
}

// charts builds the report's charts from the timeline and distribution.
func (res *Result) charts(latLabel string) []chart {
	var p50, p99, pmax, sent, recv, conn []xy
	for _, p := range res.Timeline {
		if p.Samples > 0 {
			p50 = append(p50, xy{p.T, p.P50})
			p99 = append(p99, xy{p.T, p.P99})
			pmax = append(pmax, xy{p.T, p.Max})
		}
		sent = append(sent, xy{p.T, p.SentPerS})
		recv = append(recv, xy{p.T, p.ReceivedPerS})
		conn = append(conn, xy{p.T, float64(p.Connected)})
	}
	rate := []series{{"sent/s", "#1f77b4", sent}}
	if res.Mode == "pubsub" {
		rate = append(rate, series{"received/s", "#2ca02c", recv})
	}
	var dist []xy
	for _, d := range res.Distribution {
		dist = append(dist, xy{nines(d.Percentile), d.Ms})
	}
	return []chart{
		{title: latLabel + " over time (ms, log scale)", xLabel: "seconds", yLabel: "ms", logY: true,
			series: []series{{"p50", "#2ca02c", p50}, {"p99", "#ff7f0e", p99}, {"max", "#d62728", pmax}}},
		{title: "throughput over time", xLabel: "seconds", yLabel: "per second", series: rate},
		{title: "connected sockets", xLabel: "seconds", yLabel: "sockets", series: []series{{"connected", "#9467bd", conn}}},
		{title: latLabel + " distribution (ms, log scale)", xLabel: "percentile", yLabel: "ms", logY: true,
			xTicks: ninesTicks, series: []series{{"latency", "#1f77b4", dist}}},
	}
}

// nines maps a percentile to the x position of a percentile plot: 90 → 1,
// 99 → 2, 99.9 → 3 …; 100 (the maximum) sits at 6.
func nines(p float64) float64 {
	if p >= 100 {
		return 6
	}
	return math.Min(6, -math.Log10(1-p/100))
}

var ninesTicks = []tick{{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}, {6, "max"}}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sc bench report: {{.R.Mode}} {{.R.URL}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 820px; }
h1 { font-size: 20px; margin: 0 0 4px; }
table { border-collapse: collapse; margin: 12px 0 20px; }
td { padding: 3px 12px 3px 0; vertical-align: top; }
td:first-child { color: #666; white-space: nowrap; }
.verdict { font-weight: bold; color: {{if .R.Clean}}#2a7a2a{{else}}#b02020{{end}}; }
svg { display: block; margin: 10px 0 18px; border: 1px solid #ddd; }
svg .t { font-size: 13px; font-weight: bold; }
svg .l { font-size: 11px; fill: #444; }
svg .g { stroke: #eee; }
svg .f { fill: none; stroke: #999; }
</style>
</head>
<body>
<h1>sc bench report</h1>
<div class="verdict">{{if .R.Clean}}clean run{{else}}NOT a clean run{{end}}</div>
<table>
{{range .Summary}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>
{{end}}</table>
{{range .Charts}}{{.}}
{{end}}
</body>
</html>
`))
