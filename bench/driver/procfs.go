package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// clockTicks is the kernel's USER_HZ, the unit of the CPU times in
// /proc/<pid>/stat; it is 100 on every Linux platform Go supports.
const clockTicks = 100

// memKiB holds a process's resident set size and its peak, in KiB (-1 when
// unknown).
type memKiB struct {
	RSS  int64
	Peak int64
}

// readMem reads VmRSS and VmHWM from /proc/<pid>/status ("self" for this
// process).
func readMem(pid string) memKiB {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return memKiB{RSS: -1, Peak: -1}
	}
	return parseStatus(b)
}

// parseStatus extracts VmRSS and VmHWM from the text of a status file.
func parseStatus(b []byte) memKiB {
	m := memKiB{RSS: -1, Peak: -1}
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		name, rest, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		var dst *int64
		switch string(name) {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		default:
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		if v, err := strconv.ParseInt(string(fields[0]), 10, 64); err == nil {
			*dst = v
		}
	}
	return m
}

// procSample is another process's CPU time (user+system, seconds) and RSS.
type procSample struct {
	CPU    float64
	RSSKiB int64
}

// sampleProcess reads the CPU time and RSS of process pid from /proc.
func sampleProcess(pid int) (procSample, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procSample{}, err
	}
	cpu, err := parseStatCPU(b)
	if err != nil {
		return procSample{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return procSample{CPU: cpu, RSSKiB: readMem(strconv.Itoa(pid)).RSS}, nil
}

// parseStatCPU returns utime+stime in seconds from the text of a stat file.
// The command name may hold spaces and parentheses, so fields are counted
// from the last ')'.
func parseStatCPU(b []byte) (float64, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name in %q", b)
	}
	f := bytes.Fields(b[end+1:])
	// After the name come state (field 3 of the file), ..., utime (14) and
	// stime (15).
	if len(f) < 13 {
		return 0, fmt.Errorf("only %d fields after the command name", len(f))
	}
	utime, err1 := strconv.ParseUint(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseUint(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad utime %q or stime %q", f[11], f[12])
	}
	return float64(utime+stime) / clockTicks, nil
}
