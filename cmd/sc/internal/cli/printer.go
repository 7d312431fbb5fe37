package cli

import (
	"bufio"
	"context"
	"io"
	"sync"
)

// printer writes data lines (messages, events) to stdout, one JSON value a
// line, from any goroutine. It counts them, stops printing once a limit is
// reached, and lets callers wait for a number of lines.
type printer struct {
	mu      sync.Mutex
	w       *bufio.Writer
	limit   int // 0: no limit
	n       int
	full    chan struct{} // closed when the limit is reached
	changed chan struct{} // closed and replaced after every line
	err     error         // first write error
}

func newPrinter(w io.Writer, limit int) *printer {
	return &printer{w: bufio.NewWriter(w), limit: limit, full: make(chan struct{}), changed: make(chan struct{})}
}

// line prints one line (b without its newline) and reports whether it was
// printed; lines past the limit are dropped.
func (p *printer) line(b []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.limit > 0 && p.n >= p.limit {
		return false
	}
	p.w.Write(b)
	p.w.WriteByte('\n')
	if err := p.w.Flush(); err != nil && p.err == nil {
		p.err = err
	}
	p.n++
	if p.limit > 0 && p.n == p.limit {
		close(p.full)
	}
	close(p.changed)
	p.changed = make(chan struct{})
	return true
}

// result prints a line that answers a command; it is not counted and
// ignores the limit.
func (p *printer) result(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w.Write(b)
	p.w.WriteByte('\n')
	if err := p.w.Flush(); err != nil && p.err == nil {
		p.err = err
	}
}

// count returns how many lines were printed.
func (p *printer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Full is closed once the limit is reached (never without a limit).
func (p *printer) Full() <-chan struct{} { return p.full }

// waitCount waits until at least n lines were printed in all.
func (p *printer) waitCount(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		got, ch := p.n, p.changed
		p.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// writeErr returns the first error writing to stdout.
func (p *printer) writeErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
