package cli

import (
	"bytes"
	"encoding/json"

	"github.com/socketcluster-go/scclient"
)

// jsonObj builds one JSON object with its keys in the order they are added,
// so output lines read naturally ("channel" before "data").
type jsonObj struct{ b []byte }

func (o *jsonObj) key(k string) {
	if len(o.b) == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	kb, _ := json.Marshal(k)
	o.b = append(o.b, kb...)
	o.b = append(o.b, ':')
}

// add appends a Go value, encoded with encoding/json.
func (o *jsonObj) add(k string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(err.Error())
	}
	o.key(k)
	o.b = append(o.b, b...)
}

// addData appends a received payload as the JSON it arrived as.
func (o *jsonObj) addData(k string, d scclient.Data) {
	o.key(k)
	o.b = appendData(o.b, d)
}

// bytes returns the finished object.
func (o *jsonObj) bytes() []byte {
	if len(o.b) == 0 {
		return []byte("{}")
	}
	return append(o.b, '}')
}

// appendData appends a payload compacted onto one line: null when absent,
// and as a JSON string when it is not valid JSON (another codec's bytes).
func appendData(dst []byte, d scclient.Data) []byte {
	raw := d.Raw()
	if raw == nil {
		return append(dst, "null"...)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		s, _ := json.Marshal(string(raw))
		return append(dst, s...)
	}
	return append(dst, buf.Bytes()...)
}

// messageLine is the line printed for a channel message.
func messageLine(channel string, d scclient.Data) []byte {
	var o jsonObj
	o.add("channel", channel)
	o.addData("data", d)
	return o.bytes()
}

// receiveLine is the line printed for a transmit received from the server.
func receiveLine(event string, d scclient.Data) []byte {
	var o jsonObj
	o.add("event", event)
	o.addData("data", d)
	return o.bytes()
}
