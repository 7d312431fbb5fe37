package codec

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// This file decodes a JSON object into a flat struct, one whose JSON
// members are all strings, booleans, numbers or `any`, without
// encoding/json's per-value reflection: RPC answers and handshake replies
// are mostly such objects. Anything the fast path does not settle with
// certainty (a type mismatch, an escaped or non-ASCII key, a number out of
// range) goes back to encoding/json, so the outcome is always
// encoding/json's.

// flatField is one JSON member of a flat struct.
type flatField struct {
	name  string
	index int
	kind  reflect.Kind
}

// flatStruct lists the members of a flat struct type in field order.
type flatStruct struct {
	fields []flatField
}

// flatStructs caches flatStructOf per struct type; a nil *flatStruct marks
// a type that is not flat.
var flatStructs sync.Map // reflect.Type -> *flatStruct

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberType      = reflect.TypeFor[json.Number]()
)

// flatStructOf returns the members of struct type t, or nil when t is not
// flat: a member is not a string, bool, number or empty interface, has its
// own unmarshaler, is promoted from an embedded struct or uses the string
// option, or a name is not plain ASCII or folds onto another one.
func flatStructOf(t reflect.Type) *flatStruct {
	if cached, ok := flatStructs.Load(t); ok {
		return cached.(*flatStruct)
	}
	fs := newFlatStruct(t)
	flatStructs.Store(t, fs)
	return fs
}

func newFlatStruct(t reflect.Type) *flatStruct {
	if hasUnmarshaler(t) {
		return nil
	}
	members := structFields(t)
	fs := &flatStruct{fields: make([]flatField, 0, len(members))}
	for _, m := range members {
		// encoding/json releases differ on tag names they cannot use
		// (badName): those are left to the encoding/json in use.
		if len(m.index) != 1 || m.quoted || m.badName || !plainASCII(m.name) {
			return nil
		}
		ft := t.Field(m.index[0]).Type
		switch ft.Kind() {
		case reflect.String, reflect.Bool,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64:
		case reflect.Interface:
			if ft.NumMethod() != 0 {
				return nil
			}
		default:
			return nil
		}
		if ft == jsonNumberType || hasUnmarshaler(ft) {
			return nil
		}
		for _, other := range fs.fields {
			if asciiEqualFold(other.name, m.name) {
				return nil
			}
		}
		fs.fields = append(fs.fields, flatField{name: m.name, index: m.index[0], kind: ft.Kind()})
	}
	return fs
}

// hasUnmarshaler reports whether values of t decode themselves.
func hasUnmarshaler(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshalerType) || pt.Implements(jsonUnmarshalerType) ||
		t.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType)
}

// plainASCII reports whether s is ASCII only: encoding/json folds some
// non-ASCII letters onto ASCII ones when it matches keys.
func plainASCII[T string | []byte](s T) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiEqualFold reports whether the ASCII strings a and b are equal when
// letter case is ignored.
func asciiEqualFold[T string | []byte](a string, b T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// member returns the field key names, matching encoding/json: the exact
// name first, else the first name equal to it ignoring case.
func (fs *flatStruct) member(key []byte) *flatField {
	for i := range fs.fields {
		if fs.fields[i].name == string(key) {
			return &fs.fields[i]
		}
	}
	for i := range fs.fields {
		if asciiEqualFold(fs.fields[i].name, key) {
			return &fs.fields[i]
		}
	}
	return nil
}

// decodeFlatStruct decodes data into v when v is a non-nil pointer to a
// flat struct and data is a valid JSON object whose members all fit it.
// It returns false, having changed nothing that encoding/json would not
// set to the same value, when encoding/json has to decide instead.
func decodeFlatStruct(data []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	sv := rv.Elem()
	fs := flatStructOf(sv.Type())
	if fs == nil {
		return false
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' || !validJSON(data) {
		return false // encoding/json reports the syntax or type error
	}
	// The input is valid JSON from here on: the scans below only find
	// where things end.
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return true
	}
	for {
		keyEnd, escaped := scanString(data, i)
		key := data[i+1 : keyEnd-1]
		if escaped || !plainASCII(key) {
			return false
		}
		i = skipSpace(data, keyEnd) + 1 // past the colon
		i = skipSpace(data, i)
		f := fs.member(key)
		var ok bool
		if f == nil {
			i, ok = skipValue(data, i, 1), true
		} else {
			i, ok = setFlatField(sv.Field(f.index), f.kind, data, i)
		}
		if !ok {
			return false
		}
		i = skipSpace(data, i)
		if data[i] == '}' {
			return true
		}
		i = skipSpace(data, i+1) // past the comma
	}
}

// setFlatField decodes the value at data[i] into field fv of kind k and
// returns the index past it; ok is false when the value does not fit.
func setFlatField(fv reflect.Value, k reflect.Kind, data []byte, i int) (end int, ok bool) {
	if k == reflect.Interface {
		if !fv.IsNil() {
			return 0, false // encoding/json decodes into a pointer held there
		}
		end = skipValue(data, i, 1)
		if data[i] == 'n' {
			return end, true // stays nil
		}
		var x any
		if unmarshalJSON(data[i:end], &x, false) != nil {
			return 0, false
		}
		fv.Set(reflect.ValueOf(&x).Elem())
		return end, true
	}
	switch data[i] {
	case 'n':
		return i + len("null"), true // null leaves a scalar as it is
	case 't', 'f':
		if k != reflect.Bool {
			return 0, false
		}
		if data[i] == 't' {
			fv.SetBool(true)
			return i + len("true"), true
		}
		fv.SetBool(false)
		return i + len("false"), true
	case '"':
		if k != reflect.String {
			return 0, false
		}
		end, escaped := scanString(data, i)
		fv.SetString(stringText(data[i+1:end-1], escaped, false))
		return end, true
	case '{', '[':
		return 0, false
	}
	end = scanNumber(data, i)
	// The literal is only parsed, never kept: it can stay in data.
	lit := unsafe.String(&data[i], end-i)
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(lit, 10, 64)
		if err != nil || fv.OverflowInt(n) {
			return 0, false
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(lit, 10, 64)
		if err != nil || fv.OverflowUint(n) {
			return 0, false
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(lit, fv.Type().Bits())
		if err != nil || fv.OverflowFloat(n) {
			return 0, false
		}
		fv.SetFloat(n)
	default:
		return 0, false
	}
	return end, true
}
