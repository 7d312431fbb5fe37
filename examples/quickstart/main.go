// Command quickstart connects to a SocketCluster server, invokes its echo
// procedure, then transmits to the server's echoEvent receiver and waits for
// the event the server transmits back.
//
//	go run ./examples/quickstart -url ws://127.0.0.1:8000/socketcluster/
//
// It works against testdata/server (see its README for the procedures).
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
	timeout := flag.Duration("timeout", 10*time.Second, "give up after this long")
	flag.Parse()
	if err := run(*url, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart failed:", err)
		os.Exit(1)
	}
	fmt.Println("quickstart: ok")
}

func run(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	sock, err := scclient.Create(scclient.Options{URL: url})
	if err != nil {
		return err
	}
	defer sock.Close()

	// Invoke waits in the outbound queue until the handshake is done.
	res, err := sock.Invoke(ctx, "echo", map[string]string{"hello": "world"})
	if err != nil {
		return fmt.Errorf("invoke echo on %s: %w", url, err)
	}
	fmt.Printf("connected: socket id %s\n", sock.ID())
	var echoed map[string]string
	if err := res.Decode(&echoed); err != nil {
		return fmt.Errorf("decode echo answer: %w", err)
	}
	fmt.Printf("echo answered: hello %s\n", echoed["hello"])

	// The consumer exists from here on, so nothing sent later is missed.
	greetings := sock.Receiver("greeting").CreateConsumer(0)
	err = sock.Transmit("echoEvent", map[string]any{"event": "greeting", "data": "hi there"})
	if err != nil {
		return fmt.Errorf("transmit echoEvent: %w", err)
	}
	data, ok, err := greetings.Next(ctx)
	if err != nil || !ok {
		return fmt.Errorf("no greeting came back: %v", err)
	}
	var text string
	if err := data.Decode(&text); err != nil {
		return fmt.Errorf("decode greeting: %w", err)
	}
	fmt.Printf("received greeting: %s\n", text)
	return nil
}
