package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// params echoes the scenario parameters in the report.
type params struct {
	N        int     `json:"n"`
	C        int     `json:"c"`
	M        int     `json:"m"`
	Size     int     `json:"size"`
	K        int     `json:"k"`
	Warmup   int     `json:"warmup"`
	Protocol int     `json:"protocol"`
	TimeoutS float64 `json:"timeout_s"`
}

// latency is the lat_us object of the RPC scenarios.
type latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// report collects the fields of the output line in the order they are set.
// It is safe for concurrent use, since the watchdog may print it while the
// scenario still runs.
type report struct {
	mu     sync.Mutex
	keys   []string
	values map[string]any
}

func newReport(c config) *report {
	r := &report{values: map[string]any{}}
	r.set("driver", "go-scclient")
	r.set("library", "github.com/socketcluster-go/scclient")
	r.set("library_version", libraryVersion())
	r.set("runtime", runtimeDescription())
	notes := "scclient.Socket with DisableAutoReconnect, otherwise defaults; one goroutine per consumer; received payloads decoded into Go strings"
	if !c.Decode {
		notes = "scclient.Socket with DisableAutoReconnect, otherwise defaults; one goroutine per consumer; received payloads left encoded (--decode=false)"
	}
	r.set("notes", notes)
	r.set("scenario", c.Scenario)
	r.set("label", c.Label)
	r.set("params", params{N: c.N, C: c.C, M: c.M, Size: c.Size, K: c.K, Warmup: c.Warmup, Protocol: c.Protocol, TimeoutS: c.TimeoutS})
	r.set("ok", true)
	r.set("error", "")
	r.set("pid", pidSelf())
	r.set("time", time.Now().UTC().Format("2006-01-02T15:04:05Z"))
	return r
}

// libraryVersion is the module version and VCS revision the driver was
// built from, when the build recorded them.
func libraryVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "+dirty"
		}
	}
	return v
}

// set stores a field; float64 values are rounded as the JavaScript driver
// rounds them.
func (r *report) set(key string, v any) {
	if f, ok := v.(float64); ok {
		v = tidy(f)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.values[key]; !seen {
		r.keys = append(r.keys, key)
	}
	r.values[key] = v
}

// fail marks the run failed and appends err to the error field.
func (r *report) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.values["ok"] = false
	msg := err.Error()
	if prev, _ := r.values["error"].(string); prev != "" {
		msg = prev + "; " + msg
	}
	r.values["error"] = msg
}

func (r *report) ok() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	ok, _ := r.values["ok"].(bool)
	return ok
}

func (r *report) get(key string) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.values[key]
}

// latencies sets lat_us from call times.
func (r *report) latencies(d []time.Duration) {
	if len(d) == 0 {
		return
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := max(0, int(math.Ceil(q*float64(len(s))))-1)
		return tidy(float64(s[i]) / 1e3)
	}
	r.set("lat_us", latency{P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: tidy(float64(s[len(s)-1]) / 1e3)})
}

// print writes the report as one JSON line.
func (r *report) print(w io.Writer) {
	r.mu.Lock()
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		val, err := json.Marshal(r.values[k])
		if err != nil {
			val, _ = json.Marshal(fmt.Sprint(r.values[k]))
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteString("}\n")
	r.mu.Unlock()
	_, _ = w.Write(b.Bytes())
}

// tidy rounds like the JavaScript driver: integers from 1000 up, three
// decimals from 1, six below; a value that is not finite becomes -1.
func tidy(f float64) float64 {
	switch a := math.Abs(f); {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return -1
	case a >= 1000:
		return math.Round(f)
	case a >= 1:
		return math.Round(f*1e3) / 1e3
	default:
		return math.Round(f*1e6) / 1e6
	}
}

// runtimeDescription names the Go runtime and the settings that change
// its costs: GOMAXPROCS always, GOGC, GOMEMLIMIT and GODEBUG when set.
func runtimeDescription() string {
	d := fmt.Sprintf("%s %s/%s GOMAXPROCS=%d", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	for _, name := range []string{"GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v := os.Getenv(name); v != "" {
			d += " " + name + "=" + v
		}
	}
	return d
}
