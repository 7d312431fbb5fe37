package codec

import (
	"encoding/base64"
	"errors"
	"fmt"
)

// Binary is a byte slice that travels in sc-formatter's binary form,
// {"base64":true,"data":"<standard base64>"}, the shape a JavaScript peer
// produces for a Buffer or ArrayBuffer. Marshal already encodes every
// []byte that way; use Binary as a field or target type to receive binary
// data, since it decodes from that object as well as from a plain base64
// string (the encoding/json form of []byte).
type Binary []byte

// MarshalJSON returns the base64 object, or null for a nil Binary.
func (b Binary) MarshalJSON() ([]byte, error) {
	return appendBase64Object(nil, b), nil
}

// UnmarshalJSON accepts {"base64":true,"data":"..."} or a base64 string.
// null leaves b unchanged, like encoding/json does for slices' null.
func (b *Binary) UnmarshalJSON(data []byte) error {
	i := skipSpace(data, 0)
	if i < len(data) && data[i] == 'n' && validJSON(data) {
		return nil
	}
	if i < len(data) && data[i] == '"' {
		end, escaped := scanString(data, i)
		if end < 0 || skipSpace(data, end) != len(data) {
			return errors.New("codec: Binary: invalid JSON string")
		}
		out, err := decodeBase64(data[i+1:end-1], escaped)
		if err != nil {
			return err
		}
		*b = out
		return nil
	}
	out, ok, err := decodeBase64Object(data)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("codec: Binary: want a base64 string or {\"base64\":true,\"data\":...}, got %.40s", data)
	}
	*b = out
	return nil
}

// decodeBase64 decodes the content of a JSON string holding standard
// base64, padded or not.
func decodeBase64(s []byte, escaped bool) ([]byte, error) {
	if escaped {
		s = appendUnescaped(nil, s)
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(out, s)
	if err != nil {
		return nil, fmt.Errorf("codec: Binary: %w", err)
	}
	return out[:n], nil
}

// decodeBase64Object decodes data when it is an object with "base64": true
// and a string "data". ok is false when data is not such an object; err is
// set when it is one but its data is not valid base64.
func decodeBase64Object(data []byte) (out []byte, ok bool, err error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' || !validJSON(data) {
		return nil, false, nil
	}
	var flag, payload []byte
	payloadEscaped := false
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] == '"' {
		end, escaped := scanString(data, i)
		key := data[i+1 : end-1]
		vs := skipSpace(data, skipSpace(data, end)+1)
		ve := skipValue(data, vs, 1)
		switch {
		case equalUnescaped(key, escaped, "base64"):
			flag = data[vs:ve]
		case equalUnescaped(key, escaped, "data"):
			payload = data[vs:ve]
		}
		i = skipSpace(data, ve)
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	if string(flag) != "true" || len(payload) == 0 || payload[0] != '"' {
		return nil, false, nil
	}
	for _, c := range payload {
		if c == '\\' {
			payloadEscaped = true
			break
		}
	}
	out, err = decodeBase64(payload[1:len(payload)-1], payloadEscaped)
	return out, true, err
}
