package codec

import (
	"hash/maphash"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
)

// appendUnescaped appends the text of a JSON string to dst. s is the
// content between the quotes and must already have passed scanString.
// Invalid UTF-8 bytes and unpaired UTF-16 surrogates become U+FFFD, one per
// bad byte or surrogate, as encoding/json does.
func appendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for a bad byte
			i += size
			continue
		}
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := hex4(s[i+2:]); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

// plainText reports whether s (string content between quotes) needs no
// unescaping: no backslash and valid UTF-8.
func plainText(s []byte) bool {
	for i, c := range s {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			return utf8.Valid(s[i:]) && !containsByte(s[i:], '\\')
		}
	}
	return true
}

func containsByte(s []byte, c byte) bool {
	for _, x := range s {
		if x == c {
			return true
		}
	}
	return false
}

// decodeString returns the text of a JSON string whose content (between the
// quotes) is s, interning it so that names seen often do not allocate.
func decodeString(s []byte) string {
	if plainText(s) {
		return intern(s)
	}
	var buf [64]byte
	return intern(appendUnescaped(buf[:0], s))
}

// equalUnescaped reports whether the JSON string content s decodes to want.
// escaped says whether s contains a backslash.
func equalUnescaped(s []byte, escaped bool, want string) bool {
	if !escaped && utf8.Valid(s) {
		return string(s) == want
	}
	if len(s) > 6*len(want) { // each decoded byte takes at most six input bytes
		return false
	}
	var buf [64]byte
	return string(appendUnescaped(buf[:0], s)) == want
}

// The intern table maps recently seen names to a shared string. It is a
// fixed-size, lock-free, direct-mapped cache: a miss allocates the string
// and replaces whatever occupied the slot, so its memory stays bounded no
// matter how many distinct names pass through.
const (
	internSlots  = 512
	internMaxLen = 64
)

var (
	internSeed  = maphash.MakeSeed()
	internTable [internSlots]atomic.Pointer[string]
)

// intern returns b as a string, without allocating for the reserved event
// names or for names found in the intern table.
func intern(b []byte) string {
	switch string(b) {
	case "#publish":
		return "#publish"
	case "#kickOut":
		return "#kickOut"
	case "#setAuthToken":
		return "#setAuthToken"
	case "#removeAuthToken":
		return "#removeAuthToken"
	case "#disconnect":
		return "#disconnect"
	case "":
		return ""
	}
	if len(b) > internMaxLen {
		return string(b)
	}
	slot := &internTable[maphash.Bytes(internSeed, b)&(internSlots-1)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}
