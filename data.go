package scclient

import (
	"github.com/socketcluster-go/scclient/codec"
)

// Data is a payload received from the server, still encoded. Decode turns it
// into any Go value; nothing is parsed until then.
//
// A Data may alias the frame it arrived in: keep it as long as you like,
// but do not modify the bytes returned by Raw. Messages of 256 B to 4 KiB
// that arrive together share one block of memory of at most 32 KiB, so a
// Data kept from a busy stream (or a string decoded from it) keeps its
// whole block alive: copy what you keep for long, with bytes.Clone(Raw())
// or strings.Clone, when you keep few messages out of many.
type Data struct {
	raw   []byte
	codec codec.Codec
}

// Decode decodes the payload into v, as the socket's codec's Unmarshal
// does. An absent payload decodes like null. With the JSON codec a string
// that makes up most of the payload shares its memory (see
// codec.JSONCodec.UnmarshalShared), which is one more reason never to
// modify the bytes returned by Raw.
func (d Data) Decode(v any) error {
	raw := d.raw
	if raw == nil {
		raw = nullJSON
	}
	c := d.codec
	if c == nil {
		c = codec.JSON
	}
	if jc, ok := c.(codec.JSONCodec); ok {
		// The JSON codec itself, not a codec built on it that may
		// decode its own way: a received payload is never modified, so
		// its strings may be shared.
		return jc.UnmarshalShared(raw, v)
	}
	return c.Unmarshal(raw, v)
}

// Raw returns the encoded payload (nil when the packet carried none).
func (d Data) Raw() []byte { return d.raw }

// Absent reports whether the packet carried no payload at all (JS
// undefined), as opposed to null.
func (d Data) Absent() bool { return d.raw == nil }

// String returns the encoded payload as text, for logs.
func (d Data) String() string { return string(d.raw) }

// MarshalJSON returns the payload as it arrived, so a Data can be embedded
// in JSON output (for example by a CLI printing messages). It assumes the
// JSON codec; an absent payload is null.
func (d Data) MarshalJSON() ([]byte, error) {
	if d.raw == nil {
		return nullJSON, nil
	}
	return d.raw, nil
}

var nullJSON = []byte("null")
