package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/socketcluster-go/scclient"
)

// Exit codes of the sc command; cmd/sc/README.md documents them.
const (
	ExitOK          = 0   // the command did what it was asked
	ExitFailure     = 1   // a server error, a failed subscription, an unclean bench run
	ExitUsage       = 2   // bad arguments, flags, URL or files named by flags
	ExitTimeout     = 3   // an ack timeout, or --timeout expired first
	ExitConnection  = 4   // could not connect, or the connection was lost for good
	ExitAuth        = 5   // the server rejected the auth token
	ExitInterrupted = 130 // interrupted (SIGINT/SIGTERM) before the command finished
)

// exitError carries the exit code a failure maps to. Every error a command's
// RunE returns is one; anything else comes from argument parsing.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err with an exit code (nil stays nil).
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageError marks err as a usage error (exit 2).
func usageError(err error) error { return withCode(ExitUsage, err) }

// callError classifies the error of an invoke, publish or authenticate call:
// timeouts give 3, lost connections 4, interrupts 130, and server errors 1.
func callError(err error) error {
	if err == nil {
		return nil
	}
	var te *scclient.TimeoutError
	var be *scclient.BadConnectionError
	switch {
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		return withCode(ExitTimeout, err)
	case errors.As(err, &be), errors.Is(err, scclient.ErrClosed):
		return withCode(ExitConnection, err)
	case errors.Is(err, context.Canceled):
		return withCode(ExitInterrupted, err)
	case isInvalidArguments(err):
		return usageError(err)
	}
	return withCode(ExitFailure, err)
}

func isInvalidArguments(err error) bool {
	var ia *scclient.InvalidArgumentsError
	return errors.As(err, &ia)
}

// exitCode returns the code err maps to: its own for an exitError, ExitUsage
// for anything else (cobra's parse errors).
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitUsage
}

// callFailed describes a failed call ("invoke fail: CustomError: …") with
// the exit code callError gives its error.
func callFailed(what string, err error) error {
	var ee *exitError
	if !errors.As(callError(err), &ee) {
		return err
	}
	return &exitError{code: ee.code, err: fmt.Errorf("%s: %s", what, errorText(err))}
}
