package codec

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeFrameShapes(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  []Packet
	}{
		{"event", `{"event":"a","data":[1]}`, []Packet{{Kind: KindEvent, Event: "a", Data: []byte(`[1]`)}}},
		{"request", `{"event":"a","cid":7}`, []Packet{{Kind: KindRequest, Event: "a", CID: 7}}},
		{"request with error key", `{"event":"a","cid":7,"error":1,"rid":2}`, []Packet{{Kind: KindRequest, Event: "a", CID: 7}}},
		{"response", `{"rid":3,"data":null,"error":{"m":1}}`, []Packet{{Kind: KindResponse, RID: 3, Data: []byte(`null`), Error: []byte(`{"m":1}`)}}},
		{"response with string event", `{"rid":3,"event":"e"}`, []Packet{{Kind: KindEvent, Event: "e"}}},
		{"negative ids", `[{"event":"a","cid":-5},{"rid":-9}]`, []Packet{{Kind: KindRequest, Event: "a", CID: -5}, {Kind: KindResponse, RID: -9}}},
		{"fractional cid", `{"event":"a","cid":0.5}`, []Packet{{Kind: KindEvent, Event: "a"}}},
		{"fractional rid", `{"rid":0.5}`, []Packet{{}}},
		{"huge rid", `{"rid":1e19}`, []Packet{{}}},
		{"boolean cid", `{"event":"a","cid":true}`, []Packet{{Kind: KindEvent, Event: "a"}}},
		{"empty array", `[]`, nil},
		{"spaced empty array", " [ \n] ", nil},
		{"raw element", `[{"event":"a"},true]`, []Packet{{Kind: KindEvent, Event: "a"}, {}}},
		{"no value after key", `{"event":}`, []Packet{{}}},
		{"no comma", `{"event":"a" "data":1}`, []Packet{{}}},
		{"control byte before object", "\x00{}", []Packet{{}}},
		{"invalid UTF-8 in event", "{\"event\":\"a\xffb\"}", []Packet{{Kind: KindEvent, Event: "a\uFFFDb"}}},
		{"invalid UTF-8 in data is kept", "{\"event\":\"a\",\"data\":\"\xff\"}", []Packet{{Kind: KindEvent, Event: "a", Data: []byte("\"\xff\"")}}},
		{"long escaped event", `{"event":"` + strings.Repeat(`\u00e9`, 40) + `"}`, []Packet{{Kind: KindEvent, Event: strings.Repeat("é", 40)}}},
		{"long escaped key is not event", `{"` + strings.Repeat(`\u0020`, 20) + `":"x"}`, []Packet{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, JSON.DecodeFrame(nil, []byte(tt.frame)))
		})
	}
}

func TestDecodeFrameAppendsToDst(t *testing.T) {
	dst := []Packet{{Kind: KindEvent, Event: "kept"}}
	dst = JSON.DecodeFrame(dst, []byte(`[{"event":"a"},{"rid":1}]`))
	require.Len(t, dst, 3)
	assert.Equal(t, "kept", dst[0].Event)
	assert.Equal(t, "a", dst[1].Event)
	assert.Equal(t, KindResponse, dst[2].Kind)
}

func TestDecodeFrameBrokenBatchLeavesOneRawPacket(t *testing.T) {
	dst := make([]Packet, 1, 8)
	dst[0] = Packet{Kind: KindEvent, Event: "kept"}
	dst = JSON.DecodeFrame(dst, []byte(`[{"event":"a","data":1},{"event":"b","data":2},{"event":]`))
	require.Len(t, dst, 2)
	assert.Equal(t, "kept", dst[0].Event)
	assert.Equal(t, Packet{}, dst[1])
	// The packets decoded before the error must not linger in the backing
	// array, where they would keep the frame alive.
	for _, p := range dst[2:cap(dst)] {
		assert.Equal(t, Packet{}, p)
	}
}

func TestDecodeFrameSlicesAliasFrameWithCappedCapacity(t *testing.T) {
	frame := []byte(`{"event":"a","data":{"x":1},"cid":1}`)
	p := JSON.DecodeFrame(nil, frame)[0]
	require.Equal(t, `{"x":1}`, string(p.Data))
	assert.Equal(t, len(p.Data), cap(p.Data))
	frame[22] = 'y'
	assert.Equal(t, `{"y":1}`, string(p.Data), "Data aliases the frame")
	_ = append(p.Data, '!')
	assert.Equal(t, byte(','), frame[27], "appending to Data must not write into the frame")
}

