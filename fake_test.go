package scclient

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// fakeServer is a tiny WebSocket peer for what the real server cannot
// produce: malformed frames, stalls, cut connections. It answers the
// handshake and then runs script on the connection.
type fakeServer struct {
	*httptest.Server
	mu    sync.Mutex
	conns []*websocket.Conn
}

func newFakeServer(t *testing.T, script func(ws *websocket.Conn)) *fakeServer {
	f := &fakeServer{}
	up := websocket.Upgrader{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, ws)
		f.mu.Unlock()
		defer ws.Close()
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var hs struct {
			Event string `json:"event"`
			CID   int64  `json:"cid"`
		}
		if json.Unmarshal(msg, &hs) != nil || hs.Event != "#handshake" {
			return
		}
		reply, _ := json.Marshal(map[string]any{"rid": hs.CID, "data": map[string]any{"id": "fake", "pingTimeout": 20000, "isAuthenticated": false}})
		if ws.WriteMessage(websocket.TextMessage, reply) != nil {
			return
		}
		script(ws)
	}))
	t.Cleanup(func() {
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.Close()
	})
	return f
}

func (f *fakeServer) wsURL() string {
	return "ws" + strings.TrimPrefix(f.URL, "http") + "/socketcluster/"
}

// echoUntilClosed answers every invoke with its data, like a server's echo.
func echoUntilClosed(ws *websocket.Conn) {
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if len(msg) == 0 {
			continue
		}
		var p struct {
			Data json.RawMessage `json:"data"`
			CID  int64           `json:"cid"`
		}
		if json.Unmarshal(msg, &p) == nil && p.CID != 0 {
			reply, _ := json.Marshal(map[string]any{"rid": p.CID, "data": p.Data})
			_ = ws.WriteMessage(websocket.TextMessage, reply)
		}
	}
}

func TestFakeMalformedFramesBecomeRawEvents(t *testing.T) {
	frames := []string{`{"event":`, `not json at all`, `123`, `[{"event":"ok"},5,"x"]`, `{"rid":"nope"}`}
	f := newFakeServer(t, func(ws *websocket.Conn) {
		for _, fr := range frames {
			_ = ws.WriteMessage(websocket.TextMessage, []byte(fr))
		}
		_ = ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
		echoUntilClosed(ws)
	})
	// The server sends at once: listen before connecting.
	s := newSocket(t, f.wsURL(), Options{DisableAutoConnect: true})
	w := watch(t, s, EventRaw, EventError)
	ok := s.Receiver("ok").CreateConsumer(0)
	require.NoError(t, s.Connect())
	var raws []string
	for i := 0; i < 7; i++ {
		ev := w.next(5 * time.Second)
		require.Equal(t, EventRaw, ev.Name, "unexpected %v", ev)
		raws = append(raws, ev.Message.String())
	}
	require.Equal(t, []string{frames[0], frames[1], frames[2], frames[3], frames[3], frames[4], "\x01\x02\x03"}, raws)
	_, got, err := ok.Next(ctxT(t, time.Second))
	require.NoError(t, err)
	require.True(t, got)
	// The socket still works.
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", "still alive")
	require.NoError(t, err)
	require.Equal(t, `"still alive"`, res.String())
}

func TestFakeUnknownAndDuplicateResponseIDsAreIgnored(t *testing.T) {
	f := newFakeServer(t, func(ws *websocket.Conn) {
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"rid":999,"data":"stray"}`))
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var p struct {
				CID int64 `json:"cid"`
			}
			if json.Unmarshal(msg, &p) == nil && p.CID != 0 {
				reply, _ := json.Marshal(map[string]any{"rid": p.CID, "data": "first"})
				_ = ws.WriteMessage(websocket.TextMessage, reply)
				reply, _ = json.Marshal(map[string]any{"rid": p.CID, "data": "second"})
				_ = ws.WriteMessage(websocket.TextMessage, reply)
			}
		}
	})
	s := newSocket(t, f.wsURL(), Options{})
	for i := 0; i < 3; i++ {
		res, err := s.Invoke(ctxT(t, 5*time.Second), "x", i)
		require.NoError(t, err)
		require.Equal(t, `"first"`, res.String())
	}
}

func TestFakeFrameAboveReadLimitCloses1009(t *testing.T) {
	f := newFakeServer(t, func(ws *websocket.Conn) {
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"event":"big","data":"`+strings.Repeat("x", 4096)+`"}`))
		echoUntilClosed(ws)
	})
	_, w := newWatchedSocket(t, f.wsURL(), Options{ReadLimit: 1024, DisableAutoReconnect: true}, EventDisconnect, EventError)
	ev := w.waitFor(EventDisconnect, 5*time.Second)
	require.Equal(t, 1009, ev.Code)
	require.Equal(t, "Message was too big to process", ev.Reason)
	ev = w.waitFor(EventError, time.Second)
	var spe *SocketProtocolError
	require.True(t, errors.As(ev.Error, &spe))
	require.Equal(t, 1009, spe.Code)
}

