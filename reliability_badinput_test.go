package scclient

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// relFrame is one frame a hostile server sends.
type relFrame struct {
	mt   int
	data []byte
}

func relText(s string) relFrame   { return relFrame{websocket.TextMessage, []byte(s)} }
func relBinary(b []byte) relFrame { return relFrame{websocket.BinaryMessage, b} }

// relClose is a close frame with a raw payload (code and reason as sent,
// valid or not).
func relClose(payload []byte) relFrame { return relFrame{websocket.CloseMessage, payload} }

// relBadCase is one class of hostile server input and what the socket must
// make of it.
type relBadCase struct {
	name   string
	frames []relFrame
	// raws and errs are the numbers of raw and error events expected;
	// errs are *InvalidMessageError.
	raws, errs int
	// closeCode, when not 0, is the code of the disconnect the frames must
	// cause; the socket must then reconnect.
	closeCode int
	// check, when set, runs after the frames were handled.
	check func(t *testing.T, s *Socket, x *relReceived)
}

// relReceived collects what the receiver "x" got.
type relReceived struct{ data []Data }

func relNest(depth int, inner string) string {
	return strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
}

// relBadCases is the catalogue of hostile server input.
func relBadCases() []relBadCase {
	var cases []relBadCase
	add := func(c relBadCase) { cases = append(cases, c) }
	raw := func(name string, frames ...string) {
		c := relBadCase{name: name, raws: len(frames)}
		for _, f := range frames {
			c.frames = append(c.frames, relText(f))
		}
		add(c)
	}
	ignored := func(name string, frames ...string) {
		c := relBadCase{name: name}
		for _, f := range frames {
			c.frames = append(c.frames, relText(f))
		}
		add(c)
	}
	invalidMessage := func(name string, frames ...string) {
		c := relBadCase{name: name, errs: len(frames), check: func(t *testing.T, s *Socket, _ *relReceived) {
			if s.AuthState() != Unauthenticated {
				t.Errorf("a bad #setAuthToken authenticated the socket")
			}
		}}
		for _, f := range frames {
			c.frames = append(c.frames, relText(f))
		}
		add(c)
	}
	delivered := func(name string, want []string, frames ...string) {
		c := relBadCase{name: name, check: func(t *testing.T, s *Socket, x *relReceived) {
			var got []string
			for _, d := range x.data {
				got = append(got, d.String())
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("receiver x got %q, want %q", got, want)
			}
		}}
		for _, f := range frames {
			c.frames = append(c.frames, relText(f))
		}
		add(c)
	}

	raw("invalid JSON", `{"event":`, `not json`, `{"event":"x",}`, `{"rid":1}}`, "\x00")
	raw("JSON scalars", `5`, `"str"`, `null`, `true`)
	raw("event of the wrong type", `{"event":5,"data":1}`, `{"event":null}`, `{"event":[]}`, `{"event":{}}`, `{"event":true}`)
	delivered("cid of the wrong type is a transmit", []string{"1", "2", "3", "4"},
		`{"event":"x","cid":"1","data":1}`, `{"event":"x","cid":{},"data":2}`, `{"event":"x","cid":true,"data":3}`, `{"event":"x","cid":1.5,"data":4}`)
	raw("rid of the wrong type", `{"rid":"1"}`, `{"rid":{}}`, `{"rid":[]}`, `{"rid":null}`, `{"rid":true}`, `{"rid":1.5,"data":1}`)
	ignored("unknown rid", `{"rid":999,"data":1}`, `{"rid":-5,"error":{"name":"E"}}`, `{"rid":0}`)

	var publish []string
	for _, d := range []string{`5`, `"s"`, `[]`, `null`, `true`, `{}`, `{"channel":5}`, `{"channel":null}`, `{"channel":["c"]}`, `{"channel":{}}`, `{"channel":"unknown","data":1}`} {
		publish = append(publish, `{"event":"#publish","data":`+d+`}`)
	}
	publish = append(publish, `{"event":"#publish"}`, `{"event":"#publish","cid":5,"data":7}`)
	ignored("#publish with data of every type", publish...)

	var kick []string
	for _, d := range []string{`5`, `"s"`, `[]`, `null`, `true`, `{}`, `{"channel":5}`, `{"channel":null}`, `{"channel":["k"]}`, `{"channel":"unknown"}`} {
		kick = append(kick, `{"event":"#kickOut","data":`+d+`}`)
	}
	kick = append(kick, `{"event":"#kickOut"}`)
	add(relBadCase{name: "#kickOut with data of every type", frames: relTexts(kick), check: func(t *testing.T, s *Socket, _ *relReceived) {
		if s.ChannelState("k") == ChannelUnsubscribed {
			t.Errorf("a malformed #kickOut unsubscribed channel k")
		}
	}})

	var setToken []string
	for _, d := range []string{`5`, `"s"`, `[]`, `null`, `true`, `{}`, `{"token":5}`, `{"token":null}`, `{"token":{}}`, `{"token":["a.b.c"]}`} {
		setToken = append(setToken, `{"event":"#setAuthToken","data":`+d+`}`)
	}
	setToken = append(setToken, `{"event":"#setAuthToken"}`)
	invalidMessage("#setAuthToken with data of every type", setToken...)

	var removeToken []string
	for _, d := range []string{`5`, `"s"`, `[]`, `null`, `true`, `{}`, `{"token":"a.b.c"}`} {
		removeToken = append(removeToken, `{"event":"#removeAuthToken","data":`+d+`}`)
	}
	ignored("#removeAuthToken with data of every type", removeToken...)

	add(relBadCase{name: "frame above ReadLimit", frames: []relFrame{relText(`{"event":"x","data":"` + strings.Repeat("x", 2<<20) + `"}`)}, closeCode: CloseMessageTooBig})

	// The codec refuses nesting beyond its depth limit, so each of these
	// frames is not decodable at all and becomes a raw event.
	deep := relNest(100_000, "1")
	add(relBadCase{name: "100k levels of nesting", frames: relTexts([]string{
		deep,
		`{"event":"x","data":` + deep + `}`,
		`{"event":"#publish","data":{"channel":"c","data":` + deep + `}}`,
		`{"rid":12345,"data":` + deep + `}`,
		`{"event":"#setAuthToken","data":` + deep + `}`,
		strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000),
	}), raws: 6, check: func(t *testing.T, s *Socket, x *relReceived) {
		if len(x.data) != 0 {
			t.Errorf("receiver x got %d values", len(x.data))
		}
		if s.AuthState() != Unauthenticated {
			t.Errorf("the socket authenticated")
		}
	}})

	add(relBadCase{name: "binary frames", frames: []relFrame{relBinary([]byte{0, 1, 2, 0xff}), relBinary([]byte(`{"event":"x","data":1}`)), relBinary(nil)}, raws: 3})

	delivered("invalid UTF-8", []string{"\"\xff\xfe\""},
		"{\"event\":\"x\",\"data\":\"\xff\xfe\"}", "{\"event\":\"x\xff\",\"data\":1}", "{\"rid\":77,\"data\":\"\xc0\"}")
	raw("invalid UTF-8 outside JSON", "\xff\xfe\xfd")

	pings := make([]relFrame, 10_000)
	for i := range pings {
		pings[i] = relText("")
	}
	add(relBadCase{name: "10k pings", frames: pings})

	add(relBadCase{name: "close frame without a code", frames: []relFrame{relClose(nil)}, closeCode: CloseNoStatus})
	// Invalid close frames are protocol errors: the connection is dropped
	// without a valid close, as ws does in JavaScript (1006).
	for name, code := range map[string][]byte{"close code 999": {0x03, 0xe7}, "close code 1005 on the wire": {0x03, 0xed}, "close code 5000": {0x13, 0x88}} {
		add(relBadCase{name: name, frames: []relFrame{relClose(code)}, closeCode: CloseAbnormal})
	}
	// A one-byte close payload is a protocol error (RFC 6455 §5.5.1), as ws
	// in JavaScript also reports it: 1006, then a reconnect.
	add(relBadCase{name: "one-byte close payload", frames: []relFrame{relClose([]byte{0x03})}, closeCode: CloseAbnormal})
	add(relBadCase{name: "close reason of invalid UTF-8", frames: []relFrame{relClose(append([]byte{0x0f, 0xa0}, 0xff, 0xfe))}, closeCode: CloseAbnormal})
	return cases
}

