package xk6

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"

	"github.com/socketcluster-go/scclient"
)

// exportData turns a script value into a payload for the codec.
func exportData(v sobek.Value) any {
	if isNullish(v) {
		return nil
	}
	return v.Export()
}

// decodeData decodes a received payload into plain Go values, nil when
// the frame had no data.
func decodeData(d scclient.Data) (any, error) {
	if d.Absent() {
		return nil, nil
	}
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("socketcluster: cannot decode payload: %w", err)
	}
	return v, nil
}

// sentAt reads the millisecond timestamp t of an object payload.
func sentAt(v any) (time.Time, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return time.Time{}, false
	}
	f, ok := m["t"].(float64)
	if !ok || f <= 0 || math.IsInf(f, 0) || f > 1e15 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(f)), true
}

// errorName is the sc-errors name of an error, or a generic name for
// errors that are not sc-errors.
func errorName(err error) string {
	var sc *scclient.SCError
	if errors.As(err, &sc) && sc.Name != "" {
		return sc.Name
	}
	if errors.Is(err, scclient.ErrClosed) {
		return "ClosedError"
	}
	return "Error"
}

// errorObject is what a rejected promise or an error event carries:
// name, message and the error's extra fields.
func errorObject(err error) map[string]any {
	if err == nil {
		return nil
	}
	out := map[string]any{"name": errorName(err), "message": err.Error()}
	var sc *scclient.SCError
	if errors.As(err, &sc) {
		if sc.Message != "" {
			out["message"] = sc.Message
		}
		for k, v := range sc.Fields {
			if _, taken := out[k]; !taken {
				out[k] = v
			}
		}
		if sc.Value != nil {
			out["value"] = sc.Value
		}
	}
	return out
}

// eventObject is the argument of an event handler: the fields the event
// carries, named as in the JavaScript client.
func eventObject(ev scclient.Event) map[string]any {
	out := map[string]any{"event": ev.Name}
	switch ev.Name {
	case scclient.EventConnectAbort, scclient.EventDisconnect, scclient.EventClose:
		out["code"] = ev.Code
		out["reason"] = ev.Reason
	case scclient.EventConnect:
		out["id"] = ev.ID
		out["isAuthenticated"] = ev.IsAuthenticated
		out["pingTimeout"] = ev.PingTimeout.Milliseconds()
		if ev.AuthError != nil {
			out["authError"] = errorObject(ev.AuthError)
		}
	case scclient.EventAuthStateChange:
		out["oldAuthState"] = ev.OldAuthState.String()
		out["newAuthState"] = ev.NewAuthState.String()
		if ev.SignedAuthToken != "" {
			out["signedAuthToken"] = ev.SignedAuthToken
			out["authToken"] = ev.AuthToken
		}
	case scclient.EventAuthenticate:
		out["signedAuthToken"] = ev.SignedAuthToken
		out["authToken"] = ev.AuthToken
	case scclient.EventDeauthenticate, scclient.EventRemoveAuthToken:
		out["oldSignedAuthToken"] = ev.OldSignedAuthToken
		out["oldAuthToken"] = ev.OldAuthToken
	case scclient.EventSubscribeStateChange:
		out["oldChannelState"] = ev.OldChannelState.String()
		out["newChannelState"] = ev.NewChannelState.String()
	case scclient.EventKickOut:
		if v, err := decodeData(ev.Message); err == nil {
			out["message"] = v
		}
	}
	if ev.Channel != "" {
		out["channel"] = ev.Channel
	}
	if ev.Error != nil {
		out["error"] = errorObject(ev.Error)
	}
	return out
}

// callable checks that a script value is a function.
func callable(rt *sobek.Runtime, v sobek.Value) sobek.Callable {
	fn, ok := sobek.AssertFunction(v)
	if !ok {
		throwf(rt, "socketcluster: want a function, got %s", describe(v))
	}
	return fn
}

func describe(v sobek.Value) string {
	if v == nil {
		return "undefined"
	}
	return v.String()
}

func isNullish(v sobek.Value) bool { return common.IsNullish(v) }

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// throwf throws a JavaScript exception with a formatted message.
func throwf(rt *sobek.Runtime, format string, args ...any) {
	common.Throw(rt, fmt.Errorf(format, args...))
}

// must throws when defining a property failed.
func must(rt *sobek.Runtime, err error) {
	if err != nil {
		common.Throw(rt, err)
	}
}
