package codec

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// encoderFunc appends the JSON form of v to e.buf. quoted asks for a scalar
// to be wrapped in a JSON string (the ",string" tag option).
type encoderFunc func(e *encState, v reflect.Value, quoted bool) error

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	numberType        = reflect.TypeFor[json.Number]()
	binaryType        = reflect.TypeFor[Binary]()
)

var encoderCache sync.Map // reflect.Type → encoderFunc

// typeEncoder returns the cached encoder for t, building it on first use.
func typeEncoder(t reflect.Type) encoderFunc {
	if f, ok := encoderCache.Load(t); ok {
		return f.(encoderFunc)
	}
	// A recursive type asks for its own encoder while it is being built:
	// hand out a stand-in that waits for the real one.
	var (
		ready sync.WaitGroup
		real  encoderFunc
	)
	ready.Add(1)
	standIn := encoderFunc(func(e *encState, v reflect.Value, quoted bool) error {
		ready.Wait()
		return real(e, v, quoted)
	})
	if f, loaded := encoderCache.LoadOrStore(t, standIn); loaded {
		return f.(encoderFunc)
	}
	real = newTypeEncoder(t, true)
	ready.Done()
	encoderCache.Store(t, real)
	return real
}

// newTypeEncoder builds the encoder for t. allowAddr lets it use methods
// with pointer receivers when the value is addressable.
func newTypeEncoder(t reflect.Type, allowAddr bool) encoderFunc {
	switch t {
	case binaryType:
		return encodeBytes
	case rawMessageType:
		return encodeRawMessage
	}
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(marshalerType) {
		return addrOr(encodeAddrMarshaler, newTypeEncoder(t, false))
	}
	if t.Implements(marshalerType) {
		return encodeMarshaler
	}
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(textMarshalerType) {
		return addrOr(encodeAddrTextMarshaler, newTypeEncoder(t, false))
	}
	if t.Implements(textMarshalerType) {
		return encodeTextMarshaler
	}
	switch t.Kind() {
	case reflect.Bool:
		return encodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return encodeUint
	case reflect.Float32:
		return encodeFloat32
	case reflect.Float64:
		return encodeFloat64
	case reflect.String:
		if t == numberType {
			return encodeNumber
		}
		return encodeString
	case reflect.Interface:
		return encodeInterface
	case reflect.Struct:
		return newStructEncoder(t)
	case reflect.Map:
		return newMapEncoder(t)
	case reflect.Slice:
		if isByteSlice(t) {
			return encodeBytes
		}
		return newSliceEncoder(t)
	case reflect.Array:
		return newArrayEncoder(t)
	case reflect.Pointer:
		return newPointerEncoder(t)
	default:
		return encodeUnsupported
	}
}

// isByteSlice reports whether t is a slice that encoding/json would encode
// as base64: bytes whose element type has no marshaling methods.
func isByteSlice(t reflect.Type) bool {
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(t.Elem())
	return !p.Implements(marshalerType) && !p.Implements(textMarshalerType)
}

// addrOr uses ifAddr when the value is addressable and otherwise.
func addrOr(ifAddr, otherwise encoderFunc) encoderFunc {
	return func(e *encState, v reflect.Value, quoted bool) error {
		if v.CanAddr() {
			return ifAddr(e, v, quoted)
		}
		return otherwise(e, v, quoted)
	}
}

func encodeMarshaler(e *encState, v reflect.Value, _ bool) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := reflect.TypeAssert[json.Marshaler](v)
	if !ok {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	return e.callMarshaler(m, v.Type())
}

func encodeAddrMarshaler(e *encState, v reflect.Value, _ bool) error {
	m, _ := reflect.TypeAssert[json.Marshaler](v.Addr())
	return e.callMarshaler(m, v.Type())
}

func (e *encState) callMarshaler(m json.Marshaler, t reflect.Type) error {
	b, err := m.MarshalJSON()
	if err != nil {
		return &json.MarshalerError{Type: t, Err: err}
	}
	out, err := appendCompact(e.buf, b)
	if err != nil {
		return &json.MarshalerError{Type: t, Err: err}
	}
	e.buf = out
	return nil
}

func encodeTextMarshaler(e *encState, v reflect.Value, _ bool) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := reflect.TypeAssert[encoding.TextMarshaler](v)
	if !ok {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	return e.callTextMarshaler(m, v.Type())
}

func encodeAddrTextMarshaler(e *encState, v reflect.Value, _ bool) error {
	m, _ := reflect.TypeAssert[encoding.TextMarshaler](v.Addr())
	return e.callTextMarshaler(m, v.Type())
}

func (e *encState) callTextMarshaler(m encoding.TextMarshaler, t reflect.Type) error {
	b, err := m.MarshalText()
	if err != nil {
		return fmt.Errorf("codec: error calling MarshalText for type %v: %w", t, err)
	}
	e.buf = appendJSString(e.buf, b)
	return nil
}

func encodeRawMessage(e *encState, v reflect.Value, _ bool) error {
	return e.appendRaw(v.Bytes(), v.Type())
}

func encodeBool(e *encState, v reflect.Value, quoted bool) error {
	e.buf = appendQuote(e.buf, quoted)
	e.buf = strconv.AppendBool(e.buf, v.Bool())
	e.buf = appendQuote(e.buf, quoted)
	return nil
}

func encodeInt(e *encState, v reflect.Value, quoted bool) error {
	e.buf = appendQuote(e.buf, quoted)
	e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	e.buf = appendQuote(e.buf, quoted)
	return nil
}

func encodeUint(e *encState, v reflect.Value, quoted bool) error {
	e.buf = appendQuote(e.buf, quoted)
	e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	e.buf = appendQuote(e.buf, quoted)
	return nil
}

