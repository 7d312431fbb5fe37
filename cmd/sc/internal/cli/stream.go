package cli

import (
	"context"

	"fmt"
	"time"

	"github.com/socketcluster-go/scclient"
)

// runStream runs a command that stays connected and prints what arrives:
// setup registers what to follow before the first connect; then the --exec
// lines run, and the command waits for --count lines, --timeout, a fatal
// session error or an interrupt.
func runStream(ctx context.Context, e *env, cf *connFlags, sf streamFlags, what string, failOnSubscribeFail bool, setup func(*session)) error {
	if sf.count < 0 {
		return usageError(fmt.Errorf("--count must not be negative"))
	}
	if sf.timeout < 0 {
		return usageError(fmt.Errorf("--timeout must not be negative"))
	}
	d := e.diag(cf)
	out := newPrinter(e.stdout, sf.count)
	var sess *session
	_, err := dial(ctx, cf, d, stayConnected, func(sock *scclient.Socket) {
		sess = newSession(sock, out, d, cf.token != "" || cf.tokenFile != "")
		sess.failOnSubscribeFail = failOnSubscribeFail
		setup(sess)
	})
	if err != nil {
		if sess != nil {
			sess.close()
		}
		return err
	}
	defer sess.close()

	var deadline <-chan time.Time
	if sf.timeout > 0 {
		t := time.NewTimer(sf.timeout)
		defer t.Stop()
		deadline = t.C
	}
	in := &interp{sess: sess, results: func(b []byte) { d.infof("%s", b) }}
	for _, line := range sf.exec {
		if err := in.exec(ctx, line); err != nil {
			return fmt.Errorf("--exec %q: %w", line, err)
		}
	}
	select {
	case <-out.Full():
		return out.writeErr()
	case err := <-sess.Fatal():
		return err
	case <-deadline:
		got := out.count()
		switch {
		case sf.count > 0:
			return withCode(ExitTimeout, fmt.Errorf("only %d of %d %s arrived within %v", got, sf.count, what, sf.timeout))
		case got == 0:
			return withCode(ExitTimeout, fmt.Errorf("no %s arrived within %v", what, sf.timeout))
		}
		return out.writeErr()
	case <-ctx.Done():
		if sf.count > 0 {
			return withCode(ExitInterrupted, ctx.Err())
		}
		return nil
	}
}
