package codec

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// bufferJSONBytes recognises the object Node's Buffer.toJSON produces,
// {"type":"Buffer","data":[...]}: sc-formatter sends any object whose
// "type" is the string "Buffer" and whose "data" is an array as the bytes of
// Buffer.from(data). typ and data are the values of those two keys. A byte
// slice is not an array here, just as a Buffer is not one in JavaScript.
func bufferJSONBytes(typ, data any) ([]byte, bool) {
	if data == nil || typ == nil {
		return nil, false
	}
	tv := reflect.ValueOf(typ)
	if tv.Kind() != reflect.String || tv.String() != "Buffer" {
		return nil, false
	}
	dv := reflect.ValueOf(data)
	switch dv.Kind() {
	case reflect.Slice:
		if isByteSlice(dv.Type()) {
			return nil, false
		}
	case reflect.Array:
	default:
		return nil, false
	}
	out := make([]byte, dv.Len())
	for i := range out {
		out[i] = toUint8(dv.Index(i))
	}
	return out, true
}

// toUint8 converts one array element to a byte as storing it into a
// Uint8Array does in JavaScript: the number is truncated and wrapped modulo
// 256; NaN, infinities, and values that are not numbers become 0, except
// booleans (0 or 1) and strings holding a decimal, hex, octal or binary
// literal.
func toUint8(v reflect.Value) byte {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return byte(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return byte(v.Uint())
	case reflect.Float32, reflect.Float64:
		return floatToUint8(v.Float())
	case reflect.Bool:
		if v.Bool() {
			return 1
		}
		return 0
	case reflect.String:
		return floatToUint8(jsStringToNumber(v.String()))
	}
	return 0
}

func floatToUint8(f float64) byte {
	if !isFinite(f) {
		return 0
	}
	m := math.Mod(math.Trunc(f), 256)
	if m < 0 {
		m += 256
	}
	return byte(m)
}

// jsStringToNumber converts a string to a number as JavaScript's Number()
// does, for the forms that can give a finite result; others give NaN.
func jsStringToNumber(s string) float64 {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
	if s == "" {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			if strings.ContainsRune(s[2:], '_') {
				return math.NaN()
			}
			n, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return math.NaN()
	}
	return f
}
