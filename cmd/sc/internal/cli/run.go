// Package cli implements the sc command: a SocketCluster client for the
// command line built on the public scclient API.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Run runs the sc command with args (without the program name) and returns
// its exit code. ctx ends long-running commands: cancel it on SIGINT.
func Run(ctx context.Context, args []string, stdio Stdio) int {
	e := &env{stdin: stdio.Stdin, stdout: stdio.Stdout, stderr: stdio.Stderr}
	if e.stdin == nil {
		e.stdin = eofReader{}
	}
	if e.stdout == nil {
		e.stdout = io.Discard
	}
	if e.stderr == nil {
		e.stderr = io.Discard
	}
	root := newRoot(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	var ee *exitError
	if code == ExitUsage && !errors.As(err, &ee) {
		fmt.Fprintf(e.stderr, "sc: %v\nRun 'sc --help' for usage.\n", err)
		return code
	}
	if code != ExitInterrupted || !errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "sc: error: %v\n", err)
	}
	return code
}

// Main runs sc with the process's arguments and streams.
func Main(ctx context.Context) int {
	return Run(ctx, os.Args[1:], Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
