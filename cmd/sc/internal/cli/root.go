package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootLong = `sc is a SocketCluster client for the command line: call procedures, publish,
subscribe, watch socket events, script a session, or load-test a server.

Data goes to stdout as JSON lines; diagnostics go to stderr. A DATA argument
is sent as JSON when it parses as JSON, and as a string otherwise.

Exit codes:
  0    success
  1    failure: the server answered with an error, a subscription was refused,
       a bench run was not clean
  2    usage: bad arguments or flags, an invalid URL, unreadable files
  3    timeout: no answer within --ack-timeout, or --timeout expired
  4    connection: could not connect, or the connection was lost for good
  5    auth: the server rejected the token
  130  interrupted before the command finished`

func newRoot(e *env) *cobra.Command {
	cf := &connFlags{}
	root := &cobra.Command{
		Use:           "sc",
		Short:         "SocketCluster client for the command line",
		Long:          rootLong,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	cf.register(root.PersistentFlags())
	root.AddCommand(
		newInvokeCmd(e, cf),
		newTransmitCmd(e, cf),
		newPublishCmd(e, cf),
		newSubscribeCmd(e, cf),
		newListenCmd(e, cf),
		newReceiveCmd(e, cf),
		newShellCmd(e, cf),
		newBenchCmd(e, cf),
	)
	return root
}

// noArgs rejects positional arguments as a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("unexpected argument %q", args[0]))
	}
	return nil
}

// argRange accepts between lo and hi positional arguments (hi < 0: any).
func argRange(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < lo:
			return usageError(fmt.Errorf("%s: missing argument (usage: %s)", cmd.Name(), cmd.UseLine()))
		case hi >= 0 && len(args) > hi:
			return usageError(fmt.Errorf("%s: too many arguments (usage: %s)", cmd.Name(), cmd.UseLine()))
		}
		return nil
	}
}

// streamFlags are the flags of the commands that print what arrives.
type streamFlags struct {
	count   int
	timeout time.Duration
	exec    []string
}

func (sf *streamFlags) register(fs *pflag.FlagSet, what string) {
	fs.IntVarP(&sf.count, "count", "n", 0, "exit after this many "+what+" (0: no limit)")
	fs.DurationVar(&sf.timeout, "timeout", 0, "after connecting, wait at most this long; exit 3 if nothing (or fewer than --count) arrived")
	fs.StringArrayVar(&sf.exec, "exec", nil, "once set up, run this shell command line on the same socket, e.g. 'invoke serverTransmit {…}' (repeatable)")
}
