package codec

import (
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
