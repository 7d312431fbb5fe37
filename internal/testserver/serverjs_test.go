package testserver

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// These tests pin down what testdata/server/server.js sends, frame by frame,
// since the client's tests rely on it.

// connect dials srv and completes a handshake without a token.
func connect(t *testing.T, srv *Server) *rawConn {
	t.Helper()
	c := dialRaw(t, srv.URL())
	res := c.handshake(nil)
	if _, ok := res["data"].(map[string]any); !ok {
		t.Fatalf("handshake failed: %v", res)
	}
	return c
}

// tokenClaims decodes the payload of a signed JWT without checking it.
func tokenClaims(t *testing.T, token any) map[string]any {
	t.Helper()
	s, _ := token.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %v", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("bad JWT payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("bad JWT payload: %v", err)
	}
	return claims
}

// signToken signs claims with key the way the server expects (HS256).
func signToken(t *testing.T, key string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventData returns the data of an event packet.
func eventData(t *testing.T, packet map[string]any) map[string]any {
	t.Helper()
	data, ok := packet["data"].(map[string]any)
	if !ok {
		t.Fatalf("event without object data: %v", packet)
	}
	return data
}

func TestServerProcedures(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})

	t.Run("performTask answers after 1 s", func(t *testing.T) {
		t.Parallel()
		c := connect(t, srv)
		start := time.Now()
		assertJSON(t, `{"rid":2}`, c.call("performTask", 123))
		if d := time.Since(start); d < 950*time.Millisecond {
			t.Errorf("performTask answered after %s, want 1 s", d)
		}
	})

	t.Run("slow", func(t *testing.T) {
		t.Parallel()
		c := connect(t, srv)
		start := time.Now()
		assertJSON(t, `{"rid":2,"data":{"ms":300,"tag":"x"}}`, c.call("slow", map[string]any{"ms": 300, "tag": "x"}))
		if d := time.Since(start); d < 280*time.Millisecond {
			t.Errorf("slow answered after %s, want 300 ms", d)
		}
		assertJSON(t, `{"rid":3,"error":{"message":"slow expects {ms: a number of milliseconds >= 0}","name":"InvalidArgumentsError"}}`,
			c.call("slow", map[string]any{"ms": "soon"}))
	})

	t.Run("echo, noData, fail, failString", func(t *testing.T) {
		c := connect(t, srv)
		assertJSON(t, `{"rid":2,"data":{"s":"héllo <&>","n":[1,2.5,null],"b":true}}`,
			c.call("echo", map[string]any{"s": "héllo <&>", "n": []any{1, 2.5, nil}, "b": true}))
		assertJSON(t, `{"rid":3}`, c.call("echo", nil))
		assertJSON(t, `{"rid":4}`, c.call("noData", nil))
		assertJSON(t, `{"rid":5,"error":{"message":"custom failure","name":"CustomError","code":42,"details":{"a":1}}}`,
			c.call("fail", nil))
		assertJSON(t, `{"rid":6,"error":"just a string"}`, c.call("failString", nil))
	})

	t.Run("login, private channel, logout", func(t *testing.T) {
		c := connect(t, srv)
		assertJSON(t, `{"rid":2,"error":{"message":"Authentication required for private channels","name":"PrivateChannelError"}}`,
			c.call("#subscribe", map[string]any{"channel": "private/x"}))
		assertJSON(t, `{"rid":3,"error":{"message":"Failed to login","name":"FailedLoginError"}}`,
			c.call("login", map[string]any{"username": "mallory"}))

		assertJSON(t, `{"rid":4,"data":"ok"}`, c.call("login", map[string]any{"username": "alice", "role": "admin"}))
		claims := tokenClaims(t, eventData(t, c.event("#setAuthToken"))["token"])
		if claims["username"] != "alice" || claims["role"] != "admin" {
			t.Errorf("token claims = %v", claims)
		}
		if exp, _ := claims["exp"].(float64); exp < float64(time.Now().AddDate(1000, 0, 0).Unix()) {
			t.Errorf("login token exp = %v, want the far-future expiry of the JS suite", claims["exp"])
		}
		assertJSON(t, `{"rid":5}`, c.call("#subscribe", map[string]any{"channel": "private/x"}))

		assertJSON(t, `{"rid":6}`, c.call("logout", nil))
		assertJSON(t, `{"event":"#removeAuthToken"}`, c.event("#removeAuthToken"))
		assertJSON(t, `{"rid":7,"error":{"message":"Authentication required for private channels","name":"PrivateChannelError"}}`,
			c.call("#subscribe", map[string]any{"channel": "private/y"}))

		for i, user := range []string{"bob", "charlie", "david", "kate"} {
			other := connect(t, srv)
			res := other.call("login", map[string]any{"username": user})
			if res["data"] != "ok" {
				t.Errorf("login %d as %s = %v, want ok", i, user, res)
			}
		}
	})

	t.Run("loginWithTTL", func(t *testing.T) {
		c := connect(t, srv)
		assertJSON(t, `{"rid":2,"data":"ok"}`, c.call("loginWithTTL", map[string]any{"username": "bob", "expiresIn": 5}))
		claims := tokenClaims(t, eventData(t, c.event("#setAuthToken"))["token"])
		if claims["exp"].(float64)-claims["iat"].(float64) != 5 {
			t.Errorf("token lifetime = exp %v - iat %v, want 5", claims["exp"], claims["iat"])
		}
		assertJSON(t, `{"rid":3,"data":"ok"}`, c.call("loginWithTTL", map[string]any{"username": "bob"}))
		claims = tokenClaims(t, eventData(t, c.event("#setAuthToken"))["token"])
		if claims["exp"].(float64)-claims["iat"].(float64) != 60 {
			t.Errorf("default token lifetime = exp %v - iat %v, want 60", claims["exp"], claims["iat"])
		}
		assertJSON(t, `{"rid":4,"error":{"message":"Failed to login","name":"FailedLoginError"}}`,
			c.call("loginWithTTL", map[string]any{"username": "mallory"}))
	})

	t.Run("subscribe and publish middleware", func(t *testing.T) {
		c := connect(t, srv)
		assertJSON(t, `{"rid":2,"error":{"message":"You cannot subscribe to forbidden","name":"ForbiddenSubscribeError","extraField":123}}`,
			c.call("#subscribe", map[string]any{"channel": "forbidden"}))
		assertJSON(t, `{"rid":3,"error":{"message":"Publishing to noPublish is not allowed","name":"PublishBlockedError"}}`,
			c.call("#publish", map[string]any{"channel": "noPublish", "data": 1}))
		assertJSON(t, `{"rid":4}`, c.call("#subscribe", map[string]any{"channel": "open"}))
		assertJSON(t, `{"rid":5}`, c.call("#publish", map[string]any{"channel": "open", "data": "hello"}))
		assertJSON(t, `{"event":"#publish","data":{"channel":"open","data":"hello"}}`, c.event("#publish"))
	})

	t.Run("publish, kick and subscribers", func(t *testing.T) {
		c := connect(t, srv)
		other := connect(t, srv)
		for _, conn := range []*rawConn{c, other} {
			assertJSON(t, `{"rid":2}`, conn.call("#subscribe", map[string]any{"channel": "kickme"}))
		}
		assertJSON(t, `{"rid":3,"data":2}`, c.call("subscribers", map[string]any{"channel": "kickme"}))
		stats := c.call("stats", nil)["data"].(map[string]any)
		if n, _ := stats["clients"].(float64); n < 2 {
			t.Errorf("stats clients = %v, want at least 2", stats["clients"])
		}
		if subs := stats["subscriptions"].(map[string]any); subs["kickme"] != float64(2) {
			t.Errorf("stats subscriptions = %v, want kickme: 2", subs)
		}

		assertJSON(t, `{"rid":5}`, c.call("publish", map[string]any{"channel": "kickme", "data": map[string]any{"x": 1}}))
		assertJSON(t, `{"event":"#publish","data":{"channel":"kickme","data":{"x":1}}}`, c.event("#publish"))
		assertJSON(t, `{"event":"#publish","data":{"channel":"kickme","data":{"x":1}}}`, other.event("#publish"))

		assertJSON(t, `{"rid":6}`, c.call("kick", map[string]any{"channel": "kickme", "message": "bye"}))
		assertJSON(t, `{"event":"#kickOut","data":{"channel":"kickme","message":"bye"}}`, c.event("#kickOut"))
		assertJSON(t, `{"rid":7,"data":1}`, c.call("subscribers", map[string]any{"channel": "kickme"}))
		assertJSON(t, `{"rid":3,"data":0}`, other.call("subscribers", map[string]any{"channel": "nobody"}))
	})

	t.Run("server transmit, echoEvent, raw send", func(t *testing.T) {
		c := connect(t, srv)
		assertJSON(t, `{"rid":2}`, c.call("serverTransmit", map[string]any{"event": "hello", "data": []int{1, 2}}))
		assertJSON(t, `{"event":"hello","data":[1,2]}`, c.event("hello"))
		assertJSON(t, `{"rid":3}`, c.call("serverTransmit", map[string]any{"event": "noData"}))
		assertJSON(t, `{"event":"noData"}`, c.event("noData"))

		c.sendText(`{"event":"echoEvent","data":{"event":"back","data":{"z":true}}}`)
		assertJSON(t, `{"event":"back","data":{"z":true}}`, c.event("back"))

		assertJSON(t, `{"rid":4}`, c.call("serverSend", map[string]any{"text": "plain text"}))
		raw := c.waitFor(time.Second, "raw frame", func(f rawFrame) bool { return f.text == "plain text" })
		if raw.packet != nil {
			t.Errorf("raw frame decoded as a packet: %v", raw.packet)
		}
		assertJSON(t, `{"rid":5,"error":{"message":"serverTransmit expects {event: string, data}","name":"InvalidArgumentsError"}}`,
			c.call("serverTransmit", "nope"))
	})

	t.Run("serverInvoke passes the client's answer back", func(t *testing.T) {
		c := connect(t, srv)
		c.sendJSON(map[string]any{"event": "serverInvoke", "data": map[string]any{"event": "clientProc", "data": map[string]any{"q": 1}}, "cid": 2})
		req := c.event("clientProc")
		assertJSON(t, `{"q":1}`, req["data"])
		c.sendJSON(map[string]any{"rid": req["cid"], "data": map[string]any{"ok": true}})
		assertJSON(t, `{"rid":2,"data":{"ok":true}}`, c.response(2))

		c.sendJSON(map[string]any{"event": "serverInvoke", "data": map[string]any{"event": "clientProc"}, "cid": 3})
		req = c.event("clientProc")
		c.sendText(`{"rid":` + jsonText(t, req["cid"]) + `,"error":{"message":"client side failure","name":"ClientError","extra":7}}`)
		assertJSON(t, `{"rid":3,"error":{"message":"client side failure","name":"ClientError","extra":7}}`, c.response(3))
		c.nextCID = 4
	})

	t.Run("setAuthTokenInvoke and deauthenticateInvoke wait for the client", func(t *testing.T) {
		c := connect(t, srv)
		c.sendJSON(map[string]any{"event": "setAuthTokenInvoke", "data": map[string]any{"username": "zed"}, "cid": 2})
		req := c.event("#setAuthToken")
		if claims := tokenClaims(t, eventData(t, req)["token"]); claims["username"] != "zed" {
			t.Errorf("token claims = %v", claims)
		}
		c.sendJSON(map[string]any{"rid": req["cid"]})
		assertJSON(t, `{"rid":2,"data":"ok"}`, c.response(2))

		c.sendJSON(map[string]any{"event": "deauthenticateInvoke", "cid": 3})
		req = c.event("#removeAuthToken")
		if _, ok := req["cid"].(float64); !ok {
			t.Fatalf("#removeAuthToken was not invoked with a cid: %v", req)
		}
		c.sendJSON(map[string]any{"rid": req["cid"]})
		assertJSON(t, `{"rid":3,"data":"ok"}`, c.response(3))
		c.nextCID = 4
	})

	t.Run("disconnectMe", func(t *testing.T) {
		c := connect(t, srv)
		assertJSON(t, `{"rid":2,"error":{"message":"disconnectMe expects code 1000-1014 (not 1004-1006) or 3000-4999","name":"InvalidArgumentsError"}}`,
			c.call("disconnectMe", map[string]any{"code": 1006}))
		assertJSON(t, `{"rid":3}`, c.call("disconnectMe", map[string]any{"code": 4321, "reason": "bye"}))
		if code := c.closeCode(2 * time.Second); code != 4321 {
			t.Fatalf("close code = %d, want 4321", code)
		}
	})

	t.Run("foo receiver is counted", func(t *testing.T) {
		c := connect(t, srv)
		before := c.call("fooCount", nil)["data"].(float64)
		c.sendText(`{"event":"foo","data":123}`)
		c.sendText(`{"event":"foo","data":456}`)
		deadline := time.Now().Add(2 * time.Second)
		for {
			n := c.call("fooCount", nil)["data"].(float64)
			if n == before+2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("fooCount = %v, want %v", n, before+2)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("tokens in the handshake, blocked users, setAuthKey", func(t *testing.T) {
		good := signToken(t, "testkey", jwt.MapClaims{"username": "bob"})
		c := dialRaw(t, srv.URL())
		data := c.handshake(good)["data"].(map[string]any)
		if data["isAuthenticated"] != true {
			t.Fatalf("handshake with a valid token: %v", data)
		}

		blocked := signToken(t, "testkey", jwt.MapClaims{"username": "eve", "blocked": true})
		c = dialRaw(t, srv.URL())
		data = c.handshake(blocked)["data"].(map[string]any)
		delete(data, "id")
		delete(data, "pingTimeout")
		assertJSON(t, `{"isAuthenticated":false,"authError":{"message":"blocked user","name":"BlockedUserError"}}`, data)

		c = connect(t, srv)
		assertJSON(t, `{"rid":2,"data":{"isAuthenticated":false,"authError":{"message":"blocked user","name":"BlockedUserError"}}}`,
			c.call("#authenticate", blocked))
		assertJSON(t, `{"rid":3,"error":{"message":"setAuthKey expects a non-empty string","name":"InvalidArgumentsError"}}`,
			c.call("setAuthKey", 5))
		assertJSON(t, `{"rid":4}`, c.call("setAuthKey", "otherkey"))
		t.Cleanup(func() {
			restore := connect(t, srv)
			restore.call("setAuthKey", "testkey")
		})
		c = dialRaw(t, srv.URL())
		data = c.handshake(good)["data"].(map[string]any)
		authErr, _ := data["authError"].(map[string]any)
		if data["isAuthenticated"] != false || authErr["name"] != "AuthTokenInvalidError" {
			t.Fatalf("handshake with a token signed by the old key: %v", data)
		}
	})
}

func TestServerRejectsHandshakeWithCustomCode(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{Env: map[string]string{"SC_REJECT_HANDSHAKE": "4600"}})
	c := dialRaw(t, srv.URL())
	assertJSON(t, `{"rid":1,"error":{"message":"SC handshake rejected with custom code","name":"SCRejectError","statusCode":4600}}`,
		c.handshake(nil))
	if code := c.closeCode(2 * time.Second); code != 4600 {
		t.Fatalf("close code = %d, want 4600", code)
	}
}

func TestServerRejectsHandshakeSilently(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{Env: map[string]string{"SC_REJECT_HANDSHAKE": "silent"}})
	c := dialRaw(t, srv.URL())
	assertJSON(t, `{"rid":1,"error":{"message":"The handshakeSC AGAction was blocked by handshake middleware","name":"SilentMiddlewareBlockedError","type":"handshake","statusCode":4008}}`,
		c.handshake(nil))
	if code := c.closeCode(2 * time.Second); code != 4008 {
		t.Fatalf("close code = %d, want 4008", code)
	}
}

func TestServerDelaysUpgradeWithDelayMe(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})
	dialed := make(chan error, 1)
	go func() {
		c, err := tryDialRaw(srv.URL() + "?delayMe=true")
		if err == nil {
			_ = c.ws.Close()
		}
		dialed <- err
	}()
	// Meanwhile a plain connection is not held up.
	connect(t, srv)
	select {
	case err := <-dialed:
		t.Fatalf("the delayMe upgrade finished within 1 s (err %v); want a 5 s delay", err)
	case <-time.After(time.Second):
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
