package codec

// DecodeChannelData reads the channel name and the valueKey field from the
// data of a #publish or #kickOut event. data must be exactly one JSON
// object (surrounding whitespace allowed); anything else, or an object
// whose last "channel" is not a string, gives ok false. value aliases data,
// with its capacity capped. The channel name is interned, so a channel
// that is seen often costs no allocation.
func (JSONCodec) DecodeChannelData(data []byte, valueKey string) (channel string, value []byte, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return "", nil, false
	}
	var ch []byte
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return "", nil, false
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return "", nil, false
		}
		end, escaped := scanString(data, i)
		if end < 0 {
			return "", nil, false
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return "", nil, false
		}
		vs := skipSpace(data, i+1)
		ve := skipValue(data, vs, 1)
		if ve < 0 {
			return "", nil, false
		}
		if equalUnescaped(key, escaped, "channel") {
			ch = data[vs:ve]
		}
		if equalUnescaped(key, escaped, valueKey) {
			value = data[vs:ve:ve]
		}
		i = skipSpace(data, ve)
		if i >= len(data) {
			return "", nil, false
		}
		if data[i] == '}' {
			break
		}
		if data[i] != ',' {
			return "", nil, false
		}
		i = skipSpace(data, i+1)
	}
	if skipSpace(data, i+1) != len(data) || ch == nil || ch[0] != '"' {
		return "", nil, false
	}
	return decodeString(ch[1 : len(ch)-1]), value, true
}