func deepArrays(n int) string {
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

func TestDecodeFrameDepthLimit(t *testing.T) {
	// The packet object is one level; its data may add maxDepth-1 more.
	ok := `{"event":"x","data":` + deepArrays(maxDepth-1) + `}`
	p := JSON.DecodeFrame(nil, []byte(ok))
	require.Len(t, p, 1)
	assert.Equal(t, KindEvent, p[0].Kind)

	tooDeep := `{"event":"x","data":` + deepArrays(maxDepth) + `}`
	assert.Equal(t, []Packet{{}}, JSON.DecodeFrame(nil, []byte(tooDeep)))

	okBatch := `[{"event":"x","data":` + deepArrays(maxDepth-2) + `}]`
	assert.Equal(t, KindEvent, JSON.DecodeFrame(nil, []byte(okBatch))[0].Kind)
	badBatch := `[{"event":"x","data":` + deepArrays(maxDepth-1) + `}]`
	assert.Equal(t, []Packet{{}}, JSON.DecodeFrame(nil, []byte(badBatch)))

	// Hostile nesting far past the limit is rejected without recursion.
	huge := `{"event":"x","data":` + strings.Repeat(`{"a":[`, 500000)
	assert.Equal(t, []Packet{{}}, JSON.DecodeFrame(nil, []byte(huge)))
}

func TestSkipValueDeepNestingOfMixedContainers(t *testing.T) {
	// More than 256 levels exercises the heap part of the container stack.
	var b strings.Builder
	for range 1000 {
		b.WriteString(`{"k":[`)
	}
	b.WriteString("1")
	for range 1000 {
		b.WriteString(`]}`)
	}
	s := b.String()
	assert.True(t, validJSON([]byte(s)))
	// Swapping one closing bracket must be caught at any depth.
	bad := []byte(s)
	bad[len(bad)-700] = '}'
	assert.False(t, validJSON(bad))
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"123456789012345678", 123456789012345678, true},
		{"1.0", 1, true},
		{"1.000000000000000000000000000000", 1, true},
		{"1e2", 100, true},
		{"1E+2", 100, true},
		{"100e-2", 1, true},
		{"0.1e1", 1, true},
		{"2.50e1", 25, true},
		{"1000000000000000000000000000000e-30", 1, true},
		{"0.0e999999999999", 0, true},
		{"0e-5", 0, true},
		{"1e18", 1e18, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"922337203685477580.7e1", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"1e19", 0, false},
		{"1e999999999999999999", 0, false},
		{"1.5", 0, false},
		{"25E-1", 0, false},
		{"1.0000000000000000000001", 0, false},
		{"123456789012345678901234567890e-29", 0, false},
		{"1e-999999999999999999", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-x", 0, false},
		{`"1"`, 0, false},
		{"true", 0, false},
		{"null", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseID([]byte(tt.in))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseIDAgreesWithStrconvOnIntegers(t *testing.T) {
	for _, n := range []int64{0, 1, 9, 10, 99, 1 << 31, 1<<53 + 1, math.MaxInt64 - 1, math.MaxInt64, math.MinInt64 + 1, math.MinInt64} {
		s := strconv.FormatInt(n, 10)
		got, ok := parseID([]byte(s))
		assert.True(t, ok, s)
		assert.Equal(t, n, got, s)
	}
}

func TestDecodeFrameEventNamesDoNotAllocate(t *testing.T) {
	frames := [][]byte{
		[]byte(`{"event":"#publish","data":{"channel":"c","data":1}}`),
		[]byte(`{"event":"#kickOut","data":{"channel":"c","message":1}}`),
		[]byte(`{"event":"#setAuthToken","data":{"token":"t"},"cid":1}`),
		[]byte(`{"event":"#removeAuthToken"}`),
		[]byte(`{"event":"chat","data":"repeated user event"}`),
		[]byte(`{"rid":12,"data":{"ok":true}}`),
		[]byte(`{"event":"\u0023publish","data":1}`),
		[]byte(`{"event":"caf\u00e9 \ud83d\ude00"}`),
		[]byte(`{"\u0065vent":"x","d\u0061ta":1}`),
	}
	dst := make([]Packet, 0, 4)
	for _, f := range frames {
		JSON.DecodeFrame(dst[:0], f) // warm the intern table
		allocs := testing.AllocsPerRun(100, func() {
			dst = JSON.DecodeFrame(dst[:0], f)
		})
		assert.Zero(t, allocs, "%s", f)
	}
}

func TestInternReturnsEqualStrings(t *testing.T) {
	a := intern([]byte("some-event"))
	b := intern([]byte("some-event"))
	assert.Equal(t, "some-event", a)
	assert.Equal(t, a, b)
	long := strings.Repeat("x", internMaxLen+1)
	assert.Equal(t, long, intern([]byte(long)))
	// Colliding names simply replace each other in the table.
	for i := range 3 * internSlots {
		s := "name-" + strconv.Itoa(i)
		require.Equal(t, s, intern([]byte(s)))
	}
}

func TestAppendUnescaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`\"\\\/\b\f\n\r\t`, "\"\\/\b\f\n\r\t"},
		{`\u0041\u00e9\u65e5`, "Aé日"},
		{`\ud83d\ude00`, "😀"},
		{`\uD83D\uDE00`, "😀"},
		{`\ud83d`, "\uFFFD"},
		{`\ud83dx`, "\uFFFDx"},
		{`\ud83d\u0041`, "\uFFFDA"},
		{`\ude00\ud83d`, "\uFFFD\uFFFD"},
		{`\ud83d\ud83d\ude00`, "\uFFFD😀"},
		{"a\xffb", "a\uFFFDb"},
		{"\xe6\x97", "\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendUnescaped(nil, []byte(tt.in))), tt.in)
	}
}
