package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socketcluster-go/scclient"
)

// interp runs command lines on a session's socket: the lines of sc shell and
// the --exec lines of subscribe, listen and receive.
type interp struct {
	sess    *session
	results func([]byte) // where result lines go
	waited  int          // printed lines already consumed by wait
}

// shellCommand is one command of the interpreter.
type shellCommand struct {
	usage string
	help  string
	run   func(in *interp, ctx context.Context, args string) error
}

var shellCommands map[string]shellCommand

// shellOrder lists the commands in the order help shows them.
var shellOrder = []string{
	"invoke", "transmit", "publish", "subscribe", "unsubscribe", "listen", "unlisten",
	"receive", "unreceive", "authenticate", "deauthenticate", "state", "wait",
}

func init() {
	shellCommands = map[string]shellCommand{
		"invoke":         {"invoke PROCEDURE [DATA]", "call a procedure and print {\"invoke\":…,\"result\":…}", (*interp).invoke},
		"transmit":       {"transmit EVENT [DATA]", "send an event that has no answer", (*interp).transmit},
		"publish":        {"publish [--ack] CHANNEL [DATA]", "publish to a channel (--ack: wait for the server)", (*interp).publish},
		"subscribe":      {"subscribe [--wait-for-auth] CHANNEL…", "subscribe and print the channels' messages", (*interp).subscribe},
		"unsubscribe":    {"unsubscribe CHANNEL…", "unsubscribe and stop printing", (*interp).unsubscribe},
		"listen":         {"listen [EVENT…]", "print socket events (every event when none is named)", (*interp).listen},
		"unlisten":       {"unlisten [EVENT…]", "stop printing socket events", (*interp).unlisten},
		"receive":        {"receive RECEIVER…", "print the server's transmits of these events", (*interp).receive},
		"unreceive":      {"unreceive [RECEIVER…]", "stop printing transmits", (*interp).unreceive},
		"authenticate":   {"authenticate TOKEN", "send a signed auth token", (*interp).authenticate},
		"deauthenticate": {"deauthenticate", "drop the auth token", (*interp).deauthenticate},
		"state":          {"state", "print the connection and auth state and the subscriptions", (*interp).state},
		"wait":           {"wait N [TIMEOUT]", "wait until N more messages or events were printed (default timeout 10s)", (*interp).wait},
	}
}

// errUnknownCommand marks a line whose first word is not a command.
var errUnknownCommand = errors.New("unknown command")

// exec runs one line. Blank lines and lines starting with # do nothing.
func (in *interp) exec(ctx context.Context, line string) error {
	name, args := nextWord(strings.TrimSpace(line))
	if name == "" || strings.HasPrefix(name, "#") {
		return nil
	}
	c, ok := shellCommands[name]
	if !ok {
		return usageError(fmt.Errorf("%w %q (try help)", errUnknownCommand, name))
	}
	return c.run(in, ctx, args)
}

func usageOf(name string) error {
	return usageError(fmt.Errorf("usage: %s", shellCommands[name].usage))
}

func (in *interp) invoke(ctx context.Context, args string) error {
	proc, data := nextWord(args)
	if proc == "" {
		return usageOf("invoke")
	}
	res, err := in.sess.sock.Invoke(ctx, proc, optData(data), ackTimeout(in.sess.sock))
	if err != nil {
		return callFailed("invoke "+proc, err)
	}
	var o jsonObj
	o.add("invoke", proc)
	o.addData("result", res)
	in.results(o.bytes())
	return nil
}

func (in *interp) transmit(_ context.Context, args string) error {
	event, data := nextWord(args)
	if event == "" {
		return usageOf("transmit")
	}
	if err := in.sess.sock.Transmit(event, optData(data)); err != nil {
		return callFailed("transmit "+event, err)
	}
	return nil
}

func (in *interp) publish(ctx context.Context, args string) error {
	args, ack := takeFlag(args, "--ack")
	channel, data := nextWord(args)
	if channel == "" {
		return usageOf("publish")
	}
	if !ack {
		if err := in.sess.sock.TransmitPublish(channel, optData(data)); err != nil {
			return callFailed("publish "+channel, err)
		}
		return nil
	}
	if err := in.sess.sock.InvokePublish(ctx, channel, optData(data), ackTimeout(in.sess.sock)); err != nil {
		return callFailed("publish "+channel, err)
	}
	var o jsonObj
	o.add("publish", channel)
	o.add("ack", true)
	in.results(o.bytes())
	return nil
}

