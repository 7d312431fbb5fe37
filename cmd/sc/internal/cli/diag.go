package cli

import (
	"fmt"
	"io"
	"sync"
)

// diag writes diagnostic lines ("sc: …") to stderr. Info lines are dropped
// with --quiet; warnings and errors never are.
type diag struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	// clearLine makes every line first clear a progress line drawn on the
	// terminal.
	clearLine bool
}

func (d *diag) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clearLine {
		fmt.Fprint(d.w, "\r\033[K")
	}
	fmt.Fprintf(d.w, "sc: "+format+"\n", args...)
}

// Write writes p as it is (a progress line), in turn with the other lines.
func (d *diag) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.w.Write(p)
}

// infof writes an informational line unless --quiet is set.
func (d *diag) infof(format string, args ...any) {
	if !d.quiet {
		d.printf(format, args...)
	}
}

// warnf writes a warning line.
func (d *diag) warnf(format string, args ...any) { d.printf("warning: "+format, args...) }

// errorf writes an error line.
func (d *diag) errorf(format string, args ...any) { d.printf("error: "+format, args...) }
