package bench

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/socketcluster-go/scclient"
)

// errCounts counts errors by their sc-errors name.
type errCounts struct {
	mu sync.Mutex
	m  map[string]int64
	n  int64
}

func (e *errCounts) add(err error) { e.addName(errName(err)) }

func (e *errCounts) addName(name string) {
	e.mu.Lock()
	if e.m == nil {
		e.m = map[string]int64{}
	}
	e.m[name]++
	e.n++
	e.mu.Unlock()
}

func (e *errCounts) total() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

func (e *errCounts) snapshot() map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.m)
}

// errName is the sc-errors name of err, or a short name for other errors.
func errName(err error) string {
	var sc *scclient.SCError
	switch {
	case errors.As(err, &sc) && sc.Name != "":
		return sc.Name
	case errors.As(err, &sc):
		return "NonObjectError"
	case errors.Is(err, scclient.ErrClosed):
		return "SocketClosed"
	case errors.Is(err, context.DeadlineExceeded):
		return "DeadlineExceeded"
	case errors.Is(err, context.Canceled):
		return "Canceled"
	}
	return fmt.Sprintf("%T", err)
}
