// Command demo starts the real SocketCluster server from testdata/server,
// runs a bot against it that shows connect, RPC, pub/sub between two
// sockets, login with a private channel, and a server restart with
// automatic resubscription, then stops the server. It prints each step and
// exits 0 only if every step worked. Run it with `make demo`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/socketcluster-go/scclient"
	"github.com/socketcluster-go/scclient/internal/testserver"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	fmt.Println("demo: every step worked")
}

func step(format string, args ...any) {
	fmt.Printf("[%s] %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

func run() error {
	srv, err := testserver.Launch("", testserver.Options{})
	if err != nil {
		return err
	}
	defer srv.Stop()
	step("server: socketcluster-server 20.0.1 listening at %s (pid %d)", srv.URL(), srv.PID())

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	fast := scclient.ReconnectOptions{InitialDelay: 200 * time.Millisecond, Randomness: 100 * time.Millisecond, MaxDelay: time.Second}
	// The bot connects only once its event consumer exists, so that the
	// first connect event cannot be missed.
	bot, err := scclient.Create(scclient.Options{URL: srv.URL(), AutoReconnectOptions: fast, DisableAutoConnect: true})
	if err != nil {
		return err
	}
	defer bot.Close()
	peer, err := scclient.Create(scclient.Options{URL: srv.URL(), AutoReconnectOptions: fast})
	if err != nil {
		return err
	}
	defer peer.Close()

	events := bot.Listener(scclient.EventConnect, scclient.EventDisconnect, scclient.EventSubscribe,
		scclient.EventAuthenticate, scclient.EventSubscribeStateChange).CreateConsumer(0)
	if err := bot.Connect(); err != nil {
		return err
	}
	waitFor := func(name string) (scclient.Event, error) {
		for {
			ev, ok, err := events.Next(ctx)
			if err != nil || !ok {
				return ev, fmt.Errorf("waiting for %s: %w", name, errors.Join(err, errors.New("stream ended")))
			}
			if ev.Name == name {
				return ev, nil
			}
		}
	}

	// 1. Connect.
	ev, err := waitFor(scclient.EventConnect)
	if err != nil {
		return err
	}
	step("connect: socket id %s, server ping timeout %v", ev.ID, ev.PingTimeout)

	// 2. RPC.
	res, err := bot.Invoke(ctx, "echo", map[string]any{"hello": "world"})
	if err != nil {
		return fmt.Errorf("invoke echo: %w", err)
	}
	step("rpc: echo answered %s", res)
	_, err = bot.Invoke(ctx, "fail", nil)
	var sce *scclient.SCError
	if !errors.As(err, &sce) || sce.Name != "CustomError" {
		return fmt.Errorf("invoke fail: want a CustomError, got %v", err)
	}
	step("rpc: fail answered with %s (code %v)", sce.Error(), sce.Fields["code"])

	// 3. Pub/sub between two sockets.
	news := bot.Subscribe("news")
	newsMsgs := news.CreateConsumer(0)
	if _, err := waitFor(scclient.EventSubscribe); err != nil {
		return err
	}
	step("pubsub: bot subscribed to %q", news.Name())
	for i := 1; i <= 3; i++ {
		if err := peer.InvokePublish(ctx, "news", map[string]any{"n": i}); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	for i := 1; i <= 3; i++ {
		msg, _, err := newsMsgs.Next(ctx)
		if err != nil {
			return fmt.Errorf("receive news: %w", err)
		}
		step("pubsub: bot received %s from the peer", msg)
	}

	// 4. Login and a private channel.
	room := bot.Subscribe("private/room", scclient.SubscribeOptions{WaitForAuth: true})
	roomMsgs := room.CreateConsumer(0)
	step("auth: private/room is %s until the bot logs in", room.State())
	if _, err := bot.Invoke(ctx, "login", map[string]any{"username": "alice"}); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	ev, err = waitFor(scclient.EventAuthenticate)
	if err != nil {
		return err
	}
	step("auth: authenticated as %v", ev.AuthToken["username"])
	if ev, err = waitFor(scclient.EventSubscribe); err != nil {
		return err
	}
	step("auth: subscribed to %s", ev.Channel)
	if _, err := bot.Invoke(ctx, "publish", map[string]any{"channel": "private/room", "data": "for alice only"}); err != nil {
		return err
	}
	msg, _, err := roomMsgs.Next(ctx)
	if err != nil {
		return err
	}
	step("auth: private message %s", msg)

	// 5. Server restart: the bot reconnects, logs in again with its stored
	// token and resubscribes every channel.
	srv.Kill()
	ev, err = waitFor(scclient.EventDisconnect)
	if err != nil {
		return err
	}
	delay, _ := bot.PendingReconnectTimeout()
	step("restart: server killed; disconnect code %d (%s); reconnect in %v", ev.Code, ev.Reason, delay)
	if err := srv.Relaunch(); err != nil {
		return err
	}
	step("restart: server back on the same port")
	ev, err = waitFor(scclient.EventConnect)
	if err != nil {
		return err
	}
	step("restart: reconnected (authenticated: %v)", ev.IsAuthenticated)
	for len(bot.Subscriptions(false)) < 2 {
		if _, err := waitFor(scclient.EventSubscribe); err != nil {
			return err
		}
	}
	step("restart: resubscribed to %v", bot.Subscriptions(false))
	if err := peer.InvokePublish(ctx, "news", "after the restart"); err != nil {
		return fmt.Errorf("publish after restart: %w", err)
	}
	msg, _, err = newsMsgs.Next(ctx)
	if err != nil {
		return err
	}
	step("restart: bot received %s", msg)
	return nil
}
