package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// result is the part of a driver's output line that the comparison uses.
// Pointers are nil when the driver did not report the field.
type result struct {
	Driver        string   `json:"driver"`
	Scenario      string   `json:"scenario"`
	OK            bool     `json:"ok"`
	Error         string   `json:"error"`
	WallS         *float64 `json:"wall_s"`
	CPUS          *float64 `json:"cpu_s"`
	CPUUtil       *float64 `json:"cpu_util"`
	ServerCPUUtil *float64 `json:"server_cpu_util"`
	RSSKiB        *float64 `json:"rss_kib"`
	RSSBaseKiB    *float64 `json:"rss_base_kib"`
	OpsPerS       *float64 `json:"ops_per_s"`
	CPUPer10kOps  *float64 `json:"cpu_s_per_10k_ops"`
	Lat           *struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
	} `json:"lat_us"`
	MsgsPerS      *float64 `json:"msgs_per_s"`
	CPUPer100k    *float64 `json:"cpu_s_per_100k_msgs"`
	ConnsPerS     *float64 `json:"conns_per_s"`
	CPUMsPerConn  *float64 `json:"cpu_ms_per_conn"`
	RSSKiBPerConn *float64 `json:"rss_kib_per_conn"`
	Count         *float64 `json:"count"`
}

// parseResult finds the driver's JSON line in its standard output (the
// last line that starts with '{').
func parseResult(stdout []byte) (result, []byte, error) {
	lines := bytes.Split(bytes.TrimSpace(stdout), []byte{'\n'})
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			return result{}, nil, fmt.Errorf("driver output %q: %w", line, err)
		}
		return r, line, nil
	}
	return result{}, nil, errors.New("the driver printed no JSON line")
}

// settledKiB is the RSS a conns run added from before its first dial to
// after settling.
func (r result) settledKiB() (float64, bool) {
	if r.RSSKiB == nil || r.RSSBaseKiB == nil {
		return 0, false
	}
	return *r.RSSKiB - *r.RSSBaseKiB, true
}
