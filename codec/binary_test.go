package codec

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBinaryMarshal(t *testing.T) {
	b, err := json.Marshal(Binary("hi"))
	require.NoError(t, err)
	assert.Equal(t, `{"base64":true,"data":"aGk="}`, string(b))

	b, err = json.Marshal(struct{ B Binary }{})
	require.NoError(t, err)
	assert.Equal(t, `{"B":null}`, string(b))

	b, err = JSON.Marshal(&struct{ B *Binary }{B: &Binary{0xff}})
	require.NoError(t, err)
	assert.Equal(t, `{"B":{"base64":true,"data":"/w=="}}`, string(b))
}

func TestBinaryUnmarshal(t *testing.T) {
	tests := []struct {
		name, in string
		want     Binary
	}{
		{"base64 object", `{"base64":true,"data":"aGk="}`, Binary("hi")},
		{"object with spaces and extra keys", ` { "data" : "AQID" , "x" : [1] , "base64" : true } `, Binary{1, 2, 3}},
		{"object with escaped data", `{"base64":true,"data":"aG\u0073="}`, Binary("hk")},
		{"empty data", `{"base64":true,"data":""}`, Binary{}},
		{"plain base64 string", `"aGk="`, Binary("hi")},
		{"unpadded base64 string", `"aGk"`, Binary("hi")},
		{"empty string", `""`, Binary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ B Binary }
			require.NoError(t, JSON.Unmarshal([]byte(`{"B":`+tt.in+`}`), &got))
			assert.Equal(t, tt.want, got.B)

			var direct Binary
			require.NoError(t, JSON.Unmarshal([]byte(tt.in), &direct))
			assert.Equal(t, tt.want, direct)
		})
	}
}

func TestBinaryUnmarshalNullKeepsValue(t *testing.T) {
	b := Binary("keep")
	require.NoError(t, json.Unmarshal([]byte(`null`), &b))
	assert.Equal(t, Binary("keep"), b)
	require.NoError(t, b.UnmarshalJSON([]byte(" null ")))
	assert.Equal(t, Binary("keep"), b)
}

func TestBinaryUnmarshalErrors(t *testing.T) {
	for _, in := range []string{
		`{"base64":true,"data":"!!!"}`,
		`"not base64!"`,
		`{"base64":false,"data":"AQID"}`,
		`{"base64":true}`,
		`{"base64":true,"data":5}`,
		`{"data":"AQID"}`,
		`[1,2]`,
		`12`,
		`true`,
		`"unterminated`,
		`{"base64":true,"data":"AQID"`,
	} {
		t.Run(in, func(t *testing.T) {
			b := Binary("keep")
			assert.Error(t, b.UnmarshalJSON([]byte(in)))
			assert.Equal(t, Binary("keep"), b)
		})
	}
}

func TestBinaryRoundTripThroughTheCodec(t *testing.T) {
	type msg struct {
		Name string `json:"name"`
		File Binary `json:"file"`
	}
	in := msg{Name: "f", File: Binary{0, 1, 2, 250, 251, 252, 253, 254, 255}}
	data, err := JSON.Marshal(in)
	require.NoError(t, err)
	var out msg
	require.NoError(t, JSON.Unmarshal(data, &out))
	assert.Equal(t, in, out)
}

func TestUnmarshalIntoBytes(t *testing.T) {
	var b []byte
	require.NoError(t, JSON.Unmarshal([]byte(`{"base64":true,"data":"aGk="}`), &b))
	assert.Equal(t, []byte("hi"), b)

	require.NoError(t, JSON.Unmarshal([]byte(`"AQID"`), &b), "the encoding/json form still works")
	assert.Equal(t, []byte{1, 2, 3}, b)

	assert.Error(t, JSON.Unmarshal([]byte(`{"base64":true,"data":"%%"}`), &b))
	assert.Error(t, JSON.Unmarshal([]byte(`{"other":1}`), &b))

	// Round trip of Marshal's own output.
	data, err := JSON.Marshal([]byte{9, 8, 7})
	require.NoError(t, err)
	require.NoError(t, JSON.Unmarshal(data, &b))
	assert.Equal(t, []byte{9, 8, 7}, b)
}

func TestUnmarshalFollowsEncodingJSON(t *testing.T) {
	var v struct {
		A int            `json:"a"`
		M map[string]any `json:"m"`
	}
	require.NoError(t, JSON.Unmarshal([]byte(`{"a":1,"m":{"b":{"base64":true,"data":"AQID"}}}`), &v))
	assert.Equal(t, 1, v.A)
	assert.Equal(t, map[string]any{"b": map[string]any{"base64": true, "data": "AQID"}}, v.M,
		"the base64 object stays an object where the target does not ask for bytes")

	var n int
	assert.Error(t, JSON.Unmarshal([]byte(`"x"`), &n))
	assert.Error(t, JSON.Unmarshal(nil, &n))
}
