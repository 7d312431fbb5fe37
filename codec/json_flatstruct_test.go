package codec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// flatAll has a member of every kind the flat-struct path decodes, tags
// of every sort, and fields it must leave alone.
type flatAll struct {
	S       string  `json:"s"`
	B       bool    `json:"b,omitempty"`
	I       int     `json:"i"`
	I8      int8    `json:"i8"`
	I64     int64   `json:"i64"`
	U8      uint8   `json:"u8"`
	U       uint    `json:"u"`
	F32     float32 `json:"f32"`
	F64     float64 `json:"f64"`
	Untag   string
	Skipped string `json:"-"`
	Dash    string `json:"-,"`
	Named   flatName
	A       any `json:"a"`
	private string
}

type flatName string

// flatEcho is the shape of an echo call's answer.
type flatEcho struct {
	Seq int    `json:"seq"`
	Msg string `json:"msg"`
}

// Types the fast path must leave to encoding/json.
type (
	notFlatNested struct {
		A flatEcho `json:"a"`
	}
	notFlatQuoted struct {
		N int `json:"n,string"`
	}
	notFlatEmbedded struct {
		flatEcho
		X int `json:"x"`
	}
	notFlatNumber struct {
		N json.Number `json:"n"`
	}
	notFlatBinary struct {
		B Binary `json:"b"`
	}
	notFlatFold struct {
		ID string
		Id string //nolint:revive // folds onto ID on purpose
	}
	notFlatUnicode struct {
		K string `json:"\u212a"` // the Kelvin sign folds onto k
	}
	notFlatSelf  flatEcho
	notFlatIface struct {
		A fmt.Stringer `json:"a"`
	}
	notFlatBadTag struct {
		Q string `json:"a\\b"` // a tag name encoding/json versions read differently
	}
)

func (n *notFlatSelf) UnmarshalJSON([]byte) error { n.Msg = "custom"; return nil }

// flatInputs covers members of every kind, keys matched in every way,
// type mismatches, bad syntax and values out of range.
var flatInputs = []string{
	`{}`, ` { } `, `null`, `[]`, `"x"`, `1`, ``, `{`, `{"s":"a"}x`, `{"s":"a"} {}`,
	`{"s":"hello","b":true,"i":-12,"i8":127,"i64":9007199254740993,"u8":255,"u":7,"f32":1.5,"f64":-2.5e-3}`,
	`{"S":"upper","B":false,"I":1}`, `{"untag":"folded","UNTAG":"again"}`, `{"Untag":"exact"}`,
	`{"Skipped":"no","-":"dash","Named":"n","private":"p"}`,
	`{"s":null,"b":null,"i":null,"f64":null}`,
	`{"s":"a","s":"b"}`, `{"i":1,"i":"x"}`, `{"i":"x","s":"after"}`,
	`{"i8":128}`, `{"i8":-129}`, `{"u8":256}`, `{"u":-1}`, `{"u":-0}`, `{"i":-0}`, `{"i":1.0}`, `{"i":1e2}`,
	`{"i":9223372036854775808}`, `{"f32":3.5e38}`, `{"f64":1e400}`, `{"f64":-0}`, `{"f64":01}`,
	`{"s":1}`, `{"s":true}`, `{"s":{}}`, `{"s":[]}`, `{"b":"true"}`, `{"b":1}`, `{"i":true}`, `{"i":"1"}`,
	`{"s":"esc\"aped \u00e9 \ud83d\ude00 \ud800"}`, "{\"s\":\"bad \xff utf8\"}", "{\"s\":\"ctl \x01\"}",
	`{"\u0073":"escaped key"}`, `{"\u017f":"long s key"}`, `{"k":"kelvin"}`, "{\"\xff\":1}",
	`{"other":{"deep":[1,2,{"x":null}]},"s":"after unknown"}`, `{"other":[1,}`, `{"s":"a",}`, `{"s" "a"}`,
	`{"seq":3,"msg":"hello"}`, `{"Seq":3,"MSG":"hello","extra":1}`, `{"seq":3.5}`,
	`{"a":{"seq":1}}`, `{"n":"12"}`, `{"n":12}`, `{"x":1,"seq":2}`, `{"b":"aGk="}`, `{"b":{"base64":true,"data":"aGk="}}`,
	`{"ID":"1","Id":"2","id":"3"}`, `{"a":"str"}`, `{"a":1}`, `{"a":null}`, `{"a":{"b":[1,"x",null,true]}}`,
	`{"a":"s\u00e9","a":2}`, `{"a":1e400}`, `{"A":[]}`,
}

