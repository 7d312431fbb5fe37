package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient"
)

func TestRecorderQuantiles(t *testing.T) {
	r := newRecorder(4)
	for i := 1; i <= 1000; i++ {
		r.record(i, time.Duration(i)*time.Millisecond)
	}
	r.record(0, -time.Second) // clamped to the lowest value
	r.record(1, 2*time.Hour)  // clamped to the highest value
	q := quantiles(r.total())
	if q.Count != 1002 || q.Min != 0.001 || q.P50 < 495 || q.P50 > 505 || q.P99 < 985 || q.P99 > 995 {
		t.Fatalf("%+v", q)
	}
	if q.Max < float64(time.Hour/time.Millisecond)*0.99 {
		t.Fatalf("max %v", q.Max)
	}
	w := r.takeWindow()
	if w.TotalCount() != 1002 || r.takeWindow().TotalCount() != 0 || r.total().TotalCount() != 1002 {
		t.Fatal("window not reset, or total reset with it")
	}
	d := distribution(r.total())
	if len(d) != len(distributionPercentiles) || d[len(d)-1].Percentile != 100 || d[len(d)-1].Ms != q.Max || d[0].Ms != q.Min {
		t.Fatalf("distribution %v", d)
	}
	if quantiles(newHist()).Count != 0 || distribution(newHist()) != nil {
		t.Fatal("empty histogram")
	}
}

func TestErrName(t *testing.T) {
	for want, err := range map[string]error{
		"CustomError":         &scclient.SCError{Name: "CustomError"},
		"TimeoutError":        &scclient.TimeoutError{SCError: &scclient.SCError{Name: "TimeoutError"}},
		"NonObjectError":      &scclient.SCError{Value: "x"},
		"SocketClosed":        scclient.ErrClosed,
		"*errors.errorString": errors.New("x"),
	} {
		if got := errName(err); got != want {
			t.Fatalf("errName(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestConfigNormalize(t *testing.T) {
	opts := func() scclient.Options { return scclient.Options{} }
	c := Config{Options: opts, Clients: 5, Rate: 10, Channels: []string{"a"}}
	if err := c.normalize(); err != nil {
		t.Fatal(err)
	}
	if c.Duration != DefaultDuration || c.SubsPerClient != 1 || c.ConnectRate != DefaultConnectRate {
		t.Fatalf("defaults %+v", c)
	}
	c = Config{Options: opts, Clients: 5, Rate: 10, Channels: []string{"a"}, Messages: 3}
	if err := c.normalize(); err != nil || c.Duration != DefaultMessagesDuration {
		t.Fatalf("%v %v", err, c.Duration)
	}
	for _, bad := range []Config{
		{Clients: 1, Rate: 1, Channels: []string{"a"}},
		{Options: opts, Clients: 0, Rate: 1, Channels: []string{"a"}},
		{Options: opts, Clients: MaxClients + 1, Rate: 1, Channels: []string{"a"}},
		{Options: opts, Clients: 1, Rate: MaxRate + 1, Channels: []string{"a"}},
		{Options: opts, Clients: 1, Rate: 1},
		{Options: opts, Clients: 1, Rate: 1, Channels: []string{"a"}, Duration: 2 * MaxDuration},
		{Options: opts, Clients: 1, RPC: "echo", Rate: 1, Concurrency: 2},
		{Options: opts, Clients: 1, Rate: 1, Channels: []string{"a"}, Concurrency: 2},
	} {
		if err := bad.normalize(); !errors.Is(err, ErrConfig) {
			t.Fatalf("%+v: want ErrConfig, got %v", bad, err)
		}
	}
}
