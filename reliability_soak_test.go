package scclient

import (
	"context"
	"iter"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// relSoakMsg is what the soak's publishers send: who published it and its
// sequence number for that publisher.
type relSoakMsg struct {
	P int `json:"p"`
	N int `json:"n"`
}

// relSoaker is one socket of the soak: it publishes on its channel and
// checks what it receives there, per publisher, by sequence number.
type relSoaker struct {
	s         *Socket
	channel   int
	published atomic.Int64 // acknowledged publishes
	received  atomic.Int64
	// Written by the consumer goroutine only; read after it ended.
	last      map[int]int
	lost, dup int64
	bad       []string
}

// consume reads the channel until the socket closes.
func (r *relSoaker) consume(msgs iter.Seq[Data]) {
	for d := range msgs {
		var m relSoakMsg
		if err := d.Decode(&m); err != nil {
			r.bad = append(r.bad, d.String())
			continue
		}
		switch last := r.last[m.P]; {
		case m.N == last+1:
		case m.N <= last:
			r.dup++
		default:
			r.lost += int64(m.N - last - 1)
		}
		r.last[m.P] = max(r.last[m.P], m.N)
		r.received.Add(1)
	}
}

// relSoakSample is the process's footprint at one moment.
type relSoakSample struct {
	rss        int64
	heap       uint64
	goroutines int
}

func relSample() relSoakSample {
	heap := relHeapInUse()
	return relSoakSample{rss: relRSS(), heap: heap, goroutines: runtime.NumGoroutine()}
}

func (s relSoakSample) String() string {
	return "RSS " + strconv.FormatInt(s.rss>>20, 10) + " MiB, heap " + strconv.FormatUint(s.heap>>20, 10) +
		" MiB, " + strconv.Itoa(s.goroutines) + " goroutines"
}

// TestReliabilitySoak runs many sockets doing pub/sub and RPC at a steady
// rate: no message may be lost or duplicated (checked by sequence number
// per publisher), every echo must come back intact, and the process's
// goroutines and memory must stay flat after the warm-up.
func TestReliabilitySoak(t *testing.T) {
	nSockets := relSize(50, 1000)
	duration := relSize(5*time.Second, 10*time.Minute)
	period := relSize(200*time.Millisecond, 2*time.Second)
	warmUp := duration / 5
	const perChannel = 10
	nChannels := max(nSockets/perChannel, 1)

	srv := startServer(t, nil)
	opts := Options{AckTimeout: 10 * time.Second}
	soakers := make([]*relSoaker, nSockets)
	var consumers sync.WaitGroup
	for i := range soakers {
		r := &relSoaker{s: newSocket(t, srv.URL(), opts), channel: i % nChannels, last: map[int]int{}}
		msgs := r.s.Subscribe("soak/" + strconv.Itoa(r.channel)).All()
		consumers.Add(1)
		go func() {
			defer consumers.Done()
			r.consume(msgs)
		}()
		soakers[i] = r
	}
	if !relWaitUntil(60*time.Second, func() bool {
		for _, r := range soakers {
			if r.s.ChannelState("soak/"+strconv.Itoa(r.channel)) != ChannelSubscribed {
				return false
			}
		}
		return true
	}) {
		t.Fatal("the soak's sockets did not all subscribe")
	}

	var tally relRPCTally
	stop := make(chan struct{})
	var workers sync.WaitGroup
	for i, r := range soakers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			// Spread the sockets over the period.
			time.Sleep(time.Duration(i) * period / time.Duration(nSockets))
			tick := time.NewTicker(period)
			defer tick.Stop()
			ch := "soak/" + strconv.Itoa(r.channel)
			for n := 1; ; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if err := r.s.InvokePublish(context.Background(), ch, relSoakMsg{P: i, N: n}); err != nil {
					tally.fail("socket %d: publish %d: %v", i, n, err)
					return
				}
				r.published.Add(1)
				res, err := r.s.Invoke(context.Background(), "echo", n)
				if err != nil || res.String() != strconv.Itoa(n) {
					tally.fail("socket %d: echo %d: %s %v", i, n, res, err)
					return
				}
				tally.ok.Add(1)
			}
		}()
	}
	stopWorkers := sync.OnceFunc(func() { close(stop); workers.Wait() })
	t.Cleanup(stopWorkers)

	time.Sleep(warmUp)
	first := relSample()
	peak := first
	for left := duration - warmUp; left > 0; {
		step := min(left, 30*time.Second)
		time.Sleep(step)
		left -= step
		cur := relSample()
		peak.rss, peak.heap, peak.goroutines = max(peak.rss, cur.rss), max(peak.heap, cur.heap), max(peak.goroutines, cur.goroutines)
	}
	last := relSample()
	stopWorkers()
	tally.check(t)

	// Every subscriber gets every acknowledged publish on its channel.
	want := make([]int64, nChannels)
	var published int64
	for _, r := range soakers {
		want[r.channel] += r.published.Load()
		published += r.published.Load()
	}
	if !relWaitUntil(30*time.Second, func() bool {
		for _, r := range soakers {
			if r.received.Load() < want[r.channel] {
				return false
			}
		}
		return true
	}) {
		for i, r := range soakers {
			if got := r.received.Load(); got < want[r.channel] {
				t.Errorf("socket %d received %d of %d messages", i, got, want[r.channel])
			}
		}
	}
	for _, r := range soakers {
		r.s.Close()
	}
	consumers.Wait()
	var received, lost, dup int64
	for i, r := range soakers {
		received += r.received.Load()
		lost += r.lost
		dup += r.dup
		if len(r.bad) > 0 {
			t.Errorf("socket %d got undecodable messages: %v", i, r.bad)
		}
		if r.received.Load() != want[r.channel] {
			t.Errorf("socket %d received %d messages, %d were published on its channel", i, r.received.Load(), want[r.channel])
		}
	}
	t.Logf("soak: %d sockets for %v: %d publishes, %d deliveries, %d echoes; lost %d, duplicated %d", nSockets, duration, published, received, tally.ok.Load(), lost, dup)
	t.Logf("soak footprint after warm-up: %v; at the end: %v; peak: %v", first, last, peak)
	if lost != 0 || dup != 0 {
		t.Errorf("lost %d and duplicated %d messages", lost, dup)
	}
	// Flat: a few goroutines of slack (timers firing, the test's own), and
	// memory within twice the post-warm-up heap plus some room. Where idle
	// parking exists, each socket's read loop may be parked at one sample
	// and running at another.
	slack := 20
	if idleParking {
		slack += nSockets
	}
	if last.goroutines > first.goroutines+slack {
		t.Errorf("goroutines grew from %d to %d", first.goroutines, last.goroutines)
	}
	if last.heap > 2*first.heap+32<<20 {
		t.Errorf("heap grew from %d to %d MiB", first.heap>>20, last.heap>>20)
	}
	relRequireNoSocketGoroutines(t)
}
