package testserver

import (
	"bytes"
	"strings"
	"sync"
)

// logBuffer collects the server's stdout and stderr lines in arrival order.
// It is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

// addLine appends one line (without its newline) to the log.
func (l *logBuffer) addLine(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(line)
	l.buf.WriteByte('\n')
}

// String returns everything logged so far.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lineWriter is an io.Writer that cuts what it is given into lines, adds
// each complete line to a logBuffer and hands it to onLine (when set).
// A final line without a newline is added by flush. One writer must not be
// used by two goroutines at once (os/exec copies each stream in one goroutine).
type lineWriter struct {
	log     *logBuffer
	onLine  func(line []byte)
	pending []byte
}

// Write implements io.Writer.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.pending = append(w.pending, p...)
	for {
		i := bytes.IndexByte(w.pending, '\n')
		if i < 0 {
			break
		}
		w.emit(bytes.TrimSuffix(w.pending[:i], []byte{'\r'}))
		w.pending = w.pending[i+1:]
	}
	if len(w.pending) == 0 {
		w.pending = nil
	}
	return len(p), nil
}

// flush emits a last unterminated line, if any.
func (w *lineWriter) flush() {
	if len(w.pending) > 0 {
		w.emit(w.pending)
		w.pending = nil
	}
}

func (w *lineWriter) emit(line []byte) {
	w.log.addLine(line)
	if w.onLine != nil {
		w.onLine(line)
	}
}
