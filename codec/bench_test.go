package codec

import (
	"encoding/json"
	"strings"
	"testing"
)

func publishFrame(n int) []byte {
	return []byte(`{"event":"#publish","data":{"channel":"bench","data":"` + strings.Repeat("x", n) + `"}}`)
}

// benchDecodePublish decodes a #publish frame of n payload bytes down to
// the channel name and the encoded value, as a received message needs.
func benchDecodePublish(b *testing.B, n int) {
	frame := publishFrame(n)
	dst := make([]Packet, 0, 1)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		dst = JSON.DecodeFrame(dst[:0], frame)
		if p := &dst[0]; !p.HasChannel || p.Channel != "bench" || len(p.Value) != n+2 {
			b.Fatal("bad decode")
		}
	}
}

func BenchmarkDecodeFramePublish64(b *testing.B) { benchDecodePublish(b, 64) }
func BenchmarkDecodeFramePublish1K(b *testing.B) { benchDecodePublish(b, 1024) }

// BenchmarkDecodeFramePublish1KStd is the same work done with encoding/json,
// for comparison.
func BenchmarkDecodeFramePublish1KStd(b *testing.B) {
	frame := publishFrame(1024)
	type pub struct {
		Channel string          `json:"channel"`
		Data    json.RawMessage `json:"data"`
	}
	type packet struct {
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
		CID   *json.Number    `json:"cid"`
	}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		var p packet
		var d pub
		if json.Unmarshal(frame, &p) != nil || json.Unmarshal(p.Data, &d) != nil || d.Channel != "bench" {
			b.Fatal("bad decode")
		}
	}
}

func BenchmarkDecodeFrameResponse(b *testing.B) {
	frame := []byte(`{"rid":12345,"data":{"id":"vNZhqXgrwI6U9c3CAAAA","pingTimeout":5000,"isAuthenticated":false}}`)
	dst := make([]Packet, 0, 1)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		dst = JSON.DecodeFrame(dst[:0], frame)
		if dst[0].Kind != KindResponse {
			b.Fatal("bad decode")
		}
	}
}

func BenchmarkEncodePacketInvoke(b *testing.B) {
	p := Packet{Kind: KindRequest, Event: "echo", Data: []byte(`{"msg":"hello","n":1}`), CID: 12345}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = JSON.EncodePacket(buf[:0], &p); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

type benchStruct struct {
	ID     int      `json:"id"`
	Name   string   `json:"name"`
	Tags   []string `json:"tags"`
	Score  float64  `json:"score"`
	Active bool     `json:"active"`
}

var benchValue = benchStruct{ID: 42, Name: "gopher", Tags: []string{"a", "b"}, Score: 98.6, Active: true}

func BenchmarkMarshalSmallStruct(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JSON.Marshal(&benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshalSmallStructStd is encoding/json on the same value, for
// comparison.
func BenchmarkMarshalSmallStructStd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(&benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalMap(b *testing.B) {
	v := map[string]any{"channel": "prices", "data": map[string]any{"bid": 1.25, "ask": 1.5, "sym": "EURUSD", "bin": []byte{1, 2, 3}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JSON.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
