package testserver

import (
	"strings"
	"testing"
)

func TestLineWriterSplitsLines(t *testing.T) {
	log := &logBuffer{}
	var seen []string
	w := &lineWriter{log: log, onLine: func(line []byte) { seen = append(seen, string(line)) }}
	for _, chunk := range []string{"fir", "st\nsec", "ond\r\n", "\nlast"} {
		n, err := w.Write([]byte(chunk))
		if err != nil || n != len(chunk) {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	if got := strings.Join(seen, "|"); got != "first|second|" {
		t.Fatalf("lines before flush = %q", got)
	}
	w.flush()
	if got := strings.Join(seen, "|"); got != "first|second||last" {
		t.Fatalf("lines after flush = %q", got)
	}
	if got := log.String(); got != "first\nsecond\n\nlast\n" {
		t.Fatalf("log = %q", got)
	}
}
