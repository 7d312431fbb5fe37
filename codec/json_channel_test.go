package codec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeChannelData(t *testing.T) {
	tests := []struct {
		name, data, key string
		channel, value  string
		ok              bool
	}{
		{"publish", `{"channel":"foo","data":{"n":1}}`, "data", "foo", `{"n":1}`, true},
		{"kick out", `{"channel":"foo","message":"bye"}`, "message", "foo", `"bye"`, true},
		{"value first", `{"data":[1,2],"channel":"foo"}`, "data", "foo", `[1,2]`, true},
		{"value absent", `{"channel":"foo"}`, "data", "foo", "", true},
		{"null value", `{"channel":"foo","data":null}`, "data", "foo", "null", true},
		{"whitespace", " \n{ \"channel\" : \"foo\" , \"data\" : 1 }\t", "data", "foo", "1", true},
		{"escaped channel", `{"channel":"a\"b\u00e9\ud83d\ude00","data":1}`, "data", "a\"bé😀", "1", true},
		{"escaped keys", `{"\u0063hannel":"c","d\u0061ta":2}`, "data", "c", "2", true},
		{"duplicate channel last wins", `{"channel":"a","channel":"b"}`, "data", "b", "", true},
		{"duplicate value last wins", `{"channel":"a","data":1,"data":2}`, "data", "a", "2", true},
		{"invalid UTF-8 key matches U+FFFD", "{\"channel\":\"c\",\"\xff\":1}", "\uFFFD", "c", "1", true},
		{"invalid UTF-8 and escape in key", "{\"channel\":\"c\",\"\xff\\n\":2}", "\uFFFD\n", "c", "2", true},
		{"invalid UTF-8 value key never matches", "{\"channel\":\"c\",\"\xff\":1}", "\xff", "c", "", true},
		{"other keys ignored", `{"x":{"channel":"no"},"channel":"yes","data":0}`, "data", "yes", "0", true},
		{"empty channel", `{"channel":"","data":0}`, "data", "", "0", true},
		{"channel not a string", `{"channel":5,"data":1}`, "data", "", "", false},
		{"last channel not a string", `{"channel":"a","channel":null}`, "data", "", "", false},
		{"no channel", `{"data":1}`, "data", "", "", false},
		{"empty object", `{}`, "data", "", "", false},
		{"array", `[{"channel":"a"}]`, "data", "", "", false},
		{"string", `"channel"`, "data", "", "", false},
		{"empty", ``, "data", "", "", false},
		{"broken", `{"channel":"a","data":}`, "data", "", "", false},
		{"trailing garbage", `{"channel":"a"}x`, "data", "", "", false},
		{"unterminated", `{"channel":"a"`, "data", "", "", false},
		{"bad key", `{channel:"a"}`, "data", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, v, ok := JSON.DecodeChannelData([]byte(tt.data), tt.key)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.channel, ch)
			if tt.value == "" {
				assert.Nil(t, v)
			} else {
				assert.Equal(t, tt.value, string(v))
				assert.Equal(t, len(v), cap(v))
			}
		})
	}
}

func TestDecodeChannelDataDoesNotAllocateForKnownChannels(t *testing.T) {
	data := []byte(`{"channel":"prices","data":{"bid":1.5,"ask":1.6}}`)
	JSON.DecodeChannelData(data, "data")
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, ok := JSON.DecodeChannelData(data, "data"); !ok {
			t.Fatal("not decoded")
		}
	})
	assert.Zero(t, allocs)
}

// DecodeFrame reads the channel and value of #publish and #kickOut in the
// same pass as the frame, agreeing with DecodeChannelData.
func TestDecodeFrameFillsChannelFields(t *testing.T) {
	tests := []struct {
		name, frame    string
		has            bool
		channel, value string
	}{
		{"publish", `{"event":"#publish","data":{"channel":"c","data":{"n":[1,2]}}}`, true, "c", `{"n":[1,2]}`},
		{"kick out", `{"event":"#kickOut","data":{"channel":"c","message":"bye"}}`, true, "c", `"bye"`},
		{"publish ignores message", `{"event":"#publish","data":{"channel":"c","message":"m"}}`, true, "c", ""},
		{"event after data", `{"data":{"data":1,"channel":"c"},"event":"#publish"}`, true, "c", `1`},
		{"escaped keys", `{"event":"#publish","data":{"\u0063hannel":"\u00e9","d\u0061ta":2}}`, true, "é", `2`},
		{"last data wins", `{"event":"#publish","data":{"channel":"c","data":1},"data":"x"}`, false, "", ""},
		{"last data object wins", `{"event":"#publish","data":"x","data":{"channel":"d","data":3}}`, true, "d", `3`},
		{"channel not a string", `{"event":"#publish","data":{"channel":1,"data":2}}`, false, "", ""},
		{"no channel", `{"event":"#publish","data":{"data":2}}`, false, "", ""},
		{"other event", `{"event":"news","data":{"channel":"c","data":2}}`, false, "", ""},
		{"in a batch", `[{"rid":1},{"event":"#publish","data":{"channel":"c","data":"v"}}]`, true, "c", `"v"`},
		// Left to DecodeChannelData: an escaped event name, and an event
		// that changes after the data was read.
		{"escaped event", `{"event":"\u0023publish","data":{"channel":"c","data":1}}`, false, "", ""},
		{"event changes", `{"event":"x","data":{"channel":"c","data":1},"event":"#publish"}`, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := JSON.DecodeFrame(nil, []byte(tt.frame))
			p := ps[len(ps)-1]
			assert.Equal(t, tt.has, p.HasChannel)
			assert.Equal(t, tt.channel, p.Channel)
			if tt.value == "" {
				assert.Nil(t, p.Value)
			} else {
				assert.Equal(t, tt.value, string(p.Value))
			}
			checkChannelFields(t, p)
		})
	}
}
