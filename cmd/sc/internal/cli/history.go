package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// history keeps the lines typed in sc shell, in memory, for the history
// command and the !N and !! shortcuts.
type history struct {
	lines []string
	limit int
}

func (h *history) add(line string) {
	h.lines = append(h.lines, line)
	if len(h.lines) > h.limit {
		h.lines = h.lines[len(h.lines)-h.limit:]
	}
}

// expand resolves "!!" (the last line) and "!N" (line N as listed by
// history); other lines come back unchanged.
func (h *history) expand(line string) (string, error) {
	if !strings.HasPrefix(line, "!") {
		return line, nil
	}
	if line == "!!" {
		if len(h.lines) == 0 {
			return "", fmt.Errorf("!!: history is empty")
		}
		return h.lines[len(h.lines)-1], nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 1 || n > len(h.lines) {
		return "", fmt.Errorf("%s: no such history entry", line)
	}
	return h.lines[n-1], nil
}

// print lists the lines, numbered from 1.
func (h *history) print(w io.Writer) {
	for i, l := range h.lines {
		fmt.Fprintf(w, "%5d  %s\n", i+1, l)
	}
}
