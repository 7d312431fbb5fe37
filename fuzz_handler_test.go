package scclient

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fuzzPipeWebSocket returns the client end of a WebSocket over an in-memory
// pipe whose server end answers the upgrade and then discards everything,
// so the socket's writes (pongs, responses, subscribes) go somewhere.
func fuzzPipeWebSocket(tb testing.TB) *websocket.Conn {
	tb.Helper()
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		br := bufio.NewReader(server)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		_, err = fmt.Fprintf(server, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			base64.StdEncoding.EncodeToString(sum[:]))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, br)
	}()
	u, _ := url.Parse("ws://fuzz.invalid/socketcluster/")
	ws, _, err := websocket.NewClient(client, u, nil, 1024, 1024)
	if err != nil {
		client.Close()
		tb.Fatalf("pipe WebSocket: %v", err)
	}
	return ws
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
		ws := fuzzPipeWebSocket(t)
		defer ws.Close()
		c := newConn(s, s.opts)
		c.ws = ws
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
