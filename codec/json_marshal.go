package codec

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Marshal encodes v as JSON the way sc-formatter would send the matching
// JavaScript value, with the Go mapping of encoding/json: struct tags
// (omitempty, omitzero, string, "-"), embedded structs, json.Marshaler and
// encoding.TextMarshaler, map keys sorted. It differs from encoding/json
// where JSON.stringify does:
//   - strings escape only '"', '\\' and control characters, never '<', '>',
//     '&', U+2028 or U+2029; invalid UTF-8 becomes U+FFFD;
//   - NaN and ±Inf encode as null, and -0 as 0;
//   - a byte slice, wherever it sits, encodes as
//     {"base64":true,"data":"<standard base64>"} (a nil one as null), and so
//     does Binary;
//   - a map with string keys and interface values shaped like Node's
//     Buffer.toJSON output, {"type":"Buffer","data":[...]}, encodes as that
//     base64 object too, as sc-formatter does.
//
// Marshal(nil) is "null". Output of json.Marshaler values is checked and
// compacted but otherwise kept as written; so time.Time keeps its own RFC
// 3339 form, not the millisecond form of a JavaScript Date.
func (c JSONCodec) Marshal(v any) ([]byte, error) {
	e := getEncState()
	defer putEncState(e)
	if err := e.marshalAny(v); err != nil {
		return nil, err
	}
	return slices.Clone(e.buf), nil
}

// AppendMarshal is Marshal appending to dst, for callers that reuse a
// buffer. On error dst is returned unchanged.
func (JSONCodec) AppendMarshal(dst []byte, v any) ([]byte, error) {
	e := getEncState()
	e.buf = dst
	err := e.marshalAny(v)
	out := e.buf
	e.buf = nil
	putEncState(e)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// encState is the scratch state of one Marshal call.
type encState struct {
	buf []byte
	// ptrLevel counts the pointers, maps and slices being encoded; past
	// cycleCheckDepth the encoder records them in ptrSeen to detect cycles.
	ptrLevel int
	ptrSeen  map[cycleKey]struct{}
}

// cycleKey identifies a pointer, map or slice being encoded.
type cycleKey struct {
	ptr uintptr
	len int
	typ reflect.Type
}

// cycleCheckDepth is how deep encoding goes before it starts looking for
// cycles, as in encoding/json: shallow values pay nothing for the check.
const cycleCheckDepth = 1000

var encStatePool = sync.Pool{New: func() any { return new(encState) }}

func getEncState() *encState {
	e := encStatePool.Get().(*encState)
	e.buf = e.buf[:0]
	return e
}

func putEncState(e *encState) {
	if cap(e.buf) > 64<<10 {
		e.buf = nil
	}
	e.ptrLevel = 0
	clear(e.ptrSeen)
	encStatePool.Put(e)
}

// enter is called before encoding a pointer, map or slice; leave must be
// called after it when enter succeeds.
func (e *encState) enter(v reflect.Value, key cycleKey) error {
	e.ptrLevel++
	if e.ptrLevel <= cycleCheckDepth {
		return nil
	}
	if e.ptrSeen == nil {
		e.ptrSeen = make(map[cycleKey]struct{})
	}
	if _, ok := e.ptrSeen[key]; ok {
		e.ptrLevel--
		return &json.UnsupportedValueError{Value: v, Str: "encountered a cycle via " + v.Type().String()}
	}
	e.ptrSeen[key] = struct{}{}
	return nil
}

func (e *encState) leave(key cycleKey) {
	if e.ptrLevel > cycleCheckDepth {
		delete(e.ptrSeen, key)
	}
	e.ptrLevel--
}

// marshalAny encodes x, taking shortcuts for the types that decoded JSON
// and typical payloads are made of.
func (e *encState) marshalAny(x any) error {
	switch x := x.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendJSString(e.buf, x)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case float64:
		e.buf = appendJSFloat(e.buf, x, 64)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case []byte:
		e.buf = appendBase64Object(e.buf, x)
	case Binary:
		e.buf = appendBase64Object(e.buf, x)
	case json.RawMessage:
		return e.appendRaw(x, rawMessageType)
	case map[string]any:
		return e.marshalStringAnyMap(x)
	case []any:
		return e.marshalAnySlice(x)
	default:
		v := reflect.ValueOf(x)
		return typeEncoder(v.Type())(e, v, false)
	}
	return nil
}

// appendRaw appends JSON produced elsewhere, checked and compacted. A nil
// value is null, as for json.RawMessage.
func (e *encState) appendRaw(b []byte, t reflect.Type) error {
	if b == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	out, err := appendCompact(e.buf, b)
	if err != nil {
		return &json.MarshalerError{Type: t, Err: err}
	}
	e.buf = out
	return nil
}

func (e *encState) marshalStringAnyMap(m map[string]any) error {
	if m == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if len(m) >= 2 {
		if b, ok := bufferJSONBytes(m["type"], m["data"]); ok {
			e.buf = appendBase64Object(e.buf, b)
			return nil
		}
	}
	var key cycleKey
	if e.ptrLevel >= cycleCheckDepth {
		v := reflect.ValueOf(m)
		key = cycleKey{ptr: v.Pointer(), typ: v.Type()}
		if err := e.enter(v, key); err != nil {
			return err
		}
	} else {
		e.ptrLevel++
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendJSString(e.buf, k)
		e.buf = append(e.buf, ':')
		if err := e.marshalAny(m[k]); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	e.leave(key)
	return nil
}

func (e *encState) marshalAnySlice(s []any) error {
	if s == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	var key cycleKey
	if e.ptrLevel >= cycleCheckDepth {
		v := reflect.ValueOf(s)
		key = cycleKey{ptr: v.Pointer(), len: len(s), typ: v.Type()}
		if err := e.enter(v, key); err != nil {
			return err
		}
	} else {
		e.ptrLevel++
	}
	e.buf = append(e.buf, '[')
	for i, x := range s {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.marshalAny(x); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	e.leave(key)
	return nil
}

// appendBase64Object appends b in sc-formatter's binary form, or null for a
// nil slice.
func appendBase64Object(dst, b []byte) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"base64":true,"data":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, `"}`...)
}
