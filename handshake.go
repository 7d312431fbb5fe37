package scclient

import (
	"errors"
	"time"
)

// handshakeStatus is the data of a successful #handshake response.
type handshakeStatus struct {
	ID              string `json:"id"`
	PingTimeout     int64  `json:"pingTimeout"`
	IsAuthenticated bool   `json:"isAuthenticated"`
	AuthError       any    `json:"authError"`
}

// sendHandshakeLocked sends #handshake on c, bypassing the outbound queue.
func (s *Socket) sendHandshakeLocked(c *conn, token string) {
	data := map[string]any{"authToken": nil}
	if token != "" {
		data["authToken"] = token
	}
	payload, err := s.codec.Marshal(data)
	if err != nil {
		s.emitError(err)
		s.failHandshakeLocked(c, CloseHandshakeFailed, "Error: "+err.Error())
		return
	}
	hc := &call{event: "#handshake", data: payload, invoke: true}
	hc.onDone = func(res Data, err error) { s.onHandshakeLocked(c, token, res, err) }
	hc.timer = time.AfterFunc(c.opts.AckTimeout, func() { s.onCallTimeout(hc) })
	p := s.prepareLocked(c, hc)
	if err := c.writePacket(&p); err != nil && err != ErrNotOpen {
		s.emitError(err)
	}
}

// onHandshakeLocked handles the handshake's outcome.
func (s *Socket) onHandshakeLocked(c *conn, token string, res Data, err error) {
	if s.conn != c {
		return
	}
	if err != nil {
		if _, bad := err.(*BadConnectionError); bad {
			return // the connection is already closing
		}
		s.emitError(err)
		code := CloseHandshakeFailed
		var sce *SCError
		if errors.As(err, &sce) {
			if sc := intField(sce.Fields, "statusCode"); sc != 0 {
				code = sc
			}
		}
		s.failHandshakeLocked(c, code, errorString(err))
		return
	}
	var status handshakeStatus
	hasStatus := !res.Absent() && string(res.raw) != "null"
	if hasStatus {
		if derr := res.Decode(&status); derr != nil {
			hasStatus = false
		}
	}
	s.state = StateOpen
	c.cancelBatch()
	if hasStatus {
		s.id = status.ID
		if status.PingTimeout > 0 {
			s.pingTimeout = time.Duration(status.PingTimeout) * time.Millisecond
			c.pingTimeout.Store(int64(s.pingTimeout))
		}
	}
	c.resetPingTimer()

	if s.isBatching {
		s.startBatchingTimerLocked(c)
	} else if s.opts.BatchOnHandshake {
		s.startBatchingTimerLocked(c)
		time.AfterFunc(s.opts.BatchOnHandshakeDuration, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.conn == c && !s.isBatching {
				s.stopBatchingTimerLocked(c)
				s.flushBatchLocked(c)
			}
		})
	}
	s.preparingPending = true

	var authErr error
	if hasStatus && status.AuthError != nil {
		authErr = hydrateValue(status.AuthError)
	}
	if hasStatus && status.IsAuthenticated {
		s.changeToAuthenticatedLocked(token)
	} else {
		s.changeToUnauthenticatedLocked()
	}
	s.connectAttempts = 0
	if s.backoff != nil {
		s.backoff.Reset()
	}
	if !s.opts.DisableAutoSubscribeOnConnect {
		s.processPendingSubscriptionsLocked()
	}
	ev := Event{Name: EventConnect, ProcessPendingSubscriptions: s.ProcessPendingSubscriptions}
	if hasStatus {
		ev.ID = status.ID
		ev.PingTimeout = time.Duration(status.PingTimeout) * time.Millisecond
		ev.IsAuthenticated = status.IsAuthenticated
		ev.AuthError = authErr
		ev.SignedAuthToken = token
	}
	s.emit(ev)
	if s.state == StateOpen && s.conn == c {
		s.flushQueueLocked()
	}
}

// failHandshakeLocked closes c after a failed handshake with code and
// reason "<Name>: <message>".
func (s *Socket) failHandshakeLocked(c *conn, code int, reason string) {
	s.destroyLocked(c, code, reason, true)
	if !validCloseCode(code) {
		code = CloseHandshakeFailed
	}
	c.shutdown(code, reason)
}

// errorString formats an error as JavaScript's Error#toString does.
func errorString(err error) string {
	var sce *SCError
	if errors.As(err, &sce) {
		if sce.Name == "" {
			return sce.Message
		}
		if sce.Message == "" {
			return sce.Name
		}
		return sce.Name + ": " + sce.Message
	}
	return "Error: " + err.Error()
}
