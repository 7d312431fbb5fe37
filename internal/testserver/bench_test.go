package testserver

import (
	"testing"
)

// BenchmarkEchoRoundTrip measures one echo call over a raw connection to a
// server started by Start with a *testing.B.
func BenchmarkEchoRoundTrip(b *testing.B) {
	srv := Start(b, Options{})
	c := dialRaw(b, srv.URL())
	c.handshake(nil)
	payload := map[string]any{"seq": 0, "msg": "hello"}
	b.ReportAllocs()
	for b.Loop() {
		res := c.call("echo", payload)
		if _, ok := res["data"]; !ok {
			b.Fatalf("echo answered %v", res)
		}
	}
}
