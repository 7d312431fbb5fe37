package codec

// DecodeFrame decodes one inbound frame as the JavaScript client does (see
// JSONCodec). It validates the whole frame as strict JSON in the same pass
// that finds the packets, so a frame that JSON.parse would reject is one raw
// packet however far in the error sits. An empty array yields no packets.
// The channel and value of #publish and #kickOut are read in the same pass
// (Packet.HasChannel), so a channel message's payload is scanned once.
// Event and channel names are the only allocations, and the reserved and
// recently seen names do not allocate at all.
func (JSONCodec) DecodeFrame(dst []Packet, frame []byte) []Packet {
	n0 := len(dst)
	i := skipSpace(frame, 0)
	if i >= len(frame) {
		return append(dst, Packet{})
	}
	switch frame[i] {
	case '{':
		dst = append(dst, Packet{})
		i = decodePacket(frame, i, 0, &dst[len(dst)-1])
	case '[':
		dst, i = decodeBatch(dst, frame, i)
	default:
		return append(dst, Packet{})
	}
	if i < 0 || skipSpace(frame, i) != len(frame) {
		clear(dst[n0:])
		return append(dst[:n0], Packet{})
	}
	return dst
}

// decodeBatch reads the array at b[i], appending one packet per element.
func decodeBatch(dst []Packet, b []byte, i int) ([]Packet, int) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return dst, i + 1
	}
	for {
		if i >= len(b) {
			return dst, -1
		}
		dst = append(dst, Packet{})
		if b[i] == '{' {
			i = decodePacket(b, i, 1, &dst[len(dst)-1])
		} else {
			i = skipValue(b, i, 1)
		}
		if i < 0 {
			return dst, -1
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return dst, -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return dst, i + 1
		default:
			return dst, -1
		}
	}
}

// Keys of a packet object that matter to the client.
const (
	keyOther = iota
	keyEvent
	keyCID
	keyRID
	keyData
	keyError
)

// packetKey identifies a key from its content between the quotes.
func packetKey(s []byte, escaped bool) int {
	if escaped {
		if len(s) > 64 {
			return keyOther
		}
		var buf [64]byte
		s = appendUnescaped(buf[:0], s)
	}
	switch string(s) {
	case "event":
		return keyEvent
	case "cid":
		return keyCID
	case "rid":
		return keyRID
	case "data":
		return keyData
	case "error":
		return keyError
	}
	return keyOther
}

// decodePacket reads the object at b[i] and classifies it into p. depth is
// the number of containers around the object. Values are sliced from b
// with their capacity capped, so appending to them cannot touch the frame.
func decodePacket(b []byte, i int, depth int, p *Packet) int {
	var event, cid, rid, data, errv []byte // the last value of each key
	// The members of an object "data", for #publish and #kickOut, noted
	// while it is scanned so that it is not read twice.
	members := channelMembers{keys: [2]string{"data", "message"}}
	dataIsObject := false
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1 // {} is raw
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		end, escaped := scanString(b, i)
		if end < 0 {
			return -1
		}
		key := packetKey(b[i+1:end-1], escaped)
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return -1
		}
		vs := skipSpace(b, i+1)
		var ve int
		if key == keyData && vs < len(b) && b[vs] == '{' && mayCarryChannel(event, rid) {
			members = channelMembers{keys: members.keys}
			ve = members.scan(b, vs, depth+1)
			dataIsObject = true
		} else {
			ve = skipValue(b, vs, depth+1)
			if key == keyData {
				dataIsObject = false
			}
		}
		if ve < 0 {
			return -1
		}
		switch v := b[vs:ve:ve]; key {
		case keyEvent:
			event = v
		case keyCID:
			cid = v
		case keyRID:
			rid = v
		case keyData:
			data = v
		case keyError:
			errv = v
		}
		i = skipSpace(b, ve)
		if i >= len(b) {
			return -1
		}
		if b[i] == '}' {
			i++
			break
		}
		if b[i] != ',' {
			return -1
		}
		i = skipSpace(b, i+1)
	}

	if event != nil && event[0] == '"' {
		p.Event = decodeString(event[1 : len(event)-1])
		p.Data = data
		if dataIsObject {
			switch p.Event {
			case "#publish":
				p.Channel, p.Value, p.HasChannel = members.result(0)
			case "#kickOut":
				p.Channel, p.Value, p.HasChannel = members.result(1)
			}
		}
		if n, ok := parseID(cid); ok {
			p.Kind = KindRequest
			p.CID = n
		} else {
			p.Kind = KindEvent
		}
	} else if n, ok := parseID(rid); ok {
		p.Kind = KindResponse
		p.RID = n
		p.Data = data
		p.Error = errv
	}
	return i
}

// mayCarryChannel reports whether a "data" object met after the packet's
// event and rid so far (nil when not seen yet) may be the data of #publish
// or #kickOut, and so is worth noting members of. An escaped spelling of
// those names is left to DecodeChannelData.
func mayCarryChannel(event, rid []byte) bool {
	if event == nil {
		return rid == nil
	}
	return string(event) == `"#publish"` || string(event) == `"#kickOut"`
}

// parseID returns the value of a call id: a JSON number (already checked
// by scanNumber) whose exact value is an integer in the int64 range. Any
// other value, including nil (absent), is not an id.
func parseID(v []byte) (int64, bool) {
	if len(v) == 0 || v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return 0, false
	}
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || v[0] < '0' || v[0] > '9' {
		return 0, false
	}
	if len(v) <= 18 { // the usual case: a plain integer that cannot overflow
		var n int64
		i := 0
		for ; i < len(v) && '0' <= v[i] && v[i] <= '9'; i++ {
			n = n*10 + int64(v[i]-'0')
		}
		if i == len(v) {
			if neg {
				n = -n
			}
			return n, true
		}
	}
	// The value is mant × 10^exp. mant never ends in a zero digit: zeros
	// are held back in zeros until a non-zero digit follows, so a negative
	// final exponent with a non-zero mant means a fraction.
	var mant uint64
	zeros, exp := 0, 0
	overflow := false
	i := 0
	addDigit := func(d byte) {
		if d == '0' {
			zeros++
			return
		}
		for ; zeros > 0; zeros-- {
			if mant > (1<<64-1)/10 {
				overflow = true
			}
			mant *= 10
		}
		if mant > (1<<64-1-9)/10 {
			overflow = true
		}
		mant = mant*10 + uint64(d-'0')
	}
	for ; i < len(v) && '0' <= v[i] && v[i] <= '9'; i++ {
		addDigit(v[i])
	}
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && '0' <= v[i] && v[i] <= '9'; i++ {
			addDigit(v[i])
			exp--
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		eneg := false
		if v[i] == '+' || v[i] == '-' {
			eneg = v[i] == '-'
			i++
		}
		// Once the exponent is larger than the number of digits could
		// ever make up for, its exact size no longer matters.
		e, limit := 0, len(v)+100
		for ; i < len(v); i++ {
			if e <= limit {
				e = e*10 + int(v[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if mant == 0 && !overflow {
		return 0, true // zero in any spelling, including -0
	}
	if overflow {
		return 0, false // ≥ 2^64 if integral, else fractional
	}
	exp += zeros
	if exp < 0 {
		return 0, false
	}
	for ; exp > 0; exp-- {
		if mant > (1<<63)/10 {
			return 0, false
		}
		mant *= 10
	}
	if neg {
		if mant > 1<<63 {
			return 0, false
		}
		return -int64(mant), true
	}
	if mant > 1<<63-1 {
		return 0, false
	}
	return int64(mant), true
}
