package codec

import (
	"math"
	"strconv"
)

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// appendJSFloat appends f as JavaScript's Number#toString would, which is
// what JSON.stringify writes: the shortest digits that read back as f, plain
// notation from 1e-6 up to 1e21 and exponent notation outside, 0 for
// negative zero and null for NaN and the infinities. bits is 32 for a
// float32, whose shortest form is taken at single precision as
// encoding/json does.
func appendJSFloat(dst []byte, f float64, bits int) []byte {
	if !isFinite(f) {
		return append(dst, "null"...)
	}
	if f == 0 {
		return append(dst, '0')
	}
	abs := math.Abs(f)
	format := byte('f')
	if bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// Go pads the exponent to two digits (1e-07); JavaScript does not.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
