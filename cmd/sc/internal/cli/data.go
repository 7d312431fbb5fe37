package cli

import (
	"encoding/json"
	"strings"
)

// parseData turns a DATA argument into the value to send: valid JSON is sent
// as the JSON it is, anything else as a string. ok false means no DATA.
func parseData(args []string, i int) (v any, ok bool) {
	if i >= len(args) {
		return nil, false
	}
	return dataValue(args[i]), true
}

// dataValue is parseData for one string.
func dataValue(s string) any {
	t := strings.TrimSpace(s)
	if t != "" && json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	return s
}
