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
	m := channelMembers{keys: [2]string{valueKey, valueKey}}
	end := m.scan(data, i, 0)
	if end < 0 || skipSpace(data, end) != len(data) {
		return "", nil, false
	}
	return m.result(0)
}

// channelMembers collects, from the first level of an object, the last
// "channel" value and the last values of two further keys: the data of
// #publish ("data") and of #kickOut ("message").
type channelMembers struct {
	keys    [2]string
	channel []byte
	values  [2][]byte
}

// scan reads the object whose opening brace is at b[i], as skipValue would
// with depth containers around it, noting the members. It returns the index
// just past the object, or -1 when it is not valid JSON.
func (m *channelMembers) scan(b []byte, i, depth int) int {
	if depth >= maxDepth {
		return -1
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		end, escaped := scanString(b, i)
		if end < 0 {
			return -1
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return -1
		}
		vs := skipSpace(b, i+1)
		ve := skipValue(b, vs, depth+1)
		if ve < 0 {
			return -1
		}
		m.note(key, escaped, b[vs:ve:ve])
		i = skipSpace(b, ve)
		if i >= len(b) {
			return -1
		}
		if b[i] == '}' {
			return i + 1
		}
		if b[i] != ',' {
			return -1
		}
		i = skipSpace(b, i+1)
	}
}

// note records v if key is one of the members looked for. Plain keys
// (the usual case) are compared directly; others are unescaped first.
func (m *channelMembers) note(key []byte, escaped bool, v []byte) {
	if !escaped && plainText(key) {
		if string(key) == "channel" {
			m.channel = v
		}
		if string(key) == m.keys[0] {
			m.values[0] = v
		}
		if string(key) == m.keys[1] {
			m.values[1] = v
		}
		return
	}
	if equalUnescaped(key, escaped, "channel") {
		m.channel = v
	}
	for k, want := range m.keys {
		if equalUnescaped(key, escaped, want) {
			m.values[k] = v
		}
	}
}

// result returns the channel name and the value of keys[k], with ok false
// when the object had no string "channel".
func (m *channelMembers) result(k int) (channel string, value []byte, ok bool) {
	ch := m.channel
	if ch == nil || ch[0] != '"' {
		return "", nil, false
	}
	return decodeString(ch[1 : len(ch)-1]), m.values[k], true
}
