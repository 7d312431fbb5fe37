package codec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// scanString must agree with encoding/json on where a string ends and
// whether it is valid, around the places where quotes, backslashes and
// control characters meet.
func TestScanStringAgreesWithEncodingJSON(t *testing.T) {
	long := strings.Repeat("abcdefgh", 5)
	cases := []string{
		`""`, `"a"`, `"a\"b"`, `"\\"`, `"\\\""`, `"\\\\"`, `"a\"`, `"\"`, `"\`,
		`"\u0041"`, `"\u00"`, `"\u004G"`, `"\x"`, `"` + long + `\"` + long + `"`,
		`"` + long + "\x1f" + `"`, `"` + long + `\n` + long + "\x01" + `"`,
		`"` + long + `\"` + long, `"` + long + `\\` + `"`, "\"\x7f\xff\"",
		`"\"\"\"\""`, `"\/\b\f\n\r\t"`, `"a"b"`,
	}
	for _, c := range cases {
		end, _ := scanString([]byte(c), 0)
		var s string
		whole := json.Unmarshal([]byte(c), &s) == nil
		if whole != (end == len(c)) {
			// A valid prefix followed by more bytes is fine for the
			// scanner; only compare where the scanner claims the end.
			if end > 0 && end < len(c) && json.Valid([]byte(c[:end])) {
				continue
			}
			t.Errorf("%q: scanString end %d, encoding/json valid %v", c, end, whole)
		}
	}
}

// TestHasControlFindsEveryPosition puts one byte at every position of
// strings of every length around the 8- and 32-byte steps, on a background
// of bytes that are never control characters.
func TestHasControlFindsEveryPosition(t *testing.T) {
	for _, bg := range []byte{' ', 'a', 0x7f, 0x80, 0xff} {
		for n := 1; n <= 72; n++ {
			for pos := 0; pos < n; pos++ {
				for _, c := range []byte{0x00, 0x01, 0x0a, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0x9f, 0xff} {
					b := bytes.Repeat([]byte{bg}, n)
					b[pos] = c
					if got, want := hasControl(b), c < 0x20; got != want {
						t.Fatalf("hasControl(%d bytes of %#x with %#x at %d) = %v, want %v", n, bg, c, pos, got, want)
					}
				}
			}
		}
	}
}
