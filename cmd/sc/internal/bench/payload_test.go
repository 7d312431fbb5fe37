package bench

import (
	"encoding/json"
	"testing"
)

func TestPayloadRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		seq, nanos int64
		size       int
	}{
		{0, 0, 0}, {7, 123456789, 64}, {999999, 86_400_000_000_000, 1024}, {1, 2, 10},
	} {
		b := encodePayload(nil, tc.seq, tc.nanos, tc.size)
		if !json.Valid(b) {
			t.Fatalf("%+v: not JSON: %s", tc, b)
		}
		if len(b) != payloadLen(tc.seq, tc.nanos, tc.size) {
			t.Fatalf("%+v: length %d, payloadLen %d", tc, len(b), payloadLen(tc.seq, tc.nanos, tc.size))
		}
		if tc.size >= 40 && len(b) != tc.size {
			t.Fatalf("%+v: length %d", tc, len(b))
		}
		seq, nanos, err := parsePayload(b)
		if err != nil || seq != tc.seq || nanos != tc.nanos {
			t.Fatalf("%+v: parsed %d %d %v", tc, seq, nanos, err)
		}
	}
}

func TestPayloadRejectsOthers(t *testing.T) {
	for _, s := range []string{
		``, `null`, `"text"`, `{"s":1}`, `{"s":-1,"t":2,"p":""}`, `{"s":1,"t":x,"p":""}`,
		`{"s":1,"t":2}`, `{"t":2,"s":1,"p":""}`, `{"s":1234567890123456789012,"t":2,"p":""}`,
	} {
		if _, _, err := parsePayload([]byte(s)); err == nil {
			t.Fatalf("%q was accepted", s)
		}
	}
}

func TestSeqSet(t *testing.T) {
	var s seqSet
	for _, v := range []int64{0, 5, 63, 64, 1000, 5} {
		s.add(v)
	}
	if s.n != 5 || !s.has(63) || s.has(62) || s.has(100000) {
		t.Fatalf("n %d", s.n)
	}
	if s.add(1000) {
		t.Fatal("a second add reported new")
	}
	for limit, want := range map[int64]int64{0: 0, 1: 1, 63: 2, 64: 3, 65: 4, 1000: 4, 1001: 5, 1 << 20: 5} {
		if got := s.countBelow(limit); got != want {
			t.Fatalf("countBelow(%d) = %d, want %d", limit, got, want)
		}
	}
}
