package streams

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tagged is a value that says who wrote it and in what position.
type tagged struct {
	writer int
	seq    int
}

func TestStressConcurrentWritersConsumersAndManagement(t *testing.T) {
	const (
		writers   = 6
		perWriter = 5_000
	)
	d := NewDemux[string, tagged](Config{})
	keyOf := func(w int) string { return fmt.Sprintf("k%d", w%3) }

	// Each consumer, with the writers whose values it must see.
	type reader struct {
		c       *Consumer[string, tagged]
		writers []int
	}
	var readers []reader
	sees := func(keys ...string) []int {
		var ws []int
		for w := 0; w < writers; w++ {
			if len(keys) == 0 || slices.Contains(keys, keyOf(w)) {
				ws = append(ws, w)
			}
		}
		return ws
	}
	for _, keys := range [][]string{{"k0"}, {"k0"}, {"k1"}, {"k2"}, {"k0", "k2"}, {"k1", "k2", "k0"}, nil} {
		readers = append(readers, reader{d.NewConsumer(keys, 0), sees(keys...)})
	}

	var wg sync.WaitGroup
	errs := make(chan error, len(readers))
	for _, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := make(map[int]int)
			for v := range r.c.All() {
				if v.seq != next[v.writer] {
					errs <- fmt.Errorf("consumer %d: writer %d: got seq %d, want %d", r.c.ID(), v.writer, v.seq, next[v.writer])
					return
				}
				next[v.writer]++
			}
			for _, w := range r.writers {
				if next[w] != perWriter {
					errs <- fmt.Errorf("consumer %d: writer %d: got %d values, want %d", r.c.ID(), w, next[w], perWriter)
					return
				}
			}
			if len(next) != len(r.writers) {
				errs <- fmt.Errorf("consumer %d: values from %d writers, want %d", r.c.ID(), len(next), len(r.writers))
			}
		}()
	}

	// Management and churn run beside the writers: short-lived consumers
	// on the same keys and on keys nobody writes, plus stats calls.
	stop := make(chan struct{})
	sideCtx, cancelSide := context.WithCancel(context.Background())
	defer cancelSide()
	var side sync.WaitGroup
	var churned atomic.Int64
	for g := 0; g < 3; g++ {
		side.Add(1)
		go func() {
			defer side.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c := d.Stream(fmt.Sprintf("k%d", i%4)).CreateConsumer(0)
				if i%2 == 0 {
					_, _, _ = c.Next(sideCtx) // may wait for a write that never comes
				}
				switch i % 3 {
				case 0:
					c.Close()
				case 1:
					d.KillConsumer(c.ID())
				default:
					d.Kill("k3")
					c.Close()
				}
				churned.Add(1)
			}
		}()
	}
	side.Add(1)
	go func() {
		defer side.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = d.AllConsumerStatsList()
			_ = d.AllBackpressure()
			_ = d.Keys()
			_ = d.MatchingBackpressure(func(k string) bool { return k != "k1" })
			_ = d.ConsumerCount("k0")
		}
	}()

	var writing sync.WaitGroup
	for w := 0; w < writers; w++ {
		writing.Add(1)
		go func() {
			defer writing.Done()
			key := keyOf(w)
			for i := 0; i < perWriter; i++ {
				d.Write(key, tagged{writer: w, seq: i})
			}
		}()
	}
	waitOrFail(t, &writing)
	close(stop)
	cancelSide()
	waitOrFail(t, &side)
	d.CloseAll()
	waitOrFail(t, &wg)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Positive(t, churned.Load())
	require.Zero(t, d.AllConsumerCount())
	require.Empty(t, d.Keys())
}

func TestStressKillWhileReading(t *testing.T) {
	d := newTestDemux()
	for round := 0; round < 200; round++ {
		c := d.NewConsumer([]string{"a", "b"}, 0)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range c.All() {
			}
		}()
		for i := 0; i < 20; i++ {
			d.Write("a", i)
		}
		if round%2 == 0 {
			d.Kill("b")
		} else {
			d.KillAll()
		}
		select {
		case <-done:
		case <-time.After(waitLimit):
			t.Fatalf("round %d: the reader did not see the kill", round)
		}
	}
	require.Zero(t, d.AllConsumerCount())
}

// waitOrFail waits for wg, failing the test if that takes too long.
func waitOrFail(t *testing.T, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(4 * waitLimit):
		t.Fatal("goroutines did not finish: something hangs")
	}
}
