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
		return strings.ToValidUTF8(string(out), "\uFFFD")
	}
	return string(out)
}
