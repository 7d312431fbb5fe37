package codec

import (
	"encoding/json"
	"unicode/utf8"
	"unsafe"
)

// Unmarshal decodes data into v with the rules of encoding/json. Binary
// values, anywhere in v, also accept sc-formatter's base64 object; a plain
// []byte accepts it only when it is the whole of v (v is a *[]byte), and
// elsewhere needs the base64 string encoding/json expects.
//
// A JSON string decoded into a *string or an *any takes a fast path that
// reads the literal once instead of validating and then unquoting it, and
// so does an object decoded into a struct whose members are all strings,
// booleans, numbers or empty interfaces.
func (JSONCodec) Unmarshal(data []byte, v any) error { return unmarshalJSON(data, v, false) }

// UnmarshalShared decodes like Unmarshal, except that a string literal
// without escapes decoded into a *string or an *any shares data's memory
// instead of being copied, when it takes up at least half of what data's
// capacity reaches (so a short string does not keep a large buffer alive;
// memory beyond that capacity, such as a block data is one part of, is the
// caller's to account for). data must never be modified afterwards.
func (JSONCodec) UnmarshalShared(data []byte, v any) error { return unmarshalJSON(data, v, true) }

func unmarshalJSON(data []byte, v any, share bool) error {
	switch p := v.(type) {
	case *[]byte:
		if p != nil {
			out, isObject, err := decodeBase64Object(data)
			if err != nil {
				return err
			}
			if isObject {
				*p = out
				return nil
			}
		}
	case *string:
		if s, ok := stringLiteral(data, share); ok && p != nil {
			*p = s
			return nil
		}
	case *any:
		if s, ok := stringLiteral(data, share); ok && p != nil {
			*p = s
			return nil
		}
	}
	if decodeFlatStruct(data, v) {
		return nil
	}
	return json.Unmarshal(data, v)
}

// stringLiteral returns the text of data when data is exactly one JSON
// string (surrounding whitespace allowed); ok is false for anything else,
// which then takes the general path. With share, text that needs no
// unescaping and makes up at least half of data's capacity is returned in
// data's own memory.
func stringLiteral(data []byte, share bool) (string, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '"' {
		return "", false
	}
	end, escaped := scanString(data, i)
	if end < 0 || skipSpace(data, end) != len(data) {
		return "", false
	}
	content := data[i+1 : end-1]
	return stringText(content, escaped, share && len(content) >= cap(data)/2), true
}

// stringText is the text of a string literal's content: content itself
// when it needs no unescaping (in content's own memory with share, else
// copied), otherwise a fresh unescaped copy.
func stringText(content []byte, escaped, share bool) string {
	if !escaped && utf8.Valid(content) {
		if share && len(content) > 0 {
			return unsafe.String(&content[0], len(content))
		}
		return string(content)
	}
	return string(appendUnescaped(make([]byte, 0, len(content)), content))
}
