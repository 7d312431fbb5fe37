package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdMarshal is encoding/json without HTML escaping and without the
// trailing newline of Encoder.
func stdMarshal(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

type Inner struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

type tagged struct {
	Name      string            `json:"name"`
	Renamed   int               `json:"other_name"`
	Skipped   string            `json:"-"`
	Dash      string            `json:"-,"`
	OmitEmpty string            `json:",omitempty"`
	OmitInt   int               `json:"oi,omitempty"`
	OmitPtr   *int              `json:"op,omitempty"`
	OmitMap   map[string]int    `json:"om,omitempty"`
	OmitSlice []int             `json:"os,omitempty"`
	OmitStr   Inner             `json:"ostruct,omitempty"`
	ZeroTime  time.Time         `json:"zt,omitzero"`
	ZeroInner Inner             `json:"zi,omitzero"`
	ZeroArray [2]int            `json:"za,omitzero"`
	IntStr    int               `json:"is,string"`
	BoolStr   bool              `json:"bs,string"`
	FloatStr  float64           `json:"fs,string"`
	StrStr    string            `json:"ss,string"`
	PtrStr    *int64            `json:"ps,string"`
	BadTag    int               `json:"a\"b"`
	Unicode   int               `json:"ключ"`
	Punct     int               `json:"a-b.c$"`
	unexp     int               //nolint:unused // must be left out
	Iface     any               `json:"iface"`
	Map       map[string]*Inner `json:"map"`
	IntMap    map[int]string    `json:"intmap"`
	Uint8Map  map[uint8]bool    `json:"u8map"`
	TextMap   map[netip.Addr]int
	Arr       [3]byte
	Nested    []Inner
	Number    json.Number
	Raw       json.RawMessage
	Time      time.Time
	Float32   float32
	Big       uint64
}

type Embedded struct {
	E1 int
	E2 string `json:"e2"`
}

type EmbeddedPtr struct {
	P1 int
}

type embeddedUnexported struct {
	U1 int
}

type conflictA struct{ Same, OnlyA int }
type conflictB struct{ Same, OnlyB int }

type withEmbedding struct {
	Embedded
	*EmbeddedPtr
	embeddedUnexported
	conflictA
	conflictB
	Own int
	E1  string // hides Embedded.E1
}

type taggedEmbed struct {
	Inner `json:"inner"`
	X     int
}

type deeperTagWins struct {
	taggedHolder
	untaggedHolder
}
type taggedHolder struct {
	V int `json:"v"`
}
type untaggedHolder struct {
	V int
}

type list struct {
	Val  int
	Next *list `json:",omitempty"`
}

type valueMarshaler struct{ s string }

func (m valueMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(" { \"m\" : \"" + m.s + "\" } "), nil
}

type ptrMarshaler struct{ n int }

func (m *ptrMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`"ptr %d"`, m.n)), nil
}

type ptrText struct{ n int }

func (m *ptrText) MarshalText() ([]byte, error) {
	return []byte(fmt.Sprintf("text %d", m.n)), nil
}

type holder struct {
	V  valueMarshaler
	P  ptrMarshaler
	PP *ptrMarshaler
	T  ptrText
	NP *valueMarshaler
}

type zeroer struct{ n int }

func (z zeroer) IsZero() bool { return z.n < 0 }

type omitZeroMethod struct {
	Z  zeroer  `json:"z,omitzero"`
	ZP *zeroer `json:"zp,omitzero"`
	ZI any     `json:"zi,omitzero"`
}

