package scclient

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fuzzPipeConn is a connection whose peer reads and drops everything.
func fuzzPipeConn() net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		_, _ = io.Copy(io.Discard, server)
	}()
	return client
}

// fuzzFrameSeeds are frames of every shape the server sends, and broken
// variants of them.
var fuzzFrameSeeds = []string{
	``, `#1`, `#2`, `{}`, `[]`, `null`, `"x"`, `5`,
	`{"rid":1,"data":{"id":"x","pingTimeout":20000,"isAuthenticated":false}}`,
	`{"rid":1,"error":{"name":"CustomError","message":"m","code":42}}`,
	`{"rid":1,"error":"plain"}`, `{"rid":1,"error":0}`, `{"rid":-1}`, `{"rid":1.5}`,
	`{"event":"x","data":{"a":[1,2,{"b":null}]}}`,
	`{"event":"p","data":"q","cid":7}`,
	`{"event":"#publish","data":{"channel":"c","data":"hello"}}`,
	`{"event":"#publish","data":{"channel":"pre/c","data":1}}`,
	`{"event":"#publish","data":{"channel":5}}`,
	`{"event":"#kickOut","data":{"channel":"c","message":"bye"}}`,
	`{"event":"#kickOut","data":[]}`,
	`{"event":"#setAuthToken","data":{"token":"a.eyJ1c2VybmFtZSI6ImFsaWNlIn0.b"}}`,
	`{"event":"#setAuthToken","data":{"token":"a.eyJ1c2VybmFtZSI6ImFsaWNlIn0.b"},"cid":3}`,
	`{"event":"#setAuthToken","data":{"token":7},"cid":3}`,
	`{"event":"#setAuthToken"}`,
	`{"event":"#removeAuthToken"}`, `{"event":"#removeAuthToken","cid":4}`,
	`[{"event":"x","data":1},{"rid":1},5,"s",{"event":"#publish","data":{"channel":"c","data":2}}]`,
	`{"event":"x","cid":"1"}`, `{"event":1,"data":2}`, `{"rid":{}}`,
	`{"event":"x\ud800","data":"\udfff"}`, "{\"event\":\"x\xff\",\"data\":\"\xfe\"}",
	`{"event":"x","data":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`,
	strings.Repeat("[", 5000),
	`{"event":"#setAuthToken","data":0}`, `{"rid":1e20}`, `{"rid":0e1000}`,
	`[{"rid":0},{"rid":1},{"rid":1},{"rid":0}]`,
	`[{"event":"","cid":9227000000000000000}]`,
}

// FuzzHandleFrame feeds arbitrary frames, text or binary, to the inbound
// frame handler of an open socket: it must never panic or hang, and the
// socket must still close.
func FuzzHandleFrame(f *testing.F) {
	for _, s := range fuzzFrameSeeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte{0, 1, 2, 0xff}, true)
	f.Add([]byte(`{"event":"x","data":1}`), true)
	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		s, err := Create(Options{DisableAutoConnect: true, DisableAutoReconnect: true, ChannelPrefix: "pre/"})
		if err != nil {
			t.Fatal(err)
		}
		nc := fuzzPipeConn()
		defer nc.Close()
		c := newConn(s, s.opts)
		c.nc = nc
		s.mu.Lock()
		s.conn = c
		s.state = StateOpen
		s.mu.Unlock()
		s.Subscribe("c")
		// Consumers, so that deliveries go all the way to a queue.
		events := s.Listener().CreateConsumer(0)
		defer events.Close()
		received := s.Receiver("x").CreateConsumer(0)
		defer received.Close()
		requests := s.Procedure("p").CreateConsumer(0)
		defer requests.Close()
		messages := s.Channel("c").CreateConsumer(0)
		defer messages.Close()

		mt := websocket.TextMessage
		if binary {
			mt = websocket.BinaryMessage
		}
		in := append([]byte(nil), frame...)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.handleFrame(c, mt, in)
			_ = s.Close()
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("handleFrame or Close hung on frame %q", frame)
		}
	})
}
