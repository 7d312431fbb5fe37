package streams

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func drainInts(t *testing.T, c *Consumer[string, int]) []int {
	t.Helper()
	var out []int
	for c.Backpressure() > 0 {
		v, ok, err := c.Next(context.Background())
		if err != nil || !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

func TestUnboundedByDefault(t *testing.T) {
	d := NewDemux[string, int](Config{})
	c := d.Stream("k").CreateConsumer(0)
	for i := 0; i < 10000; i++ {
		d.Write("k", i)
	}
	if got := c.Backpressure(); got != 10000 {
		t.Fatalf("backpressure %d, want 10000", got)
	}
	if c.Dropped() != 0 {
		t.Fatalf("dropped %d, want 0", c.Dropped())
	}
}

func TestDropOldestKeepsTheNewestValues(t *testing.T) {
	var mu sync.Mutex
	var reports []Overflow
	d := NewDemux[string, int](Config{MaxBacklog: 3, Overflow: DropOldest, OnOverflow: func(o Overflow) {
		mu.Lock()
		reports = append(reports, o)
		mu.Unlock()
	}})
	c := d.Stream("k").CreateConsumer(0)
	for i := 1; i <= 5; i++ {
		d.Write("k", i)
	}
	if got := drainInts(t, c); len(got) != 3 || got[0] != 3 || got[2] != 5 {
		t.Fatalf("got %v, want [3 4 5]", got)
	}
	if c.Dropped() != 2 {
		t.Fatalf("dropped %d, want 2", c.Dropped())
	}
	// Reported once when it started overflowing, not for every drop.
	if len(reports) != 1 || reports[0].Key != "k" || reports[0].ConsumerID != c.ID() || reports[0].Dropped != 1 || reports[0].Policy != DropOldest {
		t.Fatalf("reports %+v", reports)
	}
	// Having caught up, the next overflow is reported again.
	for i := 6; i <= 10; i++ {
		d.Write("k", i)
	}
	if len(reports) != 2 || reports[1].Dropped != 3 {
		t.Fatalf("reports after catching up %+v", reports)
	}
}

func TestDropNewestKeepsTheOldestValues(t *testing.T) {
	d := NewDemux[string, int](Config{MaxBacklog: 2, Overflow: DropNewest})
	c := d.Stream("k").CreateConsumer(0)
	for i := 1; i <= 4; i++ {
		d.Write("k", i)
	}
	if got := drainInts(t, c); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("got %v, want [1 2]", got)
	}
	if c.Dropped() != 2 {
		t.Fatalf("dropped %d", c.Dropped())
	}
}

func TestCloseConsumerPolicyEndsOnlyTheSlowConsumer(t *testing.T) {
	var reports []Overflow
	d := NewDemux[string, int](Config{OnOverflow: func(o Overflow) { reports = append(reports, o) }})
	slow := d.Stream("k").CreateConsumer(0)
	slow.SetMaxBacklog(2, CloseConsumer)
	fast := d.Stream("k").CreateConsumer(0)
	other := d.Stream("k").CreateConsumer(0)
	for i := 1; i <= 3; i++ {
		d.Write("k", i)
	}
	_, ok, err := slow.Next(context.Background())
	if ok || !errors.Is(slow.Err(), ErrSlowConsumer) || err != nil {
		t.Fatalf("slow consumer: ok=%v err=%v Err()=%v, want ended with ErrSlowConsumer", ok, err, slow.Err())
	}
	if d.HasConsumer("k", slow.ID()) {
		t.Fatal("the ended consumer is still registered")
	}
	// The consumers after it in the list got every value.
	for _, c := range []*Consumer[string, int]{fast, other} {
		if got := drainInts(t, c); len(got) != 3 {
			t.Fatalf("consumer %d got %v, want 3 values", c.ID(), got)
		}
	}
	if len(reports) != 1 || reports[0].Policy != CloseConsumer {
		t.Fatalf("reports %+v", reports)
	}
}

func TestBoundedWildcardConsumer(t *testing.T) {
	d := NewDemux[string, int](Config{MaxBacklog: 1, Overflow: CloseConsumer})
	all := d.NewConsumer(nil, 0)
	d.Write("a", 1)
	d.Write("b", 2)
	if _, ok, _ := all.Next(context.Background()); ok {
		t.Fatal("the wildcard consumer should have been ended")
	}
	if d.AllConsumerCount() != 0 {
		t.Fatalf("consumers left: %d", d.AllConsumerCount())
	}
}
