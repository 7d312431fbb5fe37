package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socketcluster-go/scclient"
)

func newInvokeCmd(e *env, cf *connFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "invoke PROCEDURE [DATA]",
		Short: "Call a procedure and print its result as JSON",
		Long: `Calls PROCEDURE once and prints the result as one JSON line (null when the
server answered without data). A server error is printed on stderr with
its name, message and fields, and the command exits 1; no answer within
--ack-timeout exits 3.`,
		Example: `  sc invoke echo '{"hello":"world"}'
  sc invoke login '{"username":"alice"}'
  sc invoke slow '{"ms":5000}' --ack-timeout 1s`,
		Args: argRange(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return oneCall(cmd.Context(), e, cf, func(ctx context.Context, sock *scclient.Socket) error {
				data, _ := parseData(args, 1)
				res, err := sock.Invoke(ctx, args[0], data, ackTimeout(sock))
				if err != nil {
					return callFailed("invoke "+args[0], err)
				}
				return writeLine(e, appendData(nil, res))
			})
		},
	}
}

func newTransmitCmd(e *env, cf *connFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "transmit EVENT [DATA]",
		Short: "Send an event that has no answer",
		Args:  argRange(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return oneCall(cmd.Context(), e, cf, func(_ context.Context, sock *scclient.Socket) error {
				data, _ := parseData(args, 1)
				if err := sock.Transmit(args[0], data); err != nil {
					return callFailed("transmit "+args[0], err)
				}
				return nil
			})
		},
	}
}

func newPublishCmd(e *env, cf *connFlags) *cobra.Command {
	var ack bool
	cmd := &cobra.Command{
		Use:   "publish CHANNEL [DATA|-]",
		Short: "Publish to a channel (DATA - reads one message per line from stdin)",
		Long: `Publishes DATA to CHANNEL. With DATA "-" every line of stdin is one message
(empty lines are skipped). With --ack each publish waits for the server to
accept it (invokePublish), so a refused publish exits 1.`,
		Example: `  sc publish news '{"title":"hello"}'
  sc publish news --ack 'plain text'
  tail -f log.jsonl | sc publish logs -`,
		Args: argRange(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return oneCall(cmd.Context(), e, cf, func(ctx context.Context, sock *scclient.Socket) error {
				p := publisher{sock: sock, channel: args[0], ack: ack}
				if len(args) == 2 && args[1] == "-" {
					n, err := p.fromLines(ctx, e)
					e.diag(cf).infof("published %d messages to %s", n, args[0])
					return err
				}
				data, _ := parseData(args, 1)
				return p.publish(ctx, data)
			})
		},
	}
	cmd.Flags().BoolVar(&ack, "ack", false, "wait for the server to accept each message (invokePublish)")
	return cmd
}

// publisher publishes to one channel, with or without acknowledgement.
type publisher struct {
	sock    *scclient.Socket
	channel string
	ack     bool
}

func (p publisher) publish(ctx context.Context, data any) error {
	if p.ack {
		if err := p.sock.InvokePublish(ctx, p.channel, data, ackTimeout(p.sock)); err != nil {
			return callFailed("publish "+p.channel, err)
		}
		return nil
	}
	if p.sock.State() != scclient.StateOpen {
		return withCode(ExitConnection, errors.New("publish "+p.channel+": the connection was lost"))
	}
	if err := p.sock.TransmitPublish(p.channel, data); err != nil {
		return callFailed("publish "+p.channel, err)
	}
	return nil
}

// fromLines publishes every non-empty line of stdin and returns how many.
func (p publisher) fromLines(ctx context.Context, e *env) (int, error) {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	n := 0
	for sc.Scan() {
		if ctx.Err() != nil {
			return n, withCode(ExitInterrupted, ctx.Err())
		}
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := p.publish(ctx, dataValue(line)); err != nil {
			return n, err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, withCode(ExitFailure, fmt.Errorf("reading stdin: %w", err))
	}
	return n, nil
}

// oneCall connects without reconnecting, runs call and closes the socket.
func oneCall(ctx context.Context, e *env, cf *connFlags, call func(context.Context, *scclient.Socket) error) error {
	conn, err := dial(ctx, cf, e.diag(cf), oneShot, nil)
	if err != nil {
		return err
	}
	defer conn.sock.Close()
	return call(ctx, conn.sock)
}

// writeLine writes one line to stdout.
func writeLine(e *env, b []byte) error {
	if _, err := e.stdout.Write(append(b, '\n')); err != nil {
		return withCode(ExitFailure, fmt.Errorf("writing output: %w", err))
	}
	return nil
}
