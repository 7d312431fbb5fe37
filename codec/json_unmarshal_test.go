package codec

import (
	"encoding/json"
	"testing"

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
	})
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

func repeatX(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}
