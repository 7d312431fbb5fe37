package cli

import "strings"

// nextWord splits the first whitespace-separated word off s.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}

// takeFlag removes a leading flag (exactly flag) from s and reports whether
// it was there.
func takeFlag(s, flag string) (rest string, found bool) {
	w, r := nextWord(s)
	if w == flag {
		return r, true
	}
	return s, false
}
