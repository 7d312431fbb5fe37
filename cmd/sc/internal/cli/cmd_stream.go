package cli

import (
	"github.com/spf13/cobra"

	"github.com/socketcluster-go/scclient"
)

func newSubscribeCmd(e *env, cf *connFlags) *cobra.Command {
	var sf streamFlags
	var waitAuth bool
	cmd := &cobra.Command{
		Use:   "subscribe CHANNEL...",
		Short: "Print the messages of channels as {\"channel\":…,\"data\":…} lines",
		Long: `Subscribes to the channels and prints each message as one JSON line,
{"channel":…,"data":…}. The socket reconnects after losing its connection
and subscribes again. A refused subscription ends the command (exit 1).`,
		Example: `  sc subscribe news sport
  sc subscribe news --count 10 --timeout 30s
  sc subscribe private/alice --wait-for-auth --token-file alice.jwt`,
		Args: argRange(1, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStream(cmd.Context(), e, cf, sf, "messages", true, func(s *session) {
				s.subscribe(cmd.Context(), args, scclient.SubscribeOptions{WaitForAuth: waitAuth}, false)
			})
		},
	}
	sf.register(cmd.Flags(), "messages")
	cmd.Flags().BoolVar(&waitAuth, "wait-for-auth", false, "subscribe only once the socket is authenticated")
	return cmd
}

func newListenCmd(e *env, cf *connFlags) *cobra.Command {
	var sf streamFlags
	cmd := &cobra.Command{
		Use:   "listen [EVENT...]",
		Short: "Print socket events (connect, disconnect, authenticate, kickOut, …) as JSON lines",
		Long: `Prints the socket's events as JSON lines: "listener" names the event and the
other keys are its fields, e.g. {"listener":"disconnect","code":1006,"reason":"Socket hung up"}.
Without EVENT every event is printed, including the first connect.

Events: connecting, connect, connectAbort, disconnect, close, error, message,
raw, authStateChange, authenticate, deauthenticate, removeAuthToken, kickOut,
subscribeRequest, subscribe, subscribeFail, subscribeStateChange, unsubscribe.`,
		Example: `  sc listen connect disconnect
  sc listen kickOut --exec 'subscribe room' --exec 'invoke kick {"channel":"room"}' --count 1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStream(cmd.Context(), e, cf, sf, "events", false, func(s *session) {
				s.listen(args)
			})
		},
	}
	sf.register(cmd.Flags(), "events")
	return cmd
}

func newReceiveCmd(e *env, cf *connFlags) *cobra.Command {
	var sf streamFlags
	cmd := &cobra.Command{
		Use:   "receive RECEIVER...",
		Short: "Print the server's transmits as {\"event\":…,\"data\":…} lines",
		Long: `Prints every transmit the server sends to this socket under one of the
RECEIVER names as one JSON line, {"event":…,"data":…}.`,
		Example: `  sc receive notice alert
  sc receive ping --exec 'invoke serverTransmit {"event":"ping","data":1}' --count 1`,
		Args: argRange(1, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStream(cmd.Context(), e, cf, sf, "transmits", false, func(s *session) {
				s.receive(args)
			})
		},
	}
	sf.register(cmd.Flags(), "transmits")
	return cmd
}
