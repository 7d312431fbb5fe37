package scclient

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// relCampaignEnv selects the campaigns' size: unset for the short runs of
// `make test`, "long" for the long ones documented in docs/RELIABILITY.md.
const relCampaignEnv = "SCCLIENT_CAMPAIGN"

// relLong reports whether the long campaigns were asked for.
func relLong() bool { return os.Getenv(relCampaignEnv) == "long" }

// relSize returns short, or long when the long campaigns run.
func relSize[T any](short, long T) T {
	if relLong() {
		return long
	}
	return short
}

// relFastReconnect is a reconnect schedule of a few hundred milliseconds, so
// campaigns spend their time on faults rather than on waiting.
var relFastReconnect = ReconnectOptions{
	InitialDelay: 50 * time.Millisecond,
	Randomness:   50 * time.Millisecond,
	Multiplier:   1.2,
	MaxDelay:     300 * time.Millisecond,
}

// relSettleError reports whether err is one of the outcomes an invoke may
// have when the connection misbehaves: a timeout or a lost connection.
func relSettleError(err error) bool {
	var te *TimeoutError
	var bce *BadConnectionError
	return errors.As(err, &te) || errors.As(err, &bce)
}

// relWaitUntil polls cond every 10 ms until it holds or d passes; it reports
// whether it held.
func relWaitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// relRequireNoSocketGoroutines fails the test unless every goroutine running
// this package's socket code ends within a few seconds.
func relRequireNoSocketGoroutines(t testing.TB) {
	t.Helper()
	var n int
	var dump string
	if !relWaitUntil(5*time.Second, func() bool { n, dump = socketGoroutines(); return n == 0 }) {
		t.Fatalf("%d goroutines still run socket code after Close:\n%s", n, dump)
	}
}

// relRSS returns the resident set size of this process, from
// /proc/self/status (0 where that file does not exist).
func relRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// relHeapInUse returns the bytes of live heap after a garbage collection.
func relHeapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
