package cli

import (
	"io"
	"os"
)

// Stdio holds the standard streams a command reads and writes.
type Stdio struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// env is what every command of one Run shares.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// diag returns the diagnostics writer for the connection flags' --quiet.
func (e *env) diag(cf *connFlags) *diag {
	return &diag{w: e.stderr, quiet: cf.quiet}
}

// isTerminal reports whether v is a character device such as a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