func (in *interp) subscribe(ctx context.Context, args string) error {
	args, waitAuth := takeFlag(args, "--wait-for-auth")
	names := strings.Fields(args)
	if len(names) == 0 {
		return usageOf("subscribe")
	}
	return in.sess.subscribe(ctx, names, scclient.SubscribeOptions{WaitForAuth: waitAuth}, true)
}

func (in *interp) unsubscribe(_ context.Context, args string) error {
	names := strings.Fields(args)
	if len(names) == 0 {
		return usageOf("unsubscribe")
	}
	in.sess.unsubscribe(names)
	return nil
}

func (in *interp) listen(_ context.Context, args string) error {
	in.sess.listen(strings.Fields(args))
	return nil
}

func (in *interp) unlisten(_ context.Context, args string) error {
	if in.sess.unlisten(strings.Fields(args)) == 0 {
		in.sess.d.infof("no listener matched")
	}
	return nil
}

func (in *interp) receive(_ context.Context, args string) error {
	names := strings.Fields(args)
	if len(names) == 0 {
		return usageOf("receive")
	}
	in.sess.receive(names)
	return nil
}

func (in *interp) unreceive(_ context.Context, args string) error {
	in.sess.unreceive(strings.Fields(args))
	return nil
}

func (in *interp) authenticate(ctx context.Context, args string) error {
	token, rest := nextWord(args)
	if token == "" || rest != "" {
		return usageOf("authenticate")
	}
	ctx, cancel := context.WithTimeout(ctx, in.sess.sock.AckTimeout())
	defer cancel()
	st, err := in.sess.sock.Authenticate(ctx, token)
	if err != nil {
		return callFailed("authenticate", err)
	}
	if !st.IsAuthenticated {
		return withCode(ExitAuth, fmt.Errorf("authenticate: token rejected: %s", authWhy(st.AuthError)))
	}
	return nil
}

func (in *interp) deauthenticate(ctx context.Context, args string) error {
	if strings.TrimSpace(args) != "" {
		return usageOf("deauthenticate")
	}
	ctx, cancel := context.WithTimeout(ctx, in.sess.sock.AckTimeout())
	defer cancel()
	if err := in.sess.sock.Deauthenticate(ctx); err != nil {
		return callFailed("deauthenticate", err)
	}
	return nil
}

func (in *interp) state(_ context.Context, args string) error {
	if strings.TrimSpace(args) != "" {
		return usageOf("state")
	}
	s := in.sess.sock
	var o jsonObj
	o.add("state", s.State().String())
	o.add("id", s.ID())
	o.add("authState", s.AuthState().String())
	o.add("subscriptions", nonNil(s.Subscriptions(false)))
	o.add("pending", nonNil(pendingOnly(s)))
	in.results(o.bytes())
	return nil
}

func pendingOnly(s *scclient.Socket) []string {
	var out []string
	for _, n := range s.Subscriptions(true) {
		if s.ChannelState(n) == scclient.ChannelPending {
			out = append(out, n)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (in *interp) wait(ctx context.Context, args string) error {
	ns, rest := nextWord(args)
	n, err := strconv.Atoi(ns)
	if err != nil || n < 0 {
		return usageOf("wait")
	}
	timeout := 10 * time.Second
	if ts, more := nextWord(rest); ts != "" {
		if more != "" {
			return usageOf("wait")
		}
		timeout, err = time.ParseDuration(ts)
		if err != nil || timeout <= 0 {
			return usageOf("wait")
		}
	}
	target := in.waited + n
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := in.sess.out.waitCount(wctx, target); err != nil {
		got := in.sess.out.count() - in.waited
		in.waited = max(in.waited, in.sess.out.count())
		if errors.Is(err, context.DeadlineExceeded) {
			return withCode(ExitTimeout, fmt.Errorf("wait: %d of %d lines arrived within %v", got, n, timeout))
		}
		return withCode(ExitInterrupted, err)
	}
	in.waited = target
	return nil
}

// optData is the payload of an optional DATA argument (nil when empty).
func optData(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return dataValue(s)
}
