package testserver

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStartHandshakeAndEcho(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})

	if srv.Port() <= 0 || srv.PID() <= 0 {
		t.Fatalf("Port() = %d, PID() = %d; want both positive", srv.Port(), srv.PID())
	}
	wantURL := "ws://127.0.0.1:" + strconv.Itoa(srv.Port()) + "/socketcluster/"
	if srv.URL() != wantURL {
		t.Fatalf("URL() = %q, want %q", srv.URL(), wantURL)
	}

	c := dialRaw(t, srv.URL())
	res := c.handshake(nil)
	if res["rid"] != float64(1) {
		t.Fatalf("handshake response rid = %v, want 1 (packet %v)", res["rid"], res)
	}
	data, ok := res["data"].(map[string]any)
	if !ok {
		t.Fatalf("handshake response has no data object: %v", res)
	}
	if id, _ := data["id"].(string); id == "" {
		t.Errorf("handshake data has no id: %v", data)
	}
	if pt, _ := data["pingTimeout"].(float64); pt <= 0 {
		t.Errorf("handshake data has no positive pingTimeout: %v", data)
	}
	if data["isAuthenticated"] != false {
		t.Errorf("isAuthenticated = %v, want false", data["isAuthenticated"])
	}
	if _, has := data["authError"]; has {
		t.Errorf("handshake without a token must not carry authError: %v", data)
	}

	c.sendText(`{"event":"echo","data":{"a":1},"cid":2}`)
	c.nextCID = 3
	assertJSON(t, `{"rid":2,"data":{"a":1}}`, c.response(2))

	waitForLog(t, srv, "connection socket="+data["id"].(string))
}

func TestPingsAreSentAndPongsKeepTheConnection(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{Env: map[string]string{
		"SC_PING_INTERVAL": "100",
		"SC_PING_TIMEOUT":  "500",
	}})

	// A connection that answers pings outlives the ping timeout.
	c := dialRaw(t, srv.URL())
	c.handshake(nil)
	f, err := c.readFrame(time.Second)
	if err != nil {
		t.Fatalf("no ping within 1 s: %v", err)
	}
	if f.text != "" {
		t.Fatalf("expected an empty text frame (ping), got %q", f.text)
	}
	c.sendText("")
	pings := 1
	until := time.Now().Add(900 * time.Millisecond)
	for time.Now().Before(until) {
		f, err := c.readFrame(time.Second)
		if err != nil {
			t.Fatalf("connection lost while answering pings: %v", err)
		}
		if f.text != "" {
			t.Fatalf("unexpected frame %q", f.text)
		}
		pings++
		c.sendText("")
	}
	if pings < 5 {
		t.Errorf("got %d pings in about 1 s with pingInterval 100, want at least 5", pings)
	}
	assertJSON(t, `{"rid":2,"data":"still here"}`, c.call("echo", "still here"))

	// A connection that never answers is closed with 4001 after pingTimeout.
	quiet := dialRaw(t, srv.URL())
	quiet.ping = "never matches: pings are kept unanswered"
	quiet.handshake(nil)
	start := time.Now()
	if code := quiet.closeCode(3 * time.Second); code != 4001 {
		t.Fatalf("close code = %d, want 4001", code)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("closed after %s, before the 500 ms ping timeout", d)
	}
}

func TestProtocolVersion1Pings(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{Env: map[string]string{
		"SC_PROTOCOL_VERSION": "1",
		"SC_PING_INTERVAL":    "100",
	}})
	c := dialRaw(t, srv.URL())
	c.ping, c.pong = "#1", "#2"
	c.handshake(nil)
	f, err := c.readFrame(time.Second)
	if err != nil {
		t.Fatalf("no ping within 1 s: %v", err)
	}
	if f.text != "#1" {
		t.Fatalf("protocol 1 ping = %q, want #1", f.text)
	}
	c.sendText("#2")
	assertJSON(t, `{"rid":2,"data":[1,2]}`, c.call("echo", []int{1, 2}))
}