func relTexts(frames []string) []relFrame {
	out := make([]relFrame, len(frames))
	for i, f := range frames {
		out[i] = relText(f)
	}
	return out
}

// TestReliabilityBadServerInput feeds every class of hostile server input
// to a socket: each must give the raw or error events it calls for, or the
// right close code, and the socket must stay usable (or reconnect and be
// usable again).
func TestReliabilityBadServerInput(t *testing.T) {
	for _, tc := range relBadCases() {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int32
			f := newFakeServer(t, func(ws *websocket.Conn) {
				if conns.Add(1) == 1 {
					for _, fr := range tc.frames {
						var err error
						if fr.mt == websocket.CloseMessage {
							err = ws.WriteControl(fr.mt, fr.data, time.Now().Add(time.Second))
						} else {
							err = ws.WriteMessage(fr.mt, fr.data)
						}
						if err != nil {
							return
						}
					}
					_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"event":"marker"}`))
				}
				echoUntilClosed(ws)
			})
			s := newSocket(t, f.wsURL(), Options{DisableAutoConnect: true, AutoReconnectOptions: relFastReconnect, ReadLimit: 1 << 20})
			s.Subscribe("c")
			s.Subscribe("k")
			events := s.Listener(EventRaw, EventError, EventDisconnect, EventConnect).CreateConsumer(0)
			marker := s.Receiver("marker").CreateConsumer(0)
			xs := s.Receiver("x").CreateConsumer(0)
			start := time.Now()
			if err := s.Connect(); err != nil {
				t.Fatal(err)
			}

			if tc.closeCode != 0 {
				relExpectCloseAndReconnect(t, events, tc.closeCode)
			} else {
				if _, _, err := marker.Next(ctxT(t, 20*time.Second)); err != nil {
					t.Fatalf("the frames were not all handled: %v", err)
				}
				got := relDrain(events)
				var raws, errs int
				for _, ev := range got {
					switch ev.Name {
					case EventRaw:
						raws++
					case EventError:
						var ime *InvalidMessageError
						if !errors.As(ev.Error, &ime) {
							t.Errorf("error event %T: %v", ev.Error, ev.Error)
						}
						errs++
					case EventDisconnect:
						t.Errorf("the input closed the connection: %d %q", ev.Code, ev.Reason)
					}
				}
				if raws != tc.raws || errs != tc.errs {
					t.Errorf("got %d raw and %d error events, want %d and %d", raws, errs, tc.raws, tc.errs)
				}
			}
			if tc.check != nil {
				var x relReceived
				for {
					d, ok, err := xs.Next(relExpired)
					if err != nil || !ok {
						break
					}
					x.data = append(x.data, d)
				}
				tc.check(t, s, &x)
			}
			res, err := s.Invoke(ctxT(t, 5*time.Second), "echo", map[string]any{"still": "usable"})
			if err != nil || res.String() != `{"still":"usable"}` {
				t.Fatalf("the socket is not usable after the input: %s %v", res, err)
			}
			t.Logf("handled in %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

// relExpired is a context that is already done, to take only what a
// consumer already holds.
var relExpired = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// relDrain returns the events a consumer holds or receives within 100 ms.
func relDrain(c interface {
	Next(context.Context) (Event, bool, error)
}) []Event {
	var out []Event
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		ev, ok, err := c.Next(ctx)
		cancel()
		if err != nil || !ok {
			return out
		}
		out = append(out, ev)
	}
}

// relExpectCloseAndReconnect waits for a disconnect with code, then for
// the reconnect.
func relExpectCloseAndReconnect(t *testing.T, events interface {
	Next(context.Context) (Event, bool, error)
}, code int) {
	t.Helper()
	sawClose := false
	deadline := time.Now().Add(20 * time.Second)
	for connects := 0; ; {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		ev, ok, err := events.Next(ctx)
		cancel()
		if err != nil || !ok {
			t.Fatalf("no disconnect %d and reconnect (closed: %v): %v", code, sawClose, err)
		}
		switch ev.Name {
		case EventConnect:
			connects++
			if sawClose {
				return
			}
		case EventDisconnect:
			if sawClose {
				t.Fatalf("a second disconnect: %d %q", ev.Code, ev.Reason)
			}
			if ev.Code != code {
				t.Fatalf("disconnect %d %q, want code %d", ev.Code, ev.Reason, code)
			}
			sawClose = true
		case EventRaw:
			t.Errorf("unexpected raw event %s", ev.Message)
		}
	}
}
