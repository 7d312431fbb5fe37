// Command procedures offers a procedure that the server can call: the
// client answers "add" requests, and asks the server (through its
// serverInvoke procedure) to invoke it, printing the round trip.
//
//	go run ./examples/procedures -url ws://127.0.0.1:8000/socketcluster/ -a 2 -b 3
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
	a := flag.Int("a", 2, "first number")
	b := flag.Int("b", 3, "second number")
	timeout := flag.Duration("timeout", 10*time.Second, "give up after this long")
	flag.Parse()
	if err := run(*url, *a, *b, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "procedures failed:", err)
		os.Exit(1)
	}
	fmt.Println("procedures: ok")
}

// operands is the data of an "add" request.
type operands struct {
	A *int `json:"a"`
	B *int `json:"b"`
}

func run(url string, a, b int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	sock, err := scclient.Create(scclient.Options{URL: url})
	if err != nil {
		return err
	}
	defer sock.Close() // also ends the range below

	// Serve "add": the consumer exists as soon as All returns.
	requests := sock.Procedure("add").All()
	go func() {
		for req := range requests {
			var in operands
			if err := req.Data.Decode(&in); err != nil || in.A == nil || in.B == nil {
				_ = req.Error(&scclient.SCError{Name: "BadOperandsError", Message: "add expects {a, b} numbers"})
				continue
			}
			fmt.Printf("client: server asked add(%d, %d)\n", *in.A, *in.B)
			_ = req.End(*in.A + *in.B)
		}
	}()

	res, err := sock.Invoke(ctx, "serverInvoke", map[string]any{"event": "add", "data": map[string]int{"a": a, "b": b}})
	if err != nil {
		return fmt.Errorf("serverInvoke add on %s: %w", url, err)
	}
	var sum int
	if err := res.Decode(&sum); err != nil {
		return fmt.Errorf("decode the server's answer %s: %w", res, err)
	}
	fmt.Printf("round trip: client -> server -> client add(%d, %d) = %d -> server -> client\n", a, b, sum)
	if sum != a+b {
		return fmt.Errorf("expected %d, got %d", a+b, sum)
	}
	return nil
}
