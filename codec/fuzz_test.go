package codec

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// addVectorSeeds adds every frame and every encoded value from the vectors
// to a fuzz corpus.
func addVectorSeeds(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Decode {
		f.Add([]byte(v.Frame))
	}
	for _, v := range vf.Encode {
		f.Add([]byte(v.Expected))
	}
}

// refDecodeFrame classifies a frame with encoding/json, following the
// protocol's rules directly. It is slow and simple on purpose.
func refDecodeFrame(frame []byte) []Packet {
	i := 0
	for i < len(frame) && strings.IndexByte(" \n\r\t", frame[i]) >= 0 {
		i++
	}
	if i == len(frame) || frame[i] != '{' && frame[i] != '[' || !json.Valid(frame) {
		return []Packet{{}}
	}
	if frame[i] == '{' {
		return []Packet{refPacket(frame)}
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(frame, &elems); err != nil {
		panic(err)
	}
	var out []Packet
	for _, e := range elems {
		if e[0] == '{' {
			out = append(out, refPacket(e))
		} else {
			out = append(out, Packet{})
		}
	}
	return out
}

func refPacket(obj []byte) Packet {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		panic(err)
	}
	if ev, ok := m["event"]; ok && ev[0] == '"' {
		p := Packet{Kind: KindEvent, Data: m["data"]}
		if err := json.Unmarshal(ev, &p.Event); err != nil {
			panic(err)
		}
		if n, ok := refID(m["cid"]); ok {
			p.Kind, p.CID = KindRequest, n
		}
		return p
	}
	if n, ok := refID(m["rid"]); ok {
		return Packet{Kind: KindResponse, RID: n, Data: m["data"], Error: m["error"]}
	}
	return Packet{}
}

// refID decides exactly, with big.Rat, whether a JSON value is a number
// with an integral value in the int64 range.
func refID(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false
	}
	s := string(raw)
	mant, exp := s, 0
	if k := strings.IndexAny(s, "eE"); k >= 0 {
		mant = s[:k]
		e, err := strconv.Atoi(s[k+1:])
		if err != nil || e > 2*len(s)+50 || e < -2*len(s)-50 {
			// An exponent this large decides the answer by itself.
			if strings.Trim(mant, "-0.") == "" {
				return 0, true
			}
			return 0, false
		}
		exp = e
	}
	r, ok := new(big.Rat).SetString(mant + "e" + strconv.Itoa(exp))
	if !ok {
		panic("bad number " + s)
	}
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

func samePackets(a, b []Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.Event != y.Event || x.CID != y.CID || x.RID != y.RID ||
			(x.Data == nil) != (y.Data == nil) || !bytes.Equal(x.Data, y.Data) ||
			(x.Error == nil) != (y.Error == nil) || !bytes.Equal(x.Error, y.Error) {
			return false
		}
	}
	return true
}

func FuzzDecodeFrame(f *testing.F) {
	addVectorSeeds(f)
	f.Add([]byte(`{"event":"x","cid":1e18,"data":[{"a":"\ud800"}]}`))
	f.Add([]byte(`[{"rid":-0.0e5},{"event":"\u0000","cid":9223372036854775807}]`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		got := JSON.DecodeFrame(nil, frame)
		want := refDecodeFrame(frame)
		if !samePackets(got, want) {
			t.Fatalf("frame %q\n got %+v\nwant %+v", frame, got, want)
		}
		for _, p := range got {
			checkChannelFields(t, p)
		}
	})
}

// checkChannelFields requires the channel fields DecodeFrame fills in one
// pass to match what DecodeChannelData reads from the packet's data. (They
// may be left unset, for the socket to read with DecodeChannelData.)
func checkChannelFields(t *testing.T, p Packet) {
	t.Helper()
	key := map[string]string{"#publish": "data", "#kickOut": "message"}[p.Event]
	if !p.HasChannel || key == "" || p.Kind != KindEvent && p.Kind != KindRequest {
		if p.HasChannel || p.Channel != "" || p.Value != nil {
			t.Fatalf("%+v: channel fields set without HasChannel or on a packet that is not #publish or #kickOut", p)
		}
		return
	}
	ch, v, ok := JSON.DecodeChannelData(p.Data, key)
	if !ok || p.Channel != ch || (p.Value == nil) != (v == nil) || !bytes.Equal(p.Value, v) {
		t.Fatalf("%+v: channel fields %v %q %q, DecodeChannelData %v %q %q", p, p.HasChannel, p.Channel, p.Value, ok, ch, v)
	}
	if len(p.Value) != cap(p.Value) {
		t.Fatalf("%+v: Value's capacity is not capped", p)
	}
}

