package scclient

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestReliabilityHeaderInjectionRejected: header names and values that
// could split the upgrade request are refused by Create and by
// ConnectWith, before anything is sent.
func TestReliabilityHeaderInjectionRejected(t *testing.T) {
	bad := []http.Header{
		{"X-A": {"v\r\nInjected: 1"}},
		{"X-A": {"v\nInjected: 1"}},
		{"X-A": {"v\rInjected: 1"}},
		{"X-A": {"v\x00"}},
		{"X-A": {"ok", "second\r\n\r\nGET / HTTP/1.1"}},
		{"X-A\r\nInjected": {"v"}},
		{"X-A: v\r\nInjected": {"v"}},
		{"X A": {"v"}},
		{"X-A:": {"v"}},
		{"": {"v"}},
		{"X-\x00": {"v"}},
		{"X-é": {"v"}},
	}
	for _, h := range bad {
		name := ""
		for k, v := range h {
			name = k + "=" + strings.Join(v, ",")
		}
		t.Run(strings.NewReplacer("\r", `\r`, "\n", `\n`, "\x00", `\0`).Replace(name), func(t *testing.T) {
			var iae *InvalidArgumentsError
			if _, err := Create(Options{DisableAutoConnect: true, Header: h}); !errors.As(err, &iae) {
				t.Errorf("Create: %v, want an *InvalidArgumentsError", err)
			}
			s, err := Create(Options{DisableAutoConnect: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.ConnectWith(func(o *Options) { o.Header = h }); !errors.As(err, &iae) {
				t.Errorf("ConnectWith: %v, want an *InvalidArgumentsError", err)
			}
			if s.State() != StateClosed {
				t.Errorf("ConnectWith with a bad header started connecting")
			}
		})
	}
	if _, err := Create(Options{DisableAutoConnect: true, Header: http.Header{"Authorization": {"Bearer x"}, "Origin": {"http://a"}}}); err != nil {
		t.Fatalf("ordinary headers refused: %v", err)
	}
}

// TestReliabilityHandshakeHeadersCannotBeOverridden: the headers that the
// WebSocket upgrade itself sets (in any spelling) must be refused by
// Create with a clear error. gorilla/websocket refuses them at dial time
// only in their canonical spelling; accepting them makes every dial fail
// ("duplicate header not allowed", or the server's "bad handshake") while
// the socket keeps reconnecting, or sends the header twice.
func TestReliabilityHandshakeHeadersCannotBeOverridden(t *testing.T) {
	for _, name := range []string{"Upgrade", "Connection", "Sec-WebSocket-Key", "sec-websocket-key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "sec-websocket-extensions"} {
		t.Run(name, func(t *testing.T) {
			s, err := Create(Options{DisableAutoConnect: true, Header: http.Header{name: {"evil"}}})
			if err == nil {
				s.Close()
			}
			var iae *InvalidArgumentsError
			if !errors.As(err, &iae) {
				t.Fatalf("Create accepted the handshake header %s: %v", name, err)
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(name)) {
				t.Errorf("the error does not name the header: %v", err)
			}
		})
	}
}
