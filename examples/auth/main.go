// Command auth logs in through a server procedure that sets an auth token,
// then receives a message on a private channel that only authenticated
// sockets may subscribe to. The subscription is made before the login with
// WaitForAuth, so it waits until the token arrives.
//
//	go run ./examples/auth -url ws://127.0.0.1:8000/socketcluster/ -user alice
//
// testdata/server's login procedure accepts alice, bob, charlie, david and
// kate, and its middleware guards every channel named private/….
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/socketcluster-go/scclient"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:8000/socketcluster/", "WebSocket URL of the SocketCluster server")
	user := flag.String("user", "alice", "user name to log in with")
	timeout := flag.Duration("timeout", 10*time.Second, "give up after this long")
	flag.Parse()
	if err := run(*url, *user, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "auth failed:", err)
		os.Exit(1)
	}
	fmt.Println("auth: ok")
}

func run(url, user string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	sock, err := scclient.Create(scclient.Options{URL: url})
	if err != nil {
		return err
	}
	defer sock.Close()

	events := sock.Listener(scclient.EventAuthenticate, scclient.EventSubscribe, scclient.EventSubscribeFail).CreateConsumer(0)
	channel := "private/" + user
	inbox := sock.Subscribe(channel, scclient.SubscribeOptions{WaitForAuth: true})
	messages := inbox.CreateConsumer(0)
	fmt.Printf("channel %s is %s until we log in\n", channel, inbox.State())

	// The server answers, then sends #setAuthToken; the socket adopts the
	// token and sends the waiting subscription.
	if _, err := sock.Invoke(ctx, "login", map[string]string{"username": user}); err != nil {
		return fmt.Errorf("login as %q on %s: %w", user, url, err)
	}
	for subscribed := false; !subscribed; {
		ev, ok, err := events.Next(ctx)
		if err != nil || !ok {
			return fmt.Errorf("waiting for authentication and subscription: %v", err)
		}
		switch ev.Name {
		case scclient.EventAuthenticate:
			fmt.Printf("authenticated as %v (token stored under %s)\n", ev.AuthToken["username"], sock.AuthTokenName())
		case scclient.EventSubscribeFail:
			return fmt.Errorf("subscribe to %s: %w", ev.Channel, ev.Error)
		case scclient.EventSubscribe:
			fmt.Printf("subscribed to %s\n", ev.Channel)
			subscribed = true
		}
	}

	// Ask the server to publish on the private channel.
	if _, err := sock.Invoke(ctx, "publish", map[string]any{"channel": channel, "data": "hello " + user}); err != nil {
		return fmt.Errorf("publish on %s: %w", channel, err)
	}
	data, ok, err := messages.Next(ctx)
	if err != nil || !ok {
		return fmt.Errorf("waiting for the private message: %v", err)
	}
	var text string
	if err := data.Decode(&text); err != nil {
		return fmt.Errorf("decode private message: %w", err)
	}
	fmt.Printf("private message: %s\n", text)
	return nil
}
