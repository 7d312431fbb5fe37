package scclient

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// decodeTokenClaims decodes the payload of a signed JWT without verifying
// it, as the JavaScript client does. It returns nil when the token has no
// payload part or the payload is not a JSON object.
func decodeTokenClaims(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal([]byte(DecodeBase64(parts[1])), &claims) != nil {
		return nil
	}
	return claims
}

// EncodeBase64 encodes a UTF-8 string as standard base64 with padding.
func EncodeBase64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// DecodeBase64 decodes base64 leniently the way Node does: standard and
// URL-safe alphabets both work, padding is optional, other characters are
// skipped and decoding stops at the first '='. Invalid UTF-8 becomes U+FFFD.
func DecodeBase64(s string) string {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			i = len(s)
		case c == '-':
			clean = append(clean, '+')
		case c == '_':
			clean = append(clean, '/')
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1] // a lone trailing character carries no whole byte
	}
	out, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil {
		return ""
	}
	if !utf8.Valid(out) {
		return replaceInvalidUTF8(out)
	}
	return string(out)
}

// replaceInvalidUTF8 replaces each maximal invalid subsequence with one
// U+FFFD, as the WHATWG decoder (and so Node) does.
func replaceInvalidUTF8(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError || size > 1 {
			sb.WriteRune(r)
			b = b[size:]
			continue
		}
		sb.WriteRune(utf8.RuneError)
		b = b[maximalSubpart(b):]
	}
	return sb.String()
}

// maximalSubpart returns the length of the invalid sequence at the start of
// b that one U+FFFD replaces: a lead byte and as many continuation bytes as
// could still begin a valid sequence (Unicode Table 3-7), at least one byte.
func maximalSubpart(b []byte) int {
	lead := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead == 0xE0:
		need, lo = 2, 0xA0
	case lead == 0xED:
		need, hi = 2, 0x9F
	case lead >= 0xE1 && lead <= 0xEF:
		need = 2
	case lead == 0xF0:
		need, lo = 3, 0x90
	case lead == 0xF4:
		need, hi = 3, 0x8F
	case lead >= 0xF1 && lead <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for i := 0; i < need && n < len(b); i++ {
		c := b[n]
		if c < lo || c > hi {
			break
		}
		n++
		lo, hi = 0x80, 0xBF
	}
	return n
}
