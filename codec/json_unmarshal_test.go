package codec

import (
	"encoding/json"
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// The string fast path must agree with encoding/json on every input.
func TestUnmarshalStringFastPathMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`"plain"`, `""`, ` "spaced" `, `"esc\"aped\\ \/ \b\f\n\r\t"`, `"\u00e9\u2028 \ud83d\ude00"`,
		`"lone \ud800 surrogate"`, "\"bad \xff utf8\"", `"caf\u00e9"`, `"x" 1`, `"unterminated`,
		`"ctl ` + "\x01" + `"`, `123`, `null`, `{"a":1}`, `["x"]`, `  `,
	}
	for _, in := range inputs {
		var got, want string
		gotErr := JSON.Unmarshal([]byte(in), &got)
		wantErr := json.Unmarshal([]byte(in), &want)
		require.Equal(t, wantErr == nil, gotErr == nil, "error mismatch for %q: %v vs %v", in, gotErr, wantErr)
		require.Equal(t, want, got, "value mismatch for %q", in)

		var shared string
		sharedErr := JSON.UnmarshalShared([]byte(in), &shared)
		require.Equal(t, wantErr == nil, sharedErr == nil, "shared: error mismatch for %q", in)
		require.Equal(t, want, shared, "shared: value mismatch for %q", in)

		var gotAny, wantAny any
		gotErr = JSON.Unmarshal([]byte(in), &gotAny)
		wantErr = json.Unmarshal([]byte(in), &wantAny)
		require.Equal(t, wantErr == nil, gotErr == nil, "any: error mismatch for %q", in)
		require.Equal(t, wantAny, gotAny, "any: value mismatch for %q", in)
	}
}

func FuzzUnmarshalString(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u00e9"`, `"\ud800"`, "\"\xff\"", `"a\nb"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, want string
		gotErr := JSON.Unmarshal(data, &got)
		wantErr := json.Unmarshal(data, &want)
		if (gotErr == nil) != (wantErr == nil) || got != want {
			t.Fatalf("%q: got %q, %v; encoding/json %q, %v", data, got, gotErr, want, wantErr)
		}
		var shared any
		sharedErr := JSON.UnmarshalShared(data, &shared)
		var wantAny any
		wantAnyErr := json.Unmarshal(data, &wantAny)
		if (sharedErr == nil) != (wantAnyErr == nil) || !reflect.DeepEqual(shared, wantAny) {
			t.Fatalf("%q: shared %#v, %v; encoding/json %#v, %v", data, shared, sharedErr, wantAny, wantAnyErr)
		}
	})
}

// UnmarshalShared hands out a plain literal's own bytes and copies only
// what it had to unescape; Unmarshal always copies.
func TestUnmarshalSharedStringMemory(t *testing.T) {
	plain := []byte(` "payload text" `)
	var s string
	require.NoError(t, JSON.UnmarshalShared(plain, &s))
	require.Equal(t, "payload text", s)
	require.Same(t, &plain[2], unsafe.StringData(s), "a plain literal is not copied")

	var a any
	require.NoError(t, JSON.UnmarshalShared(plain, &a))
	require.Same(t, &plain[2], unsafe.StringData(a.(string)), "a plain literal in an any is not copied")

	require.NoError(t, JSON.Unmarshal(plain, &s))
	require.NotSame(t, &plain[2], unsafe.StringData(s), "Unmarshal copies")

	roomy := append(make([]byte, 0, 256), `"short"`...)
	require.NoError(t, JSON.UnmarshalShared(roomy, &s))
	require.Equal(t, "short", s)
	require.NotSame(t, &roomy[1], unsafe.StringData(s), "a short string does not keep a large buffer alive")

	escaped := []byte(`"tab\there"`)
	require.NoError(t, JSON.UnmarshalShared(escaped, &s))
	require.Equal(t, "tab\there", s)
	require.NotSame(t, &escaped[1], unsafe.StringData(s), "an unescaped literal is new memory")

	invalid := []byte("\"bad \xff byte\"")
	require.NoError(t, JSON.UnmarshalShared(invalid, &s))
	require.Equal(t, "bad \ufffd byte", s)
	require.NotSame(t, &invalid[1], unsafe.StringData(s), "invalid UTF-8 is replaced in new memory")
}

func BenchmarkUnmarshalString1K(b *testing.B) {
	data := []byte(`"` + string(make([]byte, 0)) + repeatX(1024) + `"`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var s string
	for i := 0; i < b.N; i++ {
		if err := JSON.Unmarshal(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalSharedString1K(b *testing.B) {
	data := []byte(`"` + repeatX(1024) + `"`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var s string
	for i := 0; i < b.N; i++ {
		if err := JSON.UnmarshalShared(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}

func repeatX(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}
