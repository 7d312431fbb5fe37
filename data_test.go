package scclient

import (
	"testing"
	"unsafe"

	"github.com/socketcluster-go/scclient/codec"
	"github.com/stretchr/testify/require"
)

// onlyUnmarshal hides every method of a codec but those of codec.Codec.
type onlyUnmarshal struct{ codec.Codec }

// prefixingCodec is built on the JSON codec but decodes strings its own way.
type prefixingCodec struct{ codec.JSONCodec }

func (prefixingCodec) Unmarshal(data []byte, v any) error {
	if err := codec.JSON.Unmarshal(data, v); err != nil {
		return err
	}
	if p, ok := v.(*string); ok {
		*p = "own:" + *p
	}
	return nil
}

// A received payload is never modified, so decoding a plain string from it
// shares its memory when the codec can; other codecs copy.
func TestDataDecodeSharesStringsWhenTheCodecCan(t *testing.T) {
	raw := []byte(`"channel message"`)

	var s string
	require.NoError(t, Data{raw: raw, codec: codec.JSON}.Decode(&s))
	require.Equal(t, "channel message", s)
	require.Same(t, &raw[1], unsafe.StringData(s))

	require.NoError(t, Data{raw: raw}.Decode(&s), "no codec means JSON")
	require.Same(t, &raw[1], unsafe.StringData(s))

	require.NoError(t, Data{raw: raw, codec: onlyUnmarshal{codec.JSON}}.Decode(&s))
	require.Equal(t, "channel message", s)
	require.NotSame(t, &raw[1], unsafe.StringData(s))

	require.NoError(t, Data{raw: raw, codec: prefixingCodec{}}.Decode(&s))
	require.Equal(t, "own:channel message", s, "a codec built on JSON keeps its own Unmarshal")

	var v struct{ A int }
	require.NoError(t, Data{raw: []byte(`{"A":7}`), codec: codec.JSON}.Decode(&v))
	require.Equal(t, 7, v.A)

	var absent any = "unchanged"
	require.NoError(t, Data{codec: codec.JSON}.Decode(&absent))
	require.Nil(t, absent, "an absent payload decodes like null")
}