// decodeBoth decodes in into fresh copies of start with the codec and
// with encoding/json and checks that they agree on the error and the
// value.
func decodeBoth[T any](t *testing.T, start T, in string) {
	t.Helper()
	got, want := start, start
	gotErr := JSON.Unmarshal([]byte(in), &got)
	wantErr := json.Unmarshal([]byte(in), &want)
	require.Equal(t, wantErr == nil, gotErr == nil, "%T %q: error %v, encoding/json %v", start, in, gotErr, wantErr)
	if wantErr != nil {
		require.Equal(t, wantErr.Error(), gotErr.Error(), "%T %q", start, in)
	}
	require.Equal(t, want, got, "%T %q", start, in)
	shared := start
	require.Equal(t, wantErr == nil, JSON.UnmarshalShared([]byte(in), &shared) == nil, "%T %q shared", start, in)
	require.Equal(t, want, shared, "%T %q shared", start, in)
}

func TestFlatStructMatchesEncodingJSON(t *testing.T) {
	prefilled := flatAll{S: "old", B: true, I: 5, F64: 9, Untag: "old", Skipped: "keep", Named: "old", private: "keep"}
	held := 0
	for _, in := range flatInputs {
		decodeBoth(t, flatAll{}, in)
		decodeBoth(t, prefilled, in)
		decodeBoth(t, flatAll{A: "held"}, in)
		decodeBoth(t, flatAll{A: &held}, in)
		decodeBoth(t, flatEcho{Seq: -1, Msg: "old"}, in)
		decodeBoth(t, notFlatNested{}, in)
		decodeBoth(t, notFlatQuoted{}, in)
		decodeBoth(t, notFlatEmbedded{}, in)
		decodeBoth(t, notFlatNumber{}, in)
		decodeBoth(t, notFlatBinary{}, in)
		decodeBoth(t, notFlatFold{}, in)
		decodeBoth(t, notFlatUnicode{}, in)
		decodeBoth(t, notFlatSelf{}, in)
		decodeBoth(t, notFlatIface{}, in)
		decodeBoth(t, notFlatBadTag{}, in)
	}
}

func TestFlatStructOnlyForFlatTypes(t *testing.T) {
	for _, v := range []any{flatAll{}, flatEcho{}, struct{}{}} {
		require.NotNil(t, flatStructOf(reflect.TypeOf(v)), "%T", v)
	}
	for _, v := range []any{
		notFlatNested{}, notFlatQuoted{}, notFlatEmbedded{}, notFlatNumber{}, notFlatBinary{},
		notFlatFold{}, notFlatUnicode{}, notFlatSelf{}, notFlatIface{}, notFlatBadTag{},
	} {
		require.Nil(t, flatStructOf(reflect.TypeOf(v)), "%T", v)
	}
	// The fast path really decodes the flat ones (a type the cache marks
	// as flat but that fell back every time would pass the test above).
	var e flatEcho
	require.True(t, decodeFlatStruct([]byte(`{"seq":7,"msg":"hi","more":[1]}`), &e))
	require.Equal(t, flatEcho{Seq: 7, Msg: "hi"}, e)
	require.False(t, decodeFlatStruct([]byte(`{"seq":"7"}`), &e), "a mismatch is left to encoding/json")
	require.False(t, decodeFlatStruct([]byte(`{"seq":7}`), e), "not a pointer")
	require.False(t, decodeFlatStruct([]byte(`{"seq":7}`), (*flatEcho)(nil)), "nil pointer")
}

func FuzzUnmarshalFlatStruct(f *testing.F) {
	for _, in := range flatInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		decodeBoth(t, flatAll{}, string(in))
		decodeBoth(t, flatAll{S: "old", I: 5, Untag: "old"}, string(in))
		decodeBoth(t, flatEcho{}, string(in))
		decodeBoth(t, notFlatFold{}, string(in))
	})
}

func BenchmarkUnmarshalFlatStruct(b *testing.B) {
	data := []byte(`{"seq":12345,"msg":"hello"}`)
	for _, dec := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"codec", JSON.Unmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(dec.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var e flatEcho
				if err := dec.unmarshal(data, &e); err != nil || e.Seq != 12345 {
					b.Fatal(err, e)
				}
			}
		})
	}
}

// The handshake reply, for the record of what the fast path saves on
// every connection.
func BenchmarkUnmarshalFlatHandshake(b *testing.B) {
	type status struct {
		ID              string `json:"id"`
		PingTimeout     int64  `json:"pingTimeout"`
		IsAuthenticated bool   `json:"isAuthenticated"`
	}
	data := []byte(`{"id":"L5iwckXJmJ2lbRU4AAAB","pingTimeout":20000,"isAuthenticated":false}`)
	b.ReportAllocs()
	for b.Loop() {
		var s status
		if err := JSON.Unmarshal(data, &s); err != nil || s.PingTimeout != 20000 {
			b.Fatal(err, strconv.Quote(s.ID))
		}
	}
}
