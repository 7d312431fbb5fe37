package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// snapshot is the state of this process (and of the server, when its pid
// is known) at one instant.
type snapshot struct {
	at     time.Time
	user   float64
	sys    float64
	mem    memKiB
	server *procSample
}

func pidSelf() int { return os.Getpid() }

// take records a snapshot; serverPID 0 skips the server.
func take(serverPID int) snapshot {
	s := snapshot{at: time.Now(), mem: readMem("self")}
	s.user, s.sys = ownCPU()
	if serverPID > 0 {
		if p, err := sampleProcess(serverPID); err == nil {
			s.server = &p
		}
	}
	return s
}

// cpuSince is the CPU time (user+system, s) from a to b.
func cpuSince(a, b snapshot) float64 {
	return (b.user - a.user) + (b.sys - a.sys)
}

// window measures the interval between begin and end: it takes the
// snapshots and, when asked for, profiles it.
type window struct {
	cfg     config
	a, b    snapshot
	profile *os.File
}

// begin starts the measured window.
func begin(cfg config) (*window, error) {
	w := &window{cfg: cfg}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		w.profile = f
	}
	w.a = take(cfg.ServerPID)
	return w, nil
}

// end closes the window, stopping a CPU profile and writing a heap
// profile when asked for.
func (w *window) end() error {
	w.b = take(w.cfg.ServerPID)
	var errs []error
	if w.profile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, w.profile.Close())
		w.profile = nil
	}
	if w.cfg.MemProfile != "" && w.cfg.Scenario != "conns" {
		errs = append(errs, writeHeapProfile(w.cfg.MemProfile))
	}
	return errors.Join(errs...)
}

// cpu is the window's CPU time in seconds.
func (w *window) cpu() float64 { return cpuSince(w.a, w.b) }

// record sets the window's fields in the report and returns its length in
// seconds.
func (w *window) record(r *report) float64 {
	wall := w.b.at.Sub(w.a.at).Seconds()
	cpu := w.cpu()
	r.set("wall_s", wall)
	r.set("cpu_s", cpu)
	r.set("cpu_user_s", w.b.user-w.a.user)
	r.set("cpu_sys_s", w.b.sys-w.a.sys)
	if wall > 0 {
		r.set("cpu_util", cpu/wall)
	}
	r.set("rss_kib", w.b.mem.RSS)
	r.set("rss_peak_kib", w.b.mem.Peak)
	if w.a.server != nil && w.b.server != nil {
		scpu := w.b.server.CPU - w.a.server.CPU
		r.set("server_cpu_s", scpu)
		if wall > 0 {
			r.set("server_cpu_util", scpu/wall)
		}
		r.set("server_rss_kib", w.b.server.RSSKiB)
	}
	return wall
}

// writeHeapProfile writes a heap profile after a garbage collection, so
// that it shows what is live.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}