func TestFakeWrongTypesInReservedEvents(t *testing.T) {
	f := newFakeServer(t, func(ws *websocket.Conn) {
		for _, fr := range []string{
			`{"event":"#publish","data":5}`,
			`{"event":"#publish","data":{"channel":7,"data":1}}`,
			`{"event":"#kickOut","data":"x"}`,
			`{"event":"#setAuthToken"}`,
			`{"event":"#setAuthToken","data":{"token":5}}`,
			`{"event":"#setAuthToken","cid":3}`,
			`{"event":"greet","data":null}`,
		} {
			_ = ws.WriteMessage(websocket.TextMessage, []byte(fr))
		}
		echoUntilClosed(ws)
	})
	s := newSocket(t, f.wsURL(), Options{DisableAutoConnect: true})
	w := watch(t, s, EventError)
	greet := s.Receiver("greet").CreateConsumer(0)
	require.NoError(t, s.Connect())
	v, _, err := greet.Next(ctxT(t, 5*time.Second))
	require.NoError(t, err)
	require.Equal(t, "null", v.String())
	for i := 0; i < 2; i++ {
		ev := w.next(time.Second)
		var ime *InvalidMessageError
		require.True(t, errors.As(ev.Error, &ime), "got %v", ev.Error)
	}
	require.Equal(t, Unauthenticated, s.AuthState())
	res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", 1)
	require.NoError(t, err)
	require.Equal(t, "1", res.String())
}

func TestSilentServerHitsConnectTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var accepted []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted = append(accepted, c) // hold it open, never answer
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range accepted {
			c.Close()
		}
		mu.Unlock()
	})
	_, w := newWatchedSocket(t, "ws://"+ln.Addr().String()+"/socketcluster/", Options{ConnectTimeout: 300 * time.Millisecond, DisableAutoReconnect: true}, EventConnectAbort)
	start := time.Now()
	ev := w.waitFor(EventConnectAbort, 5*time.Second)
	require.Equal(t, 4007, ev.Code)
	require.Equal(t, "Client connection establishment timed out", ev.Reason)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestFakeHandshakeNeverAnsweredCloses4003(t *testing.T) {
	up := websocket.Upgrader{}
	var mu sync.Mutex
	var held []*websocket.Conn
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		mu.Lock()
		held = append(held, ws)
		mu.Unlock()
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
		srv.Close()
	})
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/socketcluster/"
	_, w := newWatchedSocket(t, url, Options{AckTimeout: 300 * time.Millisecond, DisableAutoReconnect: true}, EventConnectAbort, EventError)
	ev := w.next(5 * time.Second)
	var te *TimeoutError
	require.True(t, errors.As(ev.Error, &te), "got %v", ev)
	ev = w.next(time.Second)
	require.Equal(t, EventConnectAbort, ev.Name)
	require.Equal(t, 4003, ev.Code)
	require.Equal(t, "TimeoutError: Event response for #handshake event timed out", ev.Reason)
}

func TestRefusedConnectionIs1006WithCause(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	_, w := newWatchedSocket(t, "ws://"+addr+"/socketcluster/", Options{DisableAutoReconnect: true}, EventConnectAbort, EventError)
	ev := w.next(5 * time.Second)
	require.Equal(t, EventConnectAbort, ev.Name)
	require.Equal(t, 1006, ev.Code)
	ev = w.next(time.Second)
	var spe *SocketProtocolError
	require.True(t, errors.As(ev.Error, &spe))
	require.Equal(t, "Socket hung up", spe.Message)
	var opErr *net.OpError
	require.True(t, errors.As(ev.Error, &opErr), "the dial error is kept as the cause: %v", errors.Unwrap(ev.Error))
}