func encodeFloat32(e *encState, v reflect.Value, quoted bool) error {
	return e.encodeFloat(v.Float(), 32, quoted)
}

func encodeFloat64(e *encState, v reflect.Value, quoted bool) error {
	return e.encodeFloat(v.Float(), 64, quoted)
}

func (e *encState) encodeFloat(f float64, bits int, quoted bool) error {
	quoted = quoted && isFinite(f) // null is never quoted
	e.buf = appendQuote(e.buf, quoted)
	e.buf = appendJSFloat(e.buf, f, bits)
	e.buf = appendQuote(e.buf, quoted)
	return nil
}

func encodeString(e *encState, v reflect.Value, quoted bool) error {
	if quoted {
		// The ",string" option on a string field encodes its JSON form as
		// a string, as encoding/json does.
		e.buf = appendJSString(e.buf, appendJSString(nil, v.String()))
		return nil
	}
	e.buf = appendJSString(e.buf, v.String())
	return nil
}

func encodeNumber(e *encState, v reflect.Value, quoted bool) error {
	s := v.String()
	if s == "" {
		s = "0" // the zero json.Number, as in encoding/json
	}
	if !isJSONNumber(s) {
		return fmt.Errorf("codec: invalid number literal %q", s)
	}
	e.buf = appendQuote(e.buf, quoted)
	e.buf = append(e.buf, s...)
	e.buf = appendQuote(e.buf, quoted)
	return nil
}

// isJSONNumber reports whether s is exactly one JSON number.
func isJSONNumber(s string) bool {
	var buf [32]byte
	b := append(buf[:0], s...)
	return len(b) > 0 && scanNumber(b, 0) == len(b)
}

func appendQuote(b []byte, quoted bool) []byte {
	if quoted {
		return append(b, '"')
	}
	return b
}

func encodeInterface(e *encState, v reflect.Value, _ bool) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if v.CanInterface() {
		return e.marshalAny(v.Interface())
	}
	elem := v.Elem()
	return typeEncoder(elem.Type())(e, elem, false)
}

func encodeUnsupported(_ *encState, v reflect.Value, _ bool) error {
	return &json.UnsupportedTypeError{Type: v.Type()}
}

func encodeBytes(e *encState, v reflect.Value, _ bool) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	e.buf = appendBase64Object(e.buf, v.Bytes())
	return nil
}

func newSliceEncoder(t reflect.Type) encoderFunc {
	elems := newArrayEncoder(t)
	return func(e *encState, v reflect.Value, _ bool) error {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		key := cycleKey{ptr: v.Pointer(), len: v.Len(), typ: t}
		if err := e.enter(v, key); err != nil {
			return err
		}
		if err := elems(e, v, false); err != nil {
			return err
		}
		e.leave(key)
		return nil
	}
}

func newArrayEncoder(t reflect.Type) encoderFunc {
	elem := typeEncoder(t.Elem())
	return func(e *encState, v reflect.Value, _ bool) error {
		e.buf = append(e.buf, '[')
		for i := range v.Len() {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := elem(e, v.Index(i), false); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
		return nil
	}
}

func newPointerEncoder(t reflect.Type) encoderFunc {
	elem := typeEncoder(t.Elem())
	return func(e *encState, v reflect.Value, quoted bool) error {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		key := cycleKey{ptr: v.Pointer(), typ: t}
		if err := e.enter(v, key); err != nil {
			return err
		}
		if err := elem(e, v.Elem(), quoted); err != nil {
			return err
		}
		e.leave(key)
		return nil
	}
}

// mapEntry is one map entry with its key resolved to a string.
type mapEntry struct {
	key string
	val reflect.Value
}

func newMapEncoder(t reflect.Type) encoderFunc {
	kt := t.Key()
	switch kt.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !kt.Implements(textMarshalerType) {
			return encodeUnsupported
		}
	}
	elem := typeEncoder(t.Elem())
	// Only a map that can hold mixed values can look like Buffer.toJSON.
	bufferShaped := kt.Kind() == reflect.String && t.Elem().Kind() == reflect.Interface
	var typeKey, dataKey reflect.Value
	if bufferShaped {
		typeKey = reflect.ValueOf("type").Convert(kt)
		dataKey = reflect.ValueOf("data").Convert(kt)
	}
	return func(e *encState, v reflect.Value, _ bool) error {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if bufferShaped && v.Len() >= 2 {
			typ := v.MapIndex(typeKey)
			data := v.MapIndex(dataKey)
			if typ.IsValid() && data.IsValid() && typ.CanInterface() && data.CanInterface() {
				if b, ok := bufferJSONBytes(typ.Interface(), data.Interface()); ok {
					e.buf = appendBase64Object(e.buf, b)
					return nil
				}
			}
		}
		key := cycleKey{ptr: v.Pointer(), typ: t}
		if err := e.enter(v, key); err != nil {
			return err
		}
		entries := make([]mapEntry, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, err := mapKeyString(it.Key())
			if err != nil {
				return fmt.Errorf("codec: map key of type %v: %w", kt, err)
			}
			entries = append(entries, mapEntry{k, it.Value()})
		}
		slices.SortFunc(entries, func(a, b mapEntry) int { return strings.Compare(a.key, b.key) })
		e.buf = append(e.buf, '{')
		for i, en := range entries {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendJSString(e.buf, en.key)
			e.buf = append(e.buf, ':')
			if err := elem(e, en.val, false); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
		e.leave(key)
		return nil
	}
}

// mapKeyString turns a map key into its JSON object key, with the
// precedence of encoding/json: string kinds, then TextMarshaler, then
// integers.
func mapKeyString(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := reflect.TypeAssert[encoding.TextMarshaler](k); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("unsupported key kind %v", k.Kind())
}
