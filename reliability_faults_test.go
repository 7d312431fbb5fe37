package scclient

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient/internal/faultproxy"
	"github.com/socketcluster-go/scclient/internal/testserver"
)

// relPingEnv makes the server ping every 200 ms and give clients a ping
// timeout of 1.5 s, so a dead link is noticed quickly.
var relPingEnv = map[string]string{"SC_PING_INTERVAL": "200", "SC_PING_TIMEOUT": "1500"}

const relPingTimeout = 1500 * time.Millisecond

// relProxy starts a fault proxy in front of srv and closes it at the end.
func relProxy(t *testing.T, srv *testserver.Server) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New("127.0.0.1:" + strconv.Itoa(srv.Port()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func relProxyURL(p *faultproxy.Proxy) string { return "ws://" + p.Addr() + "/socketcluster/" }

// relCloseLog records a socket's disconnect and connectAbort events with
// the time they arrived.
type relCloseLog struct {
	mu     sync.Mutex
	events []relCloseEvent
}

type relCloseEvent struct {
	at   time.Time
	name string
	code int
}

func relWatchCloses(s *Socket) *relCloseLog {
	l := &relCloseLog{}
	all := s.Listener(EventDisconnect, EventConnectAbort).All()
	go func() {
		for ev := range all {
			l.mu.Lock()
			l.events = append(l.events, relCloseEvent{time.Now(), ev.Name, ev.Code})
			l.mu.Unlock()
		}
	}()
	return l
}

// firstSince returns the first event with code at or after t.
func (l *relCloseLog) firstSince(t time.Time, code int) (relCloseEvent, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ev := range l.events {
		if !ev.at.Before(t) && ev.code == code {
			return ev, true
		}
	}
	return relCloseEvent{}, false
}

func (l *relCloseLog) codes() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]int{}
	for _, ev := range l.events {
		out[ev.code]++
	}
	return out
}

// relTimedEchoLoop is relEchoLoop with a bound: every invoke, whatever
// its outcome, must return within limit.
func relTimedEchoLoop(s *Socket, id int, limit time.Duration, stop <-chan struct{}, tally *relRPCTally, rng *rand.Rand) {
	big := strings.Repeat("x", 32<<10)
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		var payload any = id*1_000_000 + n
		if rng.IntN(10) == 0 {
			payload = big + strconv.Itoa(n)
		}
		start := time.Now()
		res, err := s.Invoke(context.Background(), "echo", payload)
		took := time.Since(start)
		if took > limit {
			tally.fail("socket %d: invoke %d took %v (limit %v), outcome %v", id, n, took, limit, err)
		}
		switch {
		case err == nil:
			want, _ := s.Codec().Marshal(payload)
			if string(res.Raw()) != string(want) {
				tally.fail("socket %d: echo %d came back different (%d bytes)", id, n, len(res.Raw()))
			}
			tally.ok.Add(1)
		case relSettleError(err):
			tally.settled.Add(1)
			time.Sleep(10 * time.Millisecond)
		case errors.Is(err, ErrClosed):
			return
		default:
			tally.fail("socket %d: invoke %d failed with %T: %v", id, n, err, err)
		}
	}
}