func TestMarshalMatchesEncodingJSON(t *testing.T) {
	seven := 7
	big := int64(1 << 60)
	addr := netip.MustParseAddr("10.0.0.1")
	full := tagged{
		Name: "n", Renamed: 1, Skipped: "no", Dash: "dash", OmitEmpty: "", OmitPtr: &seven,
		OmitMap: map[string]int{}, ZeroTime: time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC),
		ZeroInner: Inner{A: 1}, IntStr: -3, BoolStr: true, FloatStr: 2.5, StrStr: `q"x`, PtrStr: &big,
		BadTag: 1, Unicode: 2, Punct: 3, unexp: 4, Iface: map[string]any{"k": []any{1.5, "s", nil}},
		Map:      map[string]*Inner{"z": {A: 1}, "a": nil, "m": {B: "b"}},
		IntMap:   map[int]string{10: "ten", 9: "nine", -1: "minus"},
		Uint8Map: map[uint8]bool{2: true, 1: false},
		TextMap:  map[netip.Addr]int{addr: 1, netip.MustParseAddr("10.0.0.0"): 0},
		Arr:      [3]byte{1, 2, 3}, Nested: []Inner{{A: 1}, {B: "x"}},
		Number: "1.5e3", Raw: json.RawMessage(` [ 1 , "a b" ] `),
		Time: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), Float32: 0.1, Big: math.MaxUint64,
	}
	values := []any{
		nil, true, false, 0, -12, uint8(200), int8(-5), uint64(math.MaxUint64), int64(math.MinInt64),
		1.5, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, float32(3.4e38), float32(1e-7), float32(16777216),
		"", "plain", "q\"b\\s/\b\f\n\r\t\x00\x1f\x7f", "é日本😀",
		[]any{}, []any{1.0, "a", nil, []any{map[string]any{}}}, map[string]any{"b": 1.0, "a": []any{}},
		[]int(nil), []string{"x"}, [0]int{}, [2]bool{true, false}, map[string]int(nil),
		map[string]int{"b": 2, "a": 1, "": 0}, &seven, (*int)(nil), []*int{nil, &seven},
		Inner{}, &Inner{A: 1, B: "x"}, tagged{}, full, &full,
		withEmbedding{Embedded: Embedded{E1: 1, E2: "2"}, EmbeddedPtr: &EmbeddedPtr{P1: 3}, embeddedUnexported: embeddedUnexported{U1: 4}, Own: 5, E1: "own"},
		withEmbedding{}, taggedEmbed{Inner: Inner{A: 1}, X: 2}, deeperTagWins{taggedHolder{1}, untaggedHolder{2}},
		&list{1, &list{2, &list{3, nil}}},
		struct {
			A int `json:"a"`
			b int
		}{1, 2},
		holder{V: valueMarshaler{"v"}, P: ptrMarshaler{1}, PP: &ptrMarshaler{2}, T: ptrText{3}},
		&holder{V: valueMarshaler{"v"}, P: ptrMarshaler{1}, PP: &ptrMarshaler{2}, T: ptrText{3}},
		[]ptrMarshaler{{1}}, map[string]ptrMarshaler{"k": {1}}, valueMarshaler{"top"}, &ptrMarshaler{5}, ptrMarshaler{6},
		omitZeroMethod{Z: zeroer{-1}, ZP: &zeroer{-1}, ZI: zeroer{-1}},
		omitZeroMethod{Z: zeroer{1}, ZP: &zeroer{1}, ZI: zeroer{1}},
		omitZeroMethod{ZI: (*zeroer)(nil)},
		json.Number("-0.5"), json.RawMessage(nil), json.RawMessage(`{"a" :1}`), time.Unix(0, 0).UTC(), addr,
		map[netip.Addr]string{}, errors.New("plain errors are empty objects"),
	}
	for i, v := range values {
		t.Run(fmt.Sprintf("%d_%T", i, v), func(t *testing.T) {
			got, err := JSON.Marshal(v)
			require.NoError(t, err)
			assert.Equal(t, string(stdMarshal(t, v)), string(got))
		})
	}
}

