package bench

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func sampleResult() *Result {
	return &Result{
		Tool: "sc bench", URL: "ws://127.0.0.1:1/socketcluster/", Mode: "pubsub", StartedAt: time.Unix(0, 0).UTC(),
		Params: Params{Clients: 2, Channels: 1, SubsPerClient: 1, Rate: 10, Size: 64},
		Setup:  Setup{Requested: 2, Connected: 2, Subscriptions: 2},
		Sent:   10, Expected: 20, Received: 20,
		Latency: Quantiles{Count: 20, P50: 1, P90: 2, P99: 3, P999: 3, Max: 4},
		Errors:  map[string]int64{"TimeoutError": 2, "CustomError": 1},
		Timeline: []Point{
			{T: 1, SentPerS: 10, ReceivedPerS: 20, Connected: 2, Samples: 20, P50: 1, P99: 3, Max: 4},
			{T: 2, SentPerS: 10, ReceivedPerS: 20, Connected: 2, Samples: 20, P50: 1.5, P99: 30, Max: 400},
		},
		Distribution: []Percentile{{0, 0.5}, {50, 1}, {99, 3}, {100, 4}},
	}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"received     20 of 20 expected", "errors       CustomError 1, TimeoutError 2",
		"latency      p50 1.000  p90 2.000  p99 3.000  p99.9 3.000  max 4.000 ms  (20 samples)", "result       NOT clean",
	} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestWriteHTML(t *testing.T) {
	res := sampleResult()
	res.URL = `ws://x/<script>alert(1)</script>`
	var b bytes.Buffer
	if err := res.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatal("the URL is not escaped")
	}
	if strings.Count(page, "<svg") != 4 || strings.Count(page, "<path") < 5 {
		t.Fatalf("charts missing:\n%s", page)
	}
}

func TestChartEmptyAndLog(t *testing.T) {
	if s := (chart{title: "x"}).svg(); !strings.Contains(s, "no data") {
		t.Fatalf("empty chart: %s", s)
	}
	c := chart{title: "t", logY: true, series: []series{{"a", "#000", []xy{{0, 0.2}, {1, 30}, {2, 0}}}}}
	x0, x1, y0, y1, ok := c.bounds()
	if !ok || x0 != 0 || x1 != 1 || y0 != -1 || y1 != 2 {
		t.Fatalf("bounds %v %v %v %v", x0, x1, y0, y1)
	}
	if s := c.svg(); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Fatalf("bad coordinates: %s", s)
	}
}

func TestNinesAndLabels(t *testing.T) {
	for p, want := range map[float64]float64{0: 0, 90: 1, 99: 2, 99.9: 3, 100: 6} {
		if got := nines(p); math.Abs(got-want) > 1e-9 {
			t.Fatalf("nines(%v) = %v", p, got)
		}
	}
	for v, want := range map[float64]string{0: "0", 0.01: "0.01", 2.5: "2.5", 20000: "20k", 2_500_000: "2.5M"} {
		if got := numLabel(v); got != want {
			t.Fatalf("numLabel(%v) = %q, want %q", v, got, want)
		}
	}
	if niceCeil(7) != 8 || niceCeil(0.35) != 0.4 || niceCeil(5010) != 6000 || niceCeil(100) != 100 {
		t.Fatal("niceCeil")
	}
}