// TestReliabilityFaultCampaign injects random faults through a proxy —
// RST and FIN cuts, stalls of either direction, delays, throttling and
// half-open periods — while invokes run. Every invoke must settle (answer,
// *TimeoutError or *BadConnectionError) within AckTimeout + 1 s, pings
// must detect a half-open link within the ping timeout, and nothing may
// leak.
func TestReliabilityFaultCampaign(t *testing.T) {
	nFaults := relSize(30, 1000)
	halfOpenChecks := relSize(1, 10)
	// Each fault is held, then healed for a pause (milliseconds).
	holdMin, holdSpread := relSize(20, 30), relSize(130, 170)
	pauseMin, pauseSpread := relSize(10, 20), relSize(60, 80)
	const nSockets = 4
	const ackTimeout = time.Second
	srv := startServer(t, relPingEnv)
	p := relProxy(t, srv)
	opts := Options{AutoReconnectOptions: relFastReconnect, AckTimeout: ackTimeout, ConnectTimeout: 2 * time.Second}

	var socks []*Socket
	var logs []*relCloseLog
	for i := 0; i < nSockets; i++ {
		s := newSocket(t, relProxyURL(p), opts)
		logs = append(logs, relWatchCloses(s))
		socks = append(socks, s)
	}
	allOpen := func() bool {
		for _, s := range socks {
			if s.State() != StateOpen {
				return false
			}
		}
		return true
	}
	if !relWaitUntil(10*time.Second, allOpen) {
		t.Fatal("sockets did not connect through the proxy")
	}

	stop := make(chan struct{})
	var loops sync.WaitGroup
	var tally relRPCTally
	for i, s := range socks {
		for j := 0; j < 2; j++ {
			loops.Add(1)
			rng := rand.New(rand.NewPCG(uint64(i), uint64(j)))
			go func() {
				defer loops.Done()
				relTimedEchoLoop(s, i*10+j, ackTimeout+time.Second, stop, &tally, rng)
			}()
		}
	}
	stopLoops := sync.OnceFunc(func() { close(stop); loops.Wait() })
	t.Cleanup(stopLoops)

	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"cut RST", "cut FIN", "stall upstream", "stall downstream", "stall both", "delay", "throttle", "half-open"}
	injected := map[string]int{}
	start := time.Now()
	for i := 0; i < nFaults; i++ {
		kind := kinds[rng.IntN(len(kinds))]
		injected[kind]++
		hold := time.Duration(holdMin+rng.IntN(holdSpread)) * time.Millisecond
		switch kind {
		case "cut RST":
			p.Cut(faultproxy.RST)
		case "cut FIN":
			p.Cut(faultproxy.FIN)
		case "stall upstream":
			p.Stall(faultproxy.Upstream)
		case "stall downstream":
			p.Stall(faultproxy.Downstream)
		case "stall both":
			p.Stall(faultproxy.Both)
		case "delay":
			p.SetDelay(time.Duration(5+rng.IntN(100)) * time.Millisecond)
		case "throttle":
			p.SetThrottle(16<<10 + rng.IntN(256<<10))
		case "half-open":
			p.SetHalfOpen(true)
		}
		time.Sleep(hold)
		p.Heal()
		time.Sleep(time.Duration(pauseMin+rng.IntN(pauseSpread)) * time.Millisecond)
	}
	randomPhase := time.Since(start)

	// Half-open for longer than the ping timeout: every socket must notice
	// through the missing pings and close with 4000 in time.
	var detections []time.Duration
	for i := 0; i < halfOpenChecks; i++ {
		if !relWaitUntil(15*time.Second, allOpen) {
			t.Fatalf("half-open check %d: sockets did not reconnect after the faults", i)
		}
		since := time.Now()
		p.SetHalfOpen(true)
		for j, l := range logs {
			var ev relCloseEvent
			if !relWaitUntil(relPingTimeout+5*time.Second, func() bool {
				var ok bool
				ev, ok = l.firstSince(since, CloseServerPingTimeout)
				return ok
			}) {
				t.Fatalf("half-open check %d: socket %d never closed with 4000; closes %v", i, j, l.codes())
			}
			took := ev.at.Sub(since)
			if took > relPingTimeout+time.Second {
				t.Errorf("half-open check %d: socket %d noticed after %v (ping timeout %v)", i, j, took, relPingTimeout)
			}
			detections = append(detections, took)
		}
		p.Heal()
	}
	injected["half-open beyond the ping timeout"] = halfOpenChecks

	if !relWaitUntil(15*time.Second, allOpen) {
		t.Fatal("sockets did not reconnect after the campaign")
	}
	for i, s := range socks {
		res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", i)
		if err != nil || res.String() != strconv.Itoa(i) {
			t.Fatalf("socket %d after the campaign: %s %v", i, res, err)
		}
	}
	stopLoops()
	tally.check(t)
	sort.Slice(detections, func(i, j int) bool { return detections[i] < detections[j] })
	codes := map[int]int{}
	for _, l := range logs {
		for c, n := range l.codes() {
			codes[c] += n
		}
	}
	t.Logf("fault campaign: %d random faults in %v %v; invokes: %d answered, %d timed out or lost; close codes seen %v; half-open detected in %v (max %v)",
		nFaults, randomPhase.Round(time.Millisecond), injected, tally.ok.Load(), tally.settled.Load(), codes, relFmtDurations(detections), detections[len(detections)-1])

	for _, s := range socks {
		s.Close()
	}
	relRequireNoSocketGoroutines(t)
}

func relFmtDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Round(time.Millisecond).String()
	}
	if len(parts) > 8 {
		parts = append(parts[:4], "…", parts[len(parts)-1])
	}
	return fmt.Sprint(parts)
}

// TestReliabilityCloseDuringHalfOpen: Close on a half-open link must not
// wait for the peer that will never answer, and a pending invoke must
// end at once with a lost connection.
func TestReliabilityCloseDuringHalfOpen(t *testing.T) {
	srv := startServer(t, nil)
	p := relProxy(t, srv)
	s, w := newWatchedSocket(t, relProxyURL(p), Options{AckTimeout: 30 * time.Second}, EventConnect)
	w.waitFor(EventConnect, 5*time.Second)
	p.SetHalfOpen(true)
	result := make(chan error, 1)
	go func() {
		_, err := s.Invoke(context.Background(), "echo", 1)
		result <- err
	}()
	time.Sleep(100 * time.Millisecond) // the invoke is on the wire
	start := time.Now()
	s.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close took %v on a half-open link", took)
	}
	select {
	case err := <-result:
		var bce *BadConnectionError
		if !errors.As(err, &bce) {
			t.Errorf("pending invoke ended with %v, want a *BadConnectionError", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the pending invoke did not end with Close")
	}
	relRequireNoSocketGoroutines(t)
}
