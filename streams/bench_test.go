package streams

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// payload is a 48-byte value, about the size of an inbound message header.
type payload struct {
	a, b, c, d, e, f int64
}

// paceLimit caps how far a benchmark writer may run ahead of its readers,
// so the figures describe a steady state rather than an ever-growing queue.
const paceLimit = 512

// pace yields while a consumer has more than paceLimit values queued.
func pace(c *Consumer[string, payload]) {
	for c.Backpressure() > paceLimit {
		runtime.Gosched()
	}
}

// readAll takes n values from c, stopping early at the end of the stream.
func readAll(b *testing.B, c *Consumer[string, payload], n int) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if _, ok, err := c.Next(ctx); !ok || err != nil {
			b.Errorf("read %d of %d: ok=%v err=%v", i, n, ok, err)
			return
		}
	}
}

func BenchmarkHandoff(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	c := d.Stream("msg").CreateConsumer(0)
	defer c.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		defer wg.Done()
		readAll(b, c, b.N)
	}()
	v := payload{a: 1}
	for i := 0; i < b.N; i++ {
		if i%64 == 0 {
			pace(c)
		}
		v.b = int64(i)
		d.Write("msg", v)
	}
	wg.Wait()
}

func BenchmarkHandoffWithTimeout(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	c := d.Stream("msg").CreateConsumer(time.Minute)
	defer c.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		defer wg.Done()
		readAll(b, c, b.N)
	}()
	v := payload{a: 1}
	for i := 0; i < b.N; i++ {
		if i%64 == 0 {
			pace(c)
		}
		v.b = int64(i)
		d.Write("msg", v)
	}
	wg.Wait()
}

func BenchmarkFanout8(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	consumers := make([]*Consumer[string, payload], 8)
	for i := range consumers {
		consumers[i] = d.Stream("msg").CreateConsumer(0)
	}
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for _, c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readAll(b, c, b.N)
		}()
	}
	v := payload{a: 1}
	for i := 0; i < b.N; i++ {
		if i%64 == 0 {
			for _, c := range consumers {
				pace(c)
			}
		}
		v.b = int64(i)
		d.Write("msg", v)
	}
	wg.Wait()
	b.StopTimer()
	d.KillAll()
}

func BenchmarkWriteNoConsumer(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	other := d.Stream("other").CreateConsumer(0) // the demux is not empty
	defer other.Close()
	v := payload{a: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Write("msg", v)
	}
}

func BenchmarkWriteEmptyDemux(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	v := payload{a: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Write("msg", v)
	}
}

func BenchmarkWriteThenNextSameGoroutine(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	c := d.Stream("msg").CreateConsumer(0)
	defer c.Close()
	ctx := context.Background()
	v := payload{a: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Write("msg", v)
		if _, ok, _ := c.Next(ctx); !ok {
			b.Fatal("stream ended")
		}
	}
}

func BenchmarkCreateAndCloseConsumer(b *testing.B) {
	d := NewDemux[string, payload](Config{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d.Stream("msg").CreateConsumer(0).Close()
	}
}