func FuzzDecodeChannelData(f *testing.F) {
	f.Add([]byte(`{"channel":"c","data":{"x":1}}`), "data")
	f.Add([]byte(`{"channel":"c","message":"m"}`), "message")
	f.Add([]byte(` {"\u0063hannel":"\ud83d\ude00","data":null,"data":[]} `), "data")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		ch, v, ok := JSON.DecodeChannelData(data, key)

		var m map[string]json.RawMessage
		trimmed := bytes.TrimLeft(data, " \t\r\n")
		wantOK := len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(data, &m) == nil &&
			len(m["channel"]) > 0 && m["channel"][0] == '"'
		if ok != wantOK {
			t.Fatalf("%q: ok %v, want %v", data, ok, wantOK)
		}
		if !ok {
			return
		}
		var wantCh string
		if err := json.Unmarshal(m["channel"], &wantCh); err != nil {
			t.Fatal(err)
		}
		wantV, present := m[key]
		if ch != wantCh || (v != nil) != present || !bytes.Equal(v, wantV) {
			t.Fatalf("%q key %q: got %q %q, want %q %q", data, key, ch, v, wantCh, wantV)
		}
	})
}

// normalizeStd rewrites encoding/json output (HTML escaping off) into the
// JavaScript form: U+2028, U+2029 and U+FFFD unescaped, -0 written as 0.
func normalizeStd(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		c := b[i]
		if c == '"' {
			end, _ := scanString(b, i)
			s := b[i:end]
			for j := 0; j < len(s); j++ {
				if s[j] != '\\' {
					out = append(out, s[j])
					continue
				}
				if s[j+1] == 'u' {
					if r := hex4(s[j+2:]); r == 0x2028 || r == 0x2029 || r == 0xFFFD {
						out = utf8.AppendRune(out, r)
						j += 5
						continue
					}
				}
				out = append(out, s[j], s[j+1])
				j++
			}
			i = end
			continue
		}
		if c == '-' && i+1 < len(b) && b[i+1] == '0' && (i+2 == len(b) || strings.IndexByte(",]}", b[i+2]) >= 0) {
			out = append(out, '0')
			i += 2
			continue
		}
		out = append(out, c)
		i++
	}
	return out
}

func FuzzMarshalRoundTrip(f *testing.F) {
	addVectorSeeds(f)
	f.Add([]byte(`{"a":"\u2028\u2029<>&\ufffd\\u2028","b":[-0,-0.0,1e-7,1e21,0.1]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		got, err := JSON.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", v, err)
		}
		var back any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("Marshal produced invalid JSON %q: %v", got, err)
		}
		if !reflect.DeepEqual(v, back) {
			t.Fatalf("round trip of %q changed the value: %v → %v", data, v, back)
		}
		var std bytes.Buffer
		enc := json.NewEncoder(&std)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		want := normalizeStd(bytes.TrimSuffix(std.Bytes(), []byte("\n")))
		if !bytes.Equal(got, want) {
			t.Fatalf("Marshal(%q)\n got %s\nwant %s", data, got, want)
		}
	})
}

// refJSString is a plain, rune-at-a-time version of appendJSString.
func refJSString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xF])
		default:
			b.WriteRune(r) // RuneError for a bad byte writes U+FFFD
		}
	}
	b.WriteByte('"')
	return b.String()
}

func FuzzMarshalString(f *testing.F) {
	f.Add("plain")
	f.Add("a\"b\\c\x00\x1f\x7f<>&\u2028\u2029é😀\xff\xe6\x97")
	f.Add(strings.Repeat("abcdefg\n", 5))
	f.Fuzz(func(t *testing.T, s string) {
		got, err := JSON.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if want := refJSString(s); string(got) != want {
			t.Fatalf("Marshal(%q) = %s, want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("invalid JSON %q: %v", got, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("round trip of %q gave %q", s, back)
		}
		// The event name path must agree with the payload path.
		frame, err := JSON.EncodePacket(nil, &Packet{Kind: KindEvent, Event: s})
		if err != nil {
			t.Fatal(err)
		}
		if p := JSON.DecodeFrame(nil, frame); len(p) != 1 || p[0].Event != back {
			t.Fatalf("event %q came back as %+v", s, p)
		}
	})
}