func TestRestartKeepsThePort(t *testing.T) {
	srv := Start(t, Options{})
	port, pid := srv.Port(), srv.PID()

	c := dialRaw(t, srv.URL())
	c.handshake(nil)

	srv.Restart()

	if srv.Port() != port {
		t.Fatalf("port after Restart = %d, want %d", srv.Port(), port)
	}
	if srv.PID() == pid {
		t.Fatalf("PID after Restart is still %d; want a new process", pid)
	}
	if processAlive(pid) {
		t.Errorf("old server process %d is still alive", pid)
	}
	if code := c.closeCode(3 * time.Second); code == 4001 {
		t.Errorf("old connection closed with a ping timeout; want it closed by the restart")
	}

	again := dialRaw(t, srv.URL())
	data, _ := again.handshake(nil)["data"].(map[string]any)
	if data == nil || data["isAuthenticated"] != false {
		t.Fatalf("handshake after Restart failed: %v", data)
	}
	if !strings.Contains(srv.Log(), "--- testserver: restarting on port") {
		t.Errorf("Log() does not mark the restart:\n%s", srv.Log())
	}
}

func TestRestartAfterKill(t *testing.T) {
	srv := Start(t, Options{})
	port := srv.Port()
	srv.Kill()
	srv.Restart()
	if srv.Port() != port {
		t.Fatalf("port after Kill and Restart = %d, want %d", srv.Port(), port)
	}
	c := dialRaw(t, srv.URL())
	assertJSON(t, `{"rid":2,"data":"back"}`, func() any { c.handshake(nil); return c.call("echo", "back") }())
}

func TestKillDropsTheConnection(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})
	c := dialRaw(t, srv.URL())
	c.handshake(nil)
	pid := srv.PID()

	srv.Kill()

	_, err := c.readFrame(3 * time.Second)
	if err == nil {
		t.Fatalf("connection still delivers frames after Kill")
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection did not drop within 3 s of Kill")
	}
	if processAlive(pid) {
		t.Fatalf("server process %d is still alive after Kill", pid)
	}
	if _, err := tryDialRaw(srv.URL()); err == nil {
		t.Fatalf("a new connection succeeded after Kill")
	}
	srv.Kill() // a second Kill does nothing
	srv.Stop() // nor does Stop after Kill
}

func TestStopExitsCleanlyAndIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := Start(t, Options{})
	c := dialRaw(t, srv.URL())
	c.handshake(nil)

	srv.mu.Lock()
	p := srv.proc
	srv.mu.Unlock()

	srv.Stop()
	if !p.exited() {
		t.Fatalf("Stop returned before the server exited")
	}
	if p.err != nil {
		t.Fatalf("server exit after SIGTERM: %s, want exit status 0", exitDescription(p.err))
	}
	if processAlive(srv.PID()) {
		t.Fatalf("server process %d is still alive after Stop", srv.PID())
	}
	if !strings.Contains(srv.Log(), "shutting down (SIGTERM)") {
		t.Errorf("Log() lacks the shutdown line:\n%s", srv.Log())
	}
	if code := c.closeCode(3 * time.Second); code == 4001 {
		t.Errorf("connection was not closed by the shutdown")
	}
	srv.Stop()
	srv.Kill()
}

func TestEnvIsPassedAndParentSCVariablesAreNot(t *testing.T) {
	t.Setenv("SC_PING_TIMEOUT", "1234")
	srv := Start(t, Options{Env: map[string]string{"SC_ACK_TIMEOUT": "300"}})
	c := dialRaw(t, srv.URL())
	data, _ := c.handshake(nil)["data"].(map[string]any)
	if data["pingTimeout"] == float64(1234) {
		t.Fatalf("an SC_ variable of the test's environment reached the server")
	}

	// The server's ackTimeout bounds its invoke on a client that never answers.
	start := time.Now()
	res := c.call("serverInvoke", map[string]any{"event": "nobodyAnswers"})
	elapsed := time.Since(start)
	errObj, _ := res["error"].(map[string]any)
	if errObj["name"] != "TimeoutError" {
		t.Fatalf("serverInvoke without an answer = %v, want a TimeoutError", res)
	}
	if elapsed < 250*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("server invoke timed out after %s, want about 300 ms", elapsed)
	}
}

// waitForLog waits until the server's log contains want.
func waitForLog(t testing.TB, srv *Server, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(srv.Log(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("server log lacks %q:\n%s", want, srv.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
