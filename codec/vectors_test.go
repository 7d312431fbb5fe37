package codec

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vectors are produced by testdata/codec/gen-vectors.js from the real
// sc-formatter; see that script for the input notation.
const vectorsPath = "../testdata/codec/vectors.json"

type vectorFile struct {
	Encode []encodeVector `json:"encode"`
	Decode []decodeVector `json:"decode"`
}

type encodeVector struct {
	Name     string           `json:"name"`
	Input    json.RawMessage  `json:"input"`
	Packet   map[string]any   `json:"packet"`
	Batch    []map[string]any `json:"batch"`
	Expected string           `json:"expected"`
}

type decodeVector struct {
	Name   string `json:"name"`
	Frame  string `json:"frame"`
	Result struct {
		Type  string `json:"type"`
		Value any    `json:"value"`
	} `json:"result"`
	Packets []map[string]any `json:"packets"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	raw, err := os.ReadFile(vectorsPath)
	require.NoError(t, err)
	var vf vectorFile
	require.NoError(t, json.Unmarshal(raw, &vf))
	require.NotEmpty(t, vf.Encode)
	require.NotEmpty(t, vf.Decode)
	return vf
}

// revive turns a vector's input description into the Go value that stands
// for the JavaScript one: buffers become []byte (array buffers Binary),
// tagged numbers become float64.
func revive(t testing.TB, x any) any {
	switch x := x.(type) {
	case map[string]any:
		if len(x) == 1 {
			if s, ok := x["$buffer"].(string); ok {
				b, err := base64.StdEncoding.DecodeString(s)
				require.NoError(t, err)
				return b
			}
			if s, ok := x["$arraybuffer"].(string); ok {
				b, err := base64.StdEncoding.DecodeString(s)
				require.NoError(t, err)
				return Binary(b)
			}
			if s, ok := x["$number"].(string); ok {
				switch s {
				case "NaN":
					return math.NaN()
				case "Infinity":
					return math.Inf(1)
				case "-Infinity":
					return math.Inf(-1)
				case "-0":
					return math.Copysign(0, -1)
				}
				t.Fatalf("unknown $number %q", s)
			}
		}
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = revive(t, v)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = revive(t, v)
		}
		return out
	}
	return x
}

// packetFromVector builds the outbound Packet a vector describes.
func packetFromVector(t testing.TB, d map[string]any) Packet {
	var p Packet
	if ev, ok := d["event"].(string); ok {
		p.Kind = KindEvent
		p.Event = ev
		if cid, ok := d["cid"].(float64); ok {
			p.Kind = KindRequest
			p.CID = int64(cid)
		}
	} else {
		p.Kind = KindResponse
		p.RID = int64(d["rid"].(float64))
	}
	marshal := func(key string) []byte {
		v, ok := d[key]
		if !ok {
			return nil
		}
		b, err := JSON.Marshal(revive(t, v))
		require.NoError(t, err)
		return b
	}
	p.Data = marshal("data")
	p.Error = marshal("error")
	return p
}

func TestVectorsEncode(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Encode {
		t.Run(v.Name, func(t *testing.T) {
			var got []byte
			var err error
			switch {
			case v.Packet != nil:
				p := packetFromVector(t, v.Packet)
				got, err = JSON.EncodePacket(nil, &p)
			case v.Batch != nil:
				ps := make([]Packet, len(v.Batch))
				for i, d := range v.Batch {
					ps[i] = packetFromVector(t, d)
				}
				got, err = JSON.EncodeBatch(nil, ps)
			default:
				var desc any
				require.NoError(t, json.Unmarshal(v.Input, &desc))
				got, err = JSON.Marshal(revive(t, desc))
			}
			require.NoError(t, err)
			assert.Equal(t, v.Expected, string(got))
		})
	}
}

// goID returns how this codec reads a call id that JavaScript read as the
// number f: only integers in the int64 range count.
func goID(f float64) (int64, bool) {
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

func TestVectorsDecode(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Decode {
		t.Run(v.Name, func(t *testing.T) {
			got := JSON.DecodeFrame(nil, []byte(v.Frame))
			if v.Result.Type == "string" {
				require.Equal(t, []Packet{{}}, got, "sc-formatter returns the frame as a string: one raw packet")
				return
			}
			require.Equal(t, "json", v.Result.Type)
			require.Len(t, got, len(v.Packets))
			for i, want := range v.Packets {
				checkDecodedPacket(t, want, got[i])
			}
		})
	}
}

func checkDecodedPacket(t *testing.T, want map[string]any, got Packet) {
	t.Helper()
	kind := want["kind"].(string)
	switch kind {
	case "request":
		if _, ok := goID(want["cid"].(float64)); !ok {
			kind = "event" // a fractional or huge cid is not a call id here
		}
	case "response":
		if _, ok := goID(want["rid"].(float64)); !ok {
			kind = "raw"
		}
	}
	require.Equal(t, kind, got.Kind.String())
	if kind == "raw" {
		assert.Equal(t, Packet{}, got)
		return
	}
	if kind == "event" || kind == "request" {
		assert.Equal(t, want["event"], got.Event)
	}
	if kind == "request" {
		assert.Equal(t, want["cid"], float64(got.CID))
	}
	if kind == "response" {
		assert.Equal(t, want["rid"], float64(got.RID))
		checkValue(t, "error", want, got.Error)
	} else {
		assert.Nil(t, got.Error)
	}
	checkValue(t, "data", want, got.Data)
}

// checkValue compares an encoded value sliced from a frame with the value
// JSON.parse produced.
func checkValue(t *testing.T, key string, want map[string]any, got []byte) {
	t.Helper()
	w, present := want[key]
	if !present {
		assert.Nil(t, got, key)
		return
	}
	require.NotNil(t, got, key)
	var g any
	require.NoError(t, json.Unmarshal(got, &g), key)
	assert.True(t, reflect.DeepEqual(w, g), "%s: want %v, got %v (%s)", key, w, g, got)
}
