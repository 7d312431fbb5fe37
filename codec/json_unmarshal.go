package codec

import "encoding/json"

// Unmarshal decodes data into v with the rules of encoding/json. Binary
// values, anywhere in v, also accept sc-formatter's base64 object; a plain
// []byte accepts it only when it is the whole of v (v is a *[]byte), and
// elsewhere needs the base64 string encoding/json expects.
func (JSONCodec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*[]byte); ok && p != nil {
		out, isObject, err := decodeBase64Object(data)
		if err != nil {
			return err
		}
		if isObject {
			*p = out
			return nil
		}
	}
	return json.Unmarshal(data, v)
}
