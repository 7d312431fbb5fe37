package codec

import "errors"

var errInvalidJSON = errors.New("codec: invalid JSON")

// appendCompact appends the JSON value in src to dst without insignificant
// whitespace. String contents are copied untouched. It fails, leaving dst
// unchanged, when src is not exactly one valid JSON value.
func appendCompact(dst, src []byte) ([]byte, error) {
	if !validJSON(src) {
		return dst, errInvalidJSON
	}
	start := 0
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '"':
			i, _ = scanString(src, i)
		case isSpace(c):
			dst = append(dst, src[start:i]...)
			i++
			for i < len(src) && isSpace(src[i]) {
				i++
			}
			start = i
		default:
			i++
		}
	}
	return append(dst, src[start:]...), nil
}