func TestMarshalDiffersFromEncodingJSONLikeJavaScript(t *testing.T) {
	type withBytes struct {
		B   []byte            `json:"b"`
		N   []byte            `json:"n"`
		E   []byte            `json:"e,omitempty"`
		Bin Binary            `json:"bin"`
		A   any               `json:"a"`
		M   map[string][]byte `json:"m"`
		L   [][]byte          `json:"l"`
	}
	type floats struct {
		NaN   float64
		Inf   float64
		NInf  float32
		NZero float64
		Str   float64 `json:",string"`
	}
	type myBytes []byte
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"html is not escaped", "<a href=\"x\">&</a>", `"<a href=\"x\">&</a>"`},
		{"line separators are not escaped", "a\u2028b\u2029c", "\"a\u2028b\u2029c\""},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb\xe6\x97", "\"a\uFFFDb\uFFFD\uFFFD\""},
		{"invalid UTF-8 in a key", map[string]int{"k\xff": 1}, "{\"k\uFFFD\":1}"},
		{"long mixed string", strings.Repeat("abcdefgh", 4) + "\n" + strings.Repeat("é", 9) + "\"", `"` + strings.Repeat("abcdefgh", 4) + `\n` + strings.Repeat("é", 9) + `\""`},
		{"NaN", math.NaN(), "null"},
		{"Inf", math.Inf(1), "null"},
		{"negative zero", math.Copysign(0, -1), "0"},
		{"float32 negative zero", float32(math.Copysign(0, -1)), "0"},
		{"special floats in struct", floats{NaN: math.NaN(), Inf: math.Inf(1), NInf: float32(math.Inf(-1)), NZero: math.Copysign(0, -1), Str: math.NaN()},
			`{"NaN":null,"Inf":null,"NInf":null,"NZero":0,"Str":null}`},
		{"bytes at top level", []byte("hi"), `{"base64":true,"data":"aGk="}`},
		{"nil bytes", []byte(nil), `null`},
		{"empty bytes", []byte{}, `{"base64":true,"data":""}`},
		{"named byte slice", myBytes{1, 2, 3}, `{"base64":true,"data":"AQID"}`},
		{"bytes everywhere", withBytes{B: []byte{1}, Bin: Binary{2}, A: []byte{3}, M: map[string][]byte{"k": {4}}, L: [][]byte{{5}, nil}},
			`{"b":{"base64":true,"data":"AQ=="},"n":null,"bin":{"base64":true,"data":"Ag=="},"a":{"base64":true,"data":"Aw=="},"m":{"k":{"base64":true,"data":"BA=="}},"l":[{"base64":true,"data":"BQ=="},null]}`},
		{"bytes in any", []any{[]byte{0xff}, map[string]any{"x": Binary("hi")}}, `[{"base64":true,"data":"/w=="},{"x":{"base64":true,"data":"aGk="}}]`},
		{"byte array stays an array", [2]byte{1, 2}, `[1,2]`},
		{"Buffer.toJSON shape", map[string]any{"type": "Buffer", "data": []any{104.0, 105}}, `{"base64":true,"data":"aGk="}`},
		{"Buffer.toJSON shape with ints", map[string]any{"type": "Buffer", "data": []int{-1, 256, 7}}, `{"base64":true,"data":"/wAH"}`},
		{"Buffer.toJSON shape in a typed map", map[string]interface{ String() string }{"type": stringer("Buffer"), "data": stringer("x")}, `{"data":"x","type":"Buffer"}`},
		{"Buffer.toJSON shape with bytes data", map[string]any{"type": "Buffer", "data": []byte{1}}, `{"data":{"base64":true,"data":"AQ=="},"type":"Buffer"}`},
		{"Buffer.toJSON shape in a named map", namedMap{"type": "Buffer", "data": []any{1.0}}, `{"base64":true,"data":"AQ=="}`},
		{"Buffer.toJSON shape with named keys", map[keyString]any{"type": "Buffer", "data": [1]uint{2}}, `{"base64":true,"data":"Ag=="}`},
		{"named map that is not a Buffer", namedMap{"type": "Buffer", "data": "x", "z": nil}, `{"data":"x","type":"Buffer","z":null}`},
		{"string map is never a Buffer", map[string]string{"type": "Buffer", "data": "[1]"}, `{"data":"[1]","type":"Buffer"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON.Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.True(t, json.Valid(got))
		})
	}
}

type stringer string

type namedMap map[string]any

type keyString string

func (s stringer) String() string { return string(s) }

type failingMarshaler struct{}

func (failingMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("boom") }

type invalidMarshaler struct{}

func (invalidMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{"a":}`), nil }

type failingText struct{}

func (failingText) MarshalText() ([]byte, error) { return nil, errors.New("text boom") }

