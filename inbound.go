package scclient

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/gorilla/websocket"

	"github.com/socketcluster-go/scclient/codec"
)

// handleFrame dispatches one inbound frame (PROTOCOL §5.2). It runs on the
// connection's read goroutine.
func (s *Socket) handleFrame(c *conn, mt int, frame []byte) {
	s.emit(Event{Name: EventMessage, Message: Data{raw: frame, codec: s.codec}})
	if mt == websocket.TextMessage && c.isPing(frame) {
		c.onPing()
		return
	}
	if mt != websocket.TextMessage {
		s.emit(Event{Name: EventRaw, Message: Data{raw: frame, codec: s.codec}})
		return
	}
	c.pkts = s.codec.DecodeFrame(c.pkts[:0], frame)
	for i := range c.pkts {
		p := &c.pkts[i]
		switch p.Kind {
		case codec.KindResponse:
			s.handleResponse(c, p)
		case codec.KindEvent:
			s.handleTransmit(c, p)
		case codec.KindRequest:
			s.handleRequest(c, p)
		default:
			s.emit(Event{Name: EventRaw, Message: Data{raw: frame, codec: s.codec}})
		}
	}
	clear(c.pkts)
}

// handleTransmit handles an inbound event without a call id.
func (s *Socket) handleTransmit(c *conn, p *codec.Packet) {
	switch p.Event {
	case "#publish":
		s.handlePublish(p)
	case "#kickOut":
		s.handleKickOut(p)
	case "#setAuthToken":
		if p.Data == nil {
			s.emitError(&InvalidMessageError{newSCError("InvalidMessageError", "No token data provided by #setAuthToken event")})
			return
		}
		if err := s.setAuthTokenFromServer(p.Data); err != nil {
			s.emitError(err)
		}
	case "#removeAuthToken":
		s.removeAuthTokenFromServer()
	default:
		s.receivers.get().Write(p.Event, Data{raw: p.Data, codec: s.codec})
	}
}

// handleRequest handles an inbound event with a call id.
func (s *Socket) handleRequest(c *conn, p *codec.Packet) {
	req := &Request{sock: s, conn: c, ID: p.CID, Procedure: p.Event, Data: Data{raw: p.Data, codec: s.codec}}
	switch p.Event {
	case "#setAuthToken":
		if p.Data == nil {
			_ = req.Error(&InvalidMessageError{newSCError("InvalidMessageError", "No token data provided by #setAuthToken event")})
			return
		}
		if err := s.setAuthTokenFromServer(p.Data); err != nil {
			_ = req.Error(err)
			return
		}
		_ = req.End(nil)
	case "#removeAuthToken":
		s.removeAuthTokenFromServer()
		_ = req.End(nil)
	default:
		s.procedures.get().Write(p.Event, req)
	}
}

// isFalsy reports whether an encoded JSON value is falsy in JavaScript
// (null, false, 0, ""), which does not count as an error in a response.
func isFalsy(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "null", "false", `""`:
		return true
	}
	if len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		var f float64
		if json.Unmarshal(raw, &f) == nil && f == 0 {
			return true
		}
	}
	return false
}

// hydrateError turns an encoded wire error into a Go error (PROTOCOL §9.2).
func (s *Socket) hydrateError(raw []byte) error {
	var v any
	if err := s.codec.Unmarshal(raw, &v); err != nil {
		return &SCError{Message: string(raw), Value: string(raw)}
	}
	return hydrateValue(v)
}

// hydrateValue builds the typed error for a decoded wire error value.
func hydrateValue(v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		msg, isString := v.(string)
		if !isString {
			b, _ := json.Marshal(v)
			msg = string(b)
		}
		return &SCError{Message: msg, Value: v}
	}
	e := &SCError{Message: "Invalid error message format", Name: "Error"}
	if m, ok := obj["message"].(string); ok {
		e.Message = m
	}
	if n, ok := obj["name"].(string); ok {
		e.Name = n
	}
	for k, val := range obj {
		if k == "message" || k == "name" || k == "stack" {
			continue
		}
		if e.Fields == nil {
			e.Fields = map[string]any{}
		}
		e.Fields[k] = val
	}
	if build, ok := namedErrors[e.Name]; ok {
		return build(e)
	}
	return e
}

// dehydrateError gives the wire form of an error sent to the server
// (PROTOCOL §9.1): message, name and the extra fields of an SCError, or the
// message and the name "Error" for any other error.
func dehydrateError(err error) map[string]any {
	var sce *SCError
	if errors.As(err, &sce) {
		out := make(map[string]any, len(sce.Fields)+2)
		for k, v := range sce.Fields {
			out[k] = v
		}
		out["message"] = sce.Message
		if sce.Name != "" {
			out["name"] = sce.Name
		}
		return out
	}
	return map[string]any{"message": err.Error(), "name": "Error"}
}
