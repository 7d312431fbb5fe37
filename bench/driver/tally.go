package main

import (
	"context"
	"iter"
	"sync"

	"github.com/socketcluster-go/scclient"
)

// tally counts received payloads, counts those that are not strings of the
// expected size, and wakes a waiter when the count reaches its goal.
type tally struct {
	size   int
	decode bool

	mu   sync.Mutex
	got  int
	bad  int
	goal int
	wake chan struct{}
}

func newTally(size int, decode bool) *tally { return &tally{size: size, decode: decode} }

// add counts one payload. With decode it decodes the payload into a string,
// as a user of the library would; without, it checks that the raw JSON is
// a string literal of the right length (the payloads need no escapes).
func (t *tally) add(d scclient.Data) {
	var bad bool
	if t.decode {
		var s string
		bad = d.Decode(&s) != nil || len(s) != t.size
	} else {
		raw := d.Raw()
		bad = len(raw) != t.size+2 || raw[0] != '"' || raw[len(raw)-1] != '"'
	}
	t.mu.Lock()
	t.got++
	if bad {
		t.bad++
	}
	if t.wake != nil && t.got >= t.goal {
		close(t.wake)
		t.wake = nil
	}
	t.mu.Unlock()
}

// consume adds every payload of seq until it ends; it runs on its own
// goroutine and closes finished when done.
func (t *tally) consume(seq iter.Seq[scclient.Data], finished chan<- struct{}) {
	defer close(finished)
	for d := range seq {
		t.add(d)
	}
}

// counts returns the payloads counted so far and how many were bad.
func (t *tally) counts() (got, bad int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.got, t.bad
}

// reach waits until goal payloads were counted; false when ctx ended first.
func (t *tally) reach(ctx context.Context, goal int) bool {
	t.mu.Lock()
	if t.got >= goal {
		t.mu.Unlock()
		return true
	}
	t.goal = goal
	wake := make(chan struct{})
	t.wake = wake
	t.mu.Unlock()
	select {
	case <-wake:
		return true
	case <-ctx.Done():
		t.mu.Lock()
		t.wake = nil
		t.mu.Unlock()
		return false
	}
}
