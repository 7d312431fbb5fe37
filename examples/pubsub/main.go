// Command pubsub shows publish/subscribe between two sockets: one
// subscribes to a channel, the other publishes messages on it, and the
// first prints what it receives.
//
//	go run ./examples/pubsub -url ws://127.0.0.1:8000/socketcluster/ -count 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/socketcluster-go/scclient"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:8000/socketcluster/", "WebSocket URL of the SocketCluster server")
	channel := flag.String("channel", "news", "channel to use")
	count := flag.Int("count", 3, "number of messages to publish")
	timeout := flag.Duration("timeout", 10*time.Second, "give up after this long")
	flag.Parse()
	if err := run(*url, *channel, *count, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "pubsub failed:", err)
		os.Exit(1)
	}
	fmt.Println("pubsub: ok")
}

func run(url, channel string, count int, timeout time.Duration) error {
	if count < 1 {
		return errors.New("-count must be at least 1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	subscriber, err := scclient.Create(scclient.Options{URL: url})
	if err != nil {
		return err
	}
	defer subscriber.Close()
	publisher, err := scclient.Create(scclient.Options{URL: url})
	if err != nil {
		return err
	}
	defer publisher.Close()

	// Create the consumers before subscribing so that no event is missed.
	subscribed := subscriber.Listener(scclient.EventSubscribe, scclient.EventSubscribeFail).CreateConsumer(0)
	ch := subscriber.Subscribe(channel)
	messages := ch.CreateConsumer(0)
	ev, ok, err := subscribed.Next(ctx)
	if err != nil || !ok {
		return fmt.Errorf("subscribing to %q on %s: %v", channel, url, err)
	}
	if ev.Name == scclient.EventSubscribeFail {
		return fmt.Errorf("subscribing to %q: %w", channel, ev.Error)
	}
	fmt.Printf("subscriber: subscribed to %s\n", ev.Channel)

	for i := 1; i <= count; i++ {
		msg := map[string]any{"seq": i, "text": fmt.Sprintf("message %d", i)}
		if err := publisher.InvokePublish(ctx, channel, msg); err != nil {
			return fmt.Errorf("publish %d: %w", i, err)
		}
		fmt.Printf("publisher: published message %d\n", i)
	}
	for i := 1; i <= count; i++ {
		data, ok, err := messages.Next(ctx)
		if err != nil || !ok {
			return fmt.Errorf("waiting for message %d: %v", i, err)
		}
		var msg struct {
			Seq  int    `json:"seq"`
			Text string `json:"text"`
		}
		if err := data.Decode(&msg); err != nil {
			return fmt.Errorf("decode message %d: %w", i, err)
		}
		fmt.Printf("subscriber: received #%d %q\n", msg.Seq, msg.Text)
	}
	return nil
}
