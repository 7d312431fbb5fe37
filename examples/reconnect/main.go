// Command reconnect watches a socket's connection: it prints every
// connection event and state change with a timestamp until interrupted or
// until -duration has passed. Reconnect delays are short, so stopping and
// restarting the server shows the reconnect schedule at work.
//
//	go run ./examples/reconnect -url ws://127.0.0.1:8000/socketcluster/ -duration 1m
//
// It exits 0 if it was connected at least once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/socketcluster-go/scclient"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:8000/socketcluster/", "WebSocket URL of the SocketCluster server")
	duration := flag.Duration("duration", 30*time.Second, "stop after this long")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	if err := run(ctx, *url); err != nil {
		fmt.Fprintln(os.Stderr, "reconnect failed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string) error {
	sock, err := scclient.Create(scclient.Options{
		URL:                  url,
		DisableAutoConnect:   true, // so that the first connecting event is seen
		AutoReconnectOptions: scclient.ReconnectOptions{InitialDelay: 200 * time.Millisecond, Randomness: 300 * time.Millisecond, Multiplier: 1.5, MaxDelay: 3 * time.Second},
	})
	if err != nil {
		return err
	}
	defer sock.Close()

	events := sock.Listener(scclient.EventConnecting, scclient.EventConnect, scclient.EventConnectAbort,
		scclient.EventDisconnect, scclient.EventClose, scclient.EventError).CreateConsumer(0)
	last := sock.State()
	printf("watching %s (state %s)", url, last)
	if err := sock.Connect(); err != nil {
		return err
	}

	connects := 0
	for {
		ev, ok, err := events.Next(ctx)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil || !ok {
			return fmt.Errorf("event stream ended: %v", err)
		}
		describe(sock, ev)
		if ev.Name == scclient.EventConnect {
			connects++
		}
		if state := sock.State(); state != last {
			printf("state %s -> %s", last, state)
			last = state
		}
	}
	printf("stopping after %d connection(s)", connects)
	if connects == 0 {
		return fmt.Errorf("never connected to %s", url)
	}
	return nil
}

// describe prints one event with the fields that matter for it.
func describe(sock *scclient.Socket, ev scclient.Event) {
	switch ev.Name {
	case scclient.EventConnect:
		printf("connect: id %s, ping timeout %v", ev.ID, ev.PingTimeout)
	case scclient.EventConnectAbort, scclient.EventDisconnect, scclient.EventClose:
		line := fmt.Sprintf("%s: code %d %q", ev.Name, ev.Code, ev.Reason)
		if d, ok := sock.PendingReconnectTimeout(); ok && ev.Name == scclient.EventClose {
			line += fmt.Sprintf(", reconnect #%d in %v", sock.ConnectAttempts(), d)
		}
		printf("%s", line)
	case scclient.EventError:
		printf("error: %v", ev.Error)
	default:
		printf("%s", ev.Name)
	}
}

func printf(format string, args ...any) {
	fmt.Printf("[%s] %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}
