package scclient_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/socketcluster-go/scclient"
	"github.com/socketcluster-go/scclient/internal/testserver"
)

// serverURL is the address of the real SocketCluster server (testdata/server)
// that TestMain starts for the examples, for example
// "ws://127.0.0.1:8000/socketcluster/".
var serverURL string

func TestMain(m *testing.M) {
	srv, err := testserver.Launch("", testserver.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverURL = srv.URL()
	code := m.Run()
	srv.Stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Connect, call a server procedure, receive the server's transmits and
// answer its requests.
func Example() {
	sock, err := scclient.Create(scclient.Options{URL: serverURL})
	if err != nil {
		log.Fatal(err)
	}
	defer sock.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// RPC: the call waits in the queue until the handshake is done.
	res, err := sock.Invoke(ctx, "echo", map[string]any{"greeting": "hello"})
	if err != nil {
		log.Fatal(err)
	}
	var echoed struct{ Greeting string }
	if err := res.Decode(&echoed); err != nil {
		log.Fatal(err)
	}
	fmt.Println("echo:", echoed.Greeting)

	// A receiver: the consumer exists as soon as All returns.
	news := sock.Receiver("news").All()
	// A procedure the server can call on us.
	requests := sock.Procedure("whoAreYou").All()
	go func() {
		for req := range requests {
			_ = req.End("a Go client")
		}
	}()

	// Ask the server to transmit to us, then to invoke our procedure.
	if _, err := sock.Invoke(ctx, "serverTransmit", map[string]any{"event": "news", "data": "extra!"}); err != nil {
		log.Fatal(err)
	}
	for data := range news {
		fmt.Println("news:", data)
		break
	}
	answer, err := sock.Invoke(ctx, "serverInvoke", map[string]any{"event": "whoAreYou"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("server heard:", answer)
	// Output:
	// echo: hello
	// news: "extra!"
	// server heard: "a Go client"
}

// Publish on a channel from one socket and consume it on another.
func ExampleSocket_Subscribe() {
	sub, err := scclient.Create(scclient.Options{URL: serverURL})
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	pub, err := scclient.Create(scclient.Options{URL: serverURL})
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	subscribed := sub.Listener(scclient.EventSubscribe).All()
	ch := sub.Subscribe("weather")
	messages := ch.All()
	for ev := range subscribed {
		fmt.Println("subscribed to", ev.Channel)
		break
	}

	for _, city := range []string{"Oslo", "Lima"} {
		if err := pub.InvokePublish(ctx, "weather", map[string]string{"city": city}); err != nil {
			log.Fatal(err)
		}
	}
	n := 0
	for msg := range messages {
		var report struct{ City string }
		if err := msg.Decode(&report); err != nil {
			log.Fatal(err)
		}
		fmt.Println("report for", report.City)
		if n++; n == 2 {
			break
		}
	}
	// Output:
	// subscribed to weather
	// report for Oslo
	// report for Lima
}

// Log in through a server procedure that sets an auth token, then use a
// private channel that waits for authentication.
func ExampleSubscribeOptions_waitForAuth() {
	sock, err := scclient.Create(scclient.Options{URL: serverURL})
	if err != nil {
		log.Fatal(err)
	}
	defer sock.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	events := sock.Listener(scclient.EventAuthenticate, scclient.EventSubscribe).All()
	room := sock.Subscribe("private/room", scclient.SubscribeOptions{WaitForAuth: true})
	messages := room.All()
	fmt.Println("before login:", room.State())

	if _, err := sock.Invoke(ctx, "login", map[string]any{"username": "alice"}); err != nil {
		log.Fatal(err)
	}
	for ev := range events {
		switch ev.Name {
		case scclient.EventAuthenticate:
			fmt.Println("authenticated as", ev.AuthToken["username"])
		case scclient.EventSubscribe:
			fmt.Println("subscribed to", ev.Channel)
		}
		if ev.Name == scclient.EventSubscribe {
			break
		}
	}
	if err := room.InvokePublish(ctx, "hi alice"); err != nil {
		log.Fatal(err)
	}
	for msg := range messages {
		fmt.Println("private message:", msg)
		break
	}
	// Output:
	// before login: pending
	// authenticated as alice
	// subscribed to private/room
	// private message: "hi alice"
}
