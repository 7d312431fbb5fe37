package cli

import (
	"encoding/json"
	"errors"

	"github.com/socketcluster-go/scclient"
)

// errorText renders an error for a diagnostic line: "Name: message" for
// sc-errors, followed by the extra fields the server sent as JSON, and the
// network cause of a protocol error.
func errorText(err error) string {
	var sc *scclient.SCError
	if !errors.As(err, &sc) {
		return err.Error()
	}
	if sc.Name == "" && sc.Message == "" && sc.Value != nil {
		b, jerr := json.Marshal(sc.Value)
		if jerr != nil {
			return err.Error()
		}
		return "error value " + string(b)
	}
	text := sc.Error()
	if len(sc.Fields) > 0 {
		if b, jerr := json.Marshal(sc.Fields); jerr == nil {
			text += " " + string(b)
		}
	}
	if cause := errors.Unwrap(err); cause != nil {
		var inner *scclient.SCError
		if !errors.As(cause, &inner) {
			text += " (" + cause.Error() + ")"
		}
	}
	return text
}

// errorJSON returns the error as a JSON-ready object: name, message and the
// extra fields, or the raw value of a non-object error.
func errorJSON(err error) map[string]any {
	var sc *scclient.SCError
	if !errors.As(err, &sc) {
		return map[string]any{"message": err.Error()}
	}
	if sc.Name == "" && sc.Message == "" && sc.Value != nil {
		return map[string]any{"value": sc.Value}
	}
	m := make(map[string]any, len(sc.Fields)+2)
	for k, v := range sc.Fields {
		m[k] = v
	}
	m["name"] = sc.Name
	m["message"] = sc.Message
	return m
}
