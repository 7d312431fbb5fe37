package testserver

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawConn speaks SocketCluster by hand over one WebSocket, so the tests
// check the server's frames exactly, without any client library.
type rawConn struct {
	t       testing.TB
	ws      *websocket.Conn
	ping    string     // the server's ping text: "" (protocol 2) or "#1"
	pong    string     // the answer to a ping: "" or "#2"
	pending []rawFrame // frames read while waiting for something else
	nextCID int
}

// rawFrame is one text frame, decoded when it holds a JSON object.
type rawFrame struct {
	text   string
	packet map[string]any // nil when the frame is not a JSON object
}

// dialRaw opens a WebSocket to url, answering protocol-2 pings.
func dialRaw(t testing.TB, url string) *rawConn {
	t.Helper()
	c, err := tryDialRaw(url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c.t = t
	t.Cleanup(func() { _ = c.ws.Close() })
	return c
}

// tryDialRaw opens a WebSocket to url and returns the error instead of failing.
func tryDialRaw(url string) (*rawConn, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial(url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	return &rawConn{ws: ws, ping: "", pong: "", nextCID: 1}, nil
}

// sendText writes one text frame.
func (c *rawConn) sendText(text string) {
	c.t.Helper()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		c.t.Fatalf("write %q: %v", text, err)
	}
}

// sendJSON writes v as one JSON text frame.
func (c *rawConn) sendJSON(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatalf("encode %v: %v", v, err)
	}
	c.sendText(string(b))
}

// readFrame reads the next text frame within timeout, without answering pings.
func (c *rawConn) readFrame(timeout time.Duration) (rawFrame, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
	kind, msg, err := c.ws.ReadMessage()
	if err != nil {
		return rawFrame{}, err
	}
	f := rawFrame{text: string(msg)}
	if kind != websocket.TextMessage {
		return f, errors.New("unexpected binary frame")
	}
	var obj map[string]any
	if json.Unmarshal(msg, &obj) == nil {
		f.packet = obj
	}
	return f, nil
}

// next returns the next frame that is not a ping, answering pings on the way.
func (c *rawConn) next(timeout time.Duration) rawFrame {
	c.t.Helper()
	if len(c.pending) > 0 {
		f := c.pending[0]
		c.pending = c.pending[1:]
		return f
	}
	deadline := time.Now().Add(timeout)
	for {
		f, err := c.readFrame(time.Until(deadline))
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if f.text == c.ping {
			c.sendText(c.pong)
			continue
		}
		return f
	}
}

// waitFor returns the first frame for which match is true, keeping the
// others for later calls.
func (c *rawConn) waitFor(timeout time.Duration, what string, match func(rawFrame) bool) rawFrame {
	c.t.Helper()
	for i, f := range c.pending {
		if match(f) {
			c.pending = append(c.pending[:i:i], c.pending[i+1:]...)
			return f
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		f, err := c.readFrame(time.Until(deadline))
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		if f.text == c.ping {
			c.sendText(c.pong)
			continue
		}
		if match(f) {
			return f
		}
		c.pending = append(c.pending, f)
	}
}

// call sends an event with a cid and returns the response packet with that rid.
func (c *rawConn) call(event string, data any) map[string]any {
	c.t.Helper()
	cid := c.nextCID
	c.nextCID++
	packet := map[string]any{"event": event, "cid": cid}
	if data != nil {
		packet["data"] = data
	}
	c.sendJSON(packet)
	return c.response(cid)
}

// response waits for the response packet with the given rid.
func (c *rawConn) response(rid int) map[string]any {
	c.t.Helper()
	f := c.waitFor(5*time.Second, "response", func(f rawFrame) bool {
		got, ok := f.packet["rid"].(float64)
		return ok && int(got) == rid
	})
	return f.packet
}

// event waits for an event packet with the given name.
func (c *rawConn) event(name string) map[string]any {
	c.t.Helper()
	f := c.waitFor(5*time.Second, "event "+name, func(f rawFrame) bool {
		return f.packet["event"] == name
	})
	return f.packet
}

// handshake performs the SocketCluster handshake with authToken (nil for
// none) and returns the response packet.
func (c *rawConn) handshake(authToken any) map[string]any {
	c.t.Helper()
	if c.nextCID != 1 {
		c.t.Fatalf("handshake must be the first call on a connection")
	}
	return c.call("#handshake", map[string]any{"authToken": authToken})
}

// closeCode reads until the server closes the connection and returns the
// close code (or -1 if the connection ended without a close frame).
func (c *rawConn) closeCode(timeout time.Duration) int {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f, err := c.readFrame(time.Until(deadline))
		if err == nil {
			c.pending = append(c.pending, f)
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			c.t.Fatalf("the server did not close the connection within %s", timeout)
		}
		return -1
	}
}

// decodeJSON decodes a JSON literal written in a test.
func decodeJSON(t testing.TB, text string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("bad JSON in test %q: %v", text, err)
	}
	return v
}

// assertJSON checks that got, once round-tripped through encoding/json,
// equals the JSON literal want.
func assertJSON(t testing.TB, want string, got any) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("encode %v: %v", got, err)
	}
	gotValue := decodeJSON(t, string(b))
	wantValue := decodeJSON(t, want)
	if !reflect.DeepEqual(wantValue, gotValue) {
		t.Errorf("JSON mismatch\nwant: %s\n got: %s", want, b)
	}
}
