package codec

// JSONCodec is the default codec: JSON text frames, byte-compatible with
// sc-formatter 4. Its zero value is ready to use and it is safe for
// concurrent use; the package-level JSON is the usual way to refer to it.
//
// Decoding follows what the JavaScript client does with JSON.parse: a frame
// that is not strict JSON (RFC 8259) starting with '{' or '[' after optional
// space, tab, CR or LF is one raw packet, duplicate keys resolve to the last
// one, and a "cid" or "rid" counts only when it is a JSON number.
//
// Deliberate differences from the JavaScript side, all at the edges:
//   - a "cid" or "rid" counts only when its exact decimal value is an
//     integer that fits in an int64 ("1", "1.0", "1e2" do; "1.5", "1e300"
//     and quoted numbers do not), so a request with a fractional call id is
//     an event and a response with one is raw;
//   - frames nested deeper than 10000 arrays or objects are raw, as in
//     encoding/json;
//   - lone UTF-16 surrogates in escaped strings, and invalid UTF-8, become
//     U+FFFD, as in encoding/json.
type JSONCodec struct{}

// JSON is the default codec, byte-compatible with sc-formatter 4.
var JSON = JSONCodec{}

var _ Codec = JSONCodec{}

// Name returns "json".
func (JSONCodec) Name() string { return "json" }
