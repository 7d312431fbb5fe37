package streams_test

import (
	"context"
	"fmt"

	"github.com/socketcluster-go/scclient/streams"
)

func Example() {
	d := streams.NewDemux[string, string](streams.Config{})

	// The consumer exists as soon as All returns: values written before the
	// loop starts are kept for it.
	news := d.Stream("news").All()
	d.Write("news", "hello")
	d.Write("sport", "nobody listens: dropped")
	d.Write("news", "world")
	d.Close("news") // the loop ends after the values written before it

	for msg := range news {
		fmt.Println(msg)
	}
	fmt.Println("consumers left:", d.AllConsumerCount())
	// Output:
	// hello
	// world
	// consumers left: 0
}

func ExampleDemux_NewConsumer() {
	d := streams.NewDemux[string, int](streams.Config{})
	c := d.NewConsumer([]string{"connect", "disconnect"}, 0)
	d.Write("disconnect", 1)
	d.Write("connect", 2)
	fmt.Println("backpressure:", c.Backpressure())

	d.Kill("connect") // ends the consumer at once, discarding what it holds
	_, ok, err := c.Next(context.Background())
	fmt.Println(ok, err, c.Backpressure())
	// Output:
	// backpressure: 2
	// false <nil> 0
}