func TestMarshalErrors(t *testing.T) {
	type cyclic struct {
		Self *cyclic
	}
	c := &cyclic{}
	c.Self = c
	m := map[string]any{}
	m["self"] = m
	s := []any{nil}
	s[0] = s
	type selfMap map[string]selfMap
	sm := selfMap{}
	sm["x"] = sm

	var unsupported *json.UnsupportedTypeError
	var unsupportedValue *json.UnsupportedValueError
	var marshaler *json.MarshalerError
	tests := []struct {
		name   string
		in     any
		target any
		msg    string
	}{
		{"channel", make(chan int), &unsupported, "chan int"},
		{"func in map", map[string]any{"f": func() {}}, &unsupported, "func()"},
		{"complex", complex(1, 2), &unsupported, "complex128"},
		{"map with struct keys", map[Inner]int{{}: 1}, &unsupported, "map"},
		{"pointer cycle", c, &unsupportedValue, "cycle"},
		{"map cycle", m, &unsupportedValue, "cycle"},
		{"slice cycle", s, &unsupportedValue, "cycle"},
		{"typed map cycle", sm, &unsupportedValue, "cycle"},
		{"marshaler error", []any{failingMarshaler{}}, &marshaler, "boom"},
		{"marshaler invalid output", struct{ M invalidMarshaler }{}, &marshaler, "invalid JSON"},
		{"invalid raw message", json.RawMessage(`{`), &marshaler, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON.Marshal(tt.in)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.ErrorAs(t, err, tt.target)
			assert.ErrorContains(t, err, tt.msg)
		})
	}

	_, err := JSON.Marshal(failingText{})
	assert.ErrorContains(t, err, "text boom")
	_, err = JSON.Marshal(map[failingText]int{{}: 1})
	assert.ErrorContains(t, err, "text boom")
	_, err = JSON.Marshal(json.Number("1e"))
	assert.ErrorContains(t, err, "invalid number")
}

func TestMarshalDeepButAcyclicValues(t *testing.T) {
	// Deeper than the depth at which cycle checks start, but no cycle.
	var l *list
	for i := range 3000 {
		l = &list{Val: i, Next: l}
	}
	got, err := JSON.Marshal(l)
	require.NoError(t, err)
	assert.Equal(t, string(stdMarshal(t, l)), string(got))

	var v any = "leaf"
	for range 2500 {
		v = []any{map[string]any{"k": v}}
	}
	got, err = JSON.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, string(stdMarshal(t, v)), string(got))

	// The same map twice, side by side, is not a cycle.
	shared := map[string]any{"a": 1}
	var w any = []any{shared, shared}
	for range 1200 {
		w = []any{w}
	}
	_, err = JSON.Marshal(w)
	assert.NoError(t, err)
}

func TestAppendMarshal(t *testing.T) {
	got, err := JSON.AppendMarshal([]byte("x="), map[string]int{"a": 1})
	require.NoError(t, err)
	assert.Equal(t, `x={"a":1}`, string(got))

	dst := []byte("keep")
	got, err = JSON.AppendMarshal(dst, make(chan int))
	assert.Error(t, err)
	assert.Equal(t, "keep", string(got))
}

func TestMarshalIsSafeForConcurrentUse(t *testing.T) {
	type payload struct {
		ID   int               `json:"id"`
		Tags []string          `json:"tags"`
		Bin  []byte            `json:"bin"`
		Meta map[string]string `json:"meta"`
	}
	want, err := JSON.Marshal(payload{1, []string{"a"}, []byte{1}, map[string]string{"k": "v"}})
	require.NoError(t, err)
	done := make(chan []byte)
	for range 8 {
		go func() {
			var last []byte
			for range 200 {
				last, _ = JSON.Marshal(payload{1, []string{"a"}, []byte{1}, map[string]string{"k": "v"}})
			}
			done <- last
		}()
	}
	for range 8 {
		assert.Equal(t, string(want), string(<-done))
	}
}

func TestAppendJSFloat(t *testing.T) {
	tests := []struct {
		f    float64
		bits int
		want string
	}{
		{0, 64, "0"},
		{1, 64, "1"},
		{-1.5, 64, "-1.5"},
		{1e21, 64, "1e+21"},
		{1.5e300, 64, "1.5e+300"},
		{999999999999999900000, 64, "999999999999999900000"},
		{1e-6, 64, "0.000001"},
		{1.2e-7, 64, "1.2e-7"},
		{5e-324, 64, "5e-324"},
		{123e-20, 64, "1.23e-18"},
		{float64(float32(0.1)), 32, "0.1"},
		{float64(float32(1e-7)), 32, "1e-7"},
		{float64(float32(1e21)), 32, "1e+21"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendJSFloat(nil, tt.f, tt.bits)), "%v", tt.f)
	}
}
