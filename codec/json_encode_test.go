package codec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodePacket(t *testing.T) {
	tests := []struct {
		name string
		p    Packet
		want string
	}{
		{"transmit", Packet{Kind: KindEvent, Event: "chat", Data: []byte(`"hi"`)}, `{"event":"chat","data":"hi"}`},
		{"transmit without data", Packet{Kind: KindEvent, Event: "x"}, `{"event":"x"}`},
		{"empty data is left out", Packet{Kind: KindEvent, Event: "x", Data: []byte{}}, `{"event":"x"}`},
		{"event with cid", Packet{Kind: KindEvent, Event: "x", CID: 2}, `{"event":"x","cid":2}`},
		{"request", Packet{Kind: KindRequest, Event: "echo", Data: []byte(`[1]`), CID: 42}, `{"event":"echo","data":[1],"cid":42}`},
		{"request with zero cid", Packet{Kind: KindRequest, Event: "echo"}, `{"event":"echo"}`},
		{"escaped name", Packet{Kind: KindEvent, Event: "a\"\\\n\x01<&>\u2028é"}, "{\"event\":\"a\\\"\\\\\\n\\u0001<&>\u2028é\"}"},
		{"invalid UTF-8 name", Packet{Kind: KindEvent, Event: "a\xffb"}, "{\"event\":\"a\uFFFDb\"}"},
		{"response fields only", Packet{Kind: KindResponse, RID: 7, Event: "ignored", CID: 9, Data: []byte(`1`)}, `{"rid":7,"data":1}`},
		{"response without data", Packet{Kind: KindResponse, RID: 3}, `{"rid":3}`},
		{"error response", Packet{Kind: KindResponse, RID: 3, Error: []byte(`{"name":"E"}`)}, `{"rid":3,"error":{"name":"E"}}`},
		{"data and error", Packet{Kind: KindResponse, RID: -1, Data: []byte(`1`), Error: []byte(`false`)}, `{"rid":-1,"data":1,"error":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON.EncodePacket([]byte("prefix:"), &tt.p)
			require.NoError(t, err)
			assert.Equal(t, "prefix:"+tt.want, string(got))
		})
	}
}

func TestEncodePacketRejectsPacketsWithoutShape(t *testing.T) {
	dst := []byte("keep")
	got, err := JSON.EncodePacket(dst, &Packet{Kind: KindRaw})
	assert.ErrorContains(t, err, "raw")
	assert.Equal(t, "keep", string(got))

	_, err = JSON.EncodePacket(nil, &Packet{Kind: Kind(99)})
	assert.Error(t, err)
	_, err = JSON.EncodePacket(nil, nil)
	assert.Error(t, err)
}

func TestEncodeBatch(t *testing.T) {
	got, err := JSON.EncodeBatch(nil, []Packet{
		{Kind: KindRequest, Event: "#subscribe", Data: []byte(`{"channel":"foo"}`), CID: 2},
		{Kind: KindEvent, Event: "foo", Data: []byte(`1`)},
		{Kind: KindResponse, RID: 5},
	})
	require.NoError(t, err)
	assert.Equal(t, `[{"event":"#subscribe","data":{"channel":"foo"},"cid":2},{"event":"foo","data":1},{"rid":5}]`, string(got))

	got, err = JSON.EncodeBatch([]byte("x"), nil)
	require.NoError(t, err)
	assert.Equal(t, "x[]", string(got))

	got, err = JSON.EncodeBatch([]byte("keep"), []Packet{{Kind: KindEvent, Event: "a"}, {}})
	assert.ErrorContains(t, err, "element 1")
	assert.Equal(t, "keep", string(got))
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	in := []Packet{
		{Kind: KindRequest, Event: "a\"b\\c\u2028\x00😀", Data: []byte(`{"k":[1,"2"]}`), CID: 1 << 40},
		{Kind: KindEvent, Event: "#publish", Data: []byte(`{"channel":"c","data":null}`), HasChannel: true, Channel: "c", Value: []byte(`null`)},
		{Kind: KindResponse, RID: 1, Data: []byte(`"ok"`)},
		{Kind: KindResponse, RID: 2, Error: []byte(`"bad"`)},
	}
	frame, err := JSON.EncodeBatch(nil, in)
	require.NoError(t, err)
	assert.Equal(t, in, JSON.DecodeFrame(nil, frame))

	for i := range in {
		frame, err := JSON.EncodePacket(nil, &in[i])
		require.NoError(t, err)
		assert.Equal(t, in[i:i+1], JSON.DecodeFrame(nil, frame))
	}
}

func TestEncodePacketDoesNotAllocate(t *testing.T) {
	p := Packet{Kind: KindRequest, Event: "#publish", Data: []byte(`{"channel":"c","data":"xxxxxxxxxxxxxxxxxxxxxxxx"}`), CID: 123456}
	r := Packet{Kind: KindResponse, RID: 99, Data: []byte(`{"ok":true}`), Error: []byte(`null`)}
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = JSON.EncodePacket(buf[:0], &p); err != nil {
			t.Fatal(err)
		}
		if buf, err = JSON.EncodePacket(buf[:0], &r); err != nil {
			t.Fatal(err)
		}
		if buf, err = JSON.EncodeBatch(buf[:0], []Packet{p, r}); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
