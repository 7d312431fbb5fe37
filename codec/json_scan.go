package codec

import (
	"bytes"
	"encoding/binary"
)

// This file holds the strict JSON scanner shared by the decoders: it finds
// where values end and checks them against RFC 8259 without building
// anything. Every function takes the whole input and an index, and returns
// the index just past what it read, or -1 when the input is not valid JSON.

// maxDepth is the deepest nesting of arrays and objects the scanner accepts,
// the same limit as encoding/json. Deeper input is treated as invalid so
// that hostile frames cannot make validation expensive.
const maxDepth = 10000

// Constants for scanning eight bytes at a time.
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// stringSpecialMask returns a mask whose lowest set bit marks the first of
// the eight little-endian bytes in w that ends a run of plain string
// content: a quote, a backslash or a control character. Bits above the
// lowest one may be spurious; zero means all eight bytes are plain.
func stringSpecialMask(w uint64) uint64 {
	q := w ^ (swarLo * '"')
	s := w ^ (swarLo * '\\')
	return ((w-swarLo*0x20) & ^w | (q-swarLo) & ^q | (s-swarLo) & ^s) & swarHi
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

// skipSpace returns the index of the first non-whitespace byte at or after
// i (len(b) when there is none).
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// scanString reads the string whose opening quote is at b[i]. It returns the
// index after the closing quote, or -1, and whether the string contains
// escapes. Quotes and backslashes are found with bytes.IndexByte, which
// uses the CPU's vector instructions; the plain runs between them are
// checked for control characters eight bytes at a time.
func scanString(b []byte, i int) (end int, escaped bool) {
	i++
	q := -1 // the next quote at or after i, once found
	for {
		if q < i {
			q = bytes.IndexByte(b[i:], '"')
			if q < 0 {
				return -1, escaped
			}
			q += i
		}
		k := bytes.IndexByte(b[i:q], '\\')
		if k < 0 {
			if hasControl(b[i:q]) {
				return -1, escaped
			}
			return q + 1, escaped
		}
		k += i
		if hasControl(b[i:k]) {
			return -1, escaped
		}
		escaped = true
		if k+1 >= len(b) {
			return -1, escaped
		}
		switch b[k+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i = k + 2
		case 'u':
			if k+6 > len(b) || hex4(b[k+2:k+6]) < 0 {
				return -1, escaped
			}
			i = k + 6
		default:
			return -1, escaped
		}
	}
}

// hasControl reports whether b holds a byte below 0x20, which JSON strings
// must escape. It tests 32 bytes per step, as four independent eight-byte
// words, so that long strings cost little more than the two IndexByte
// passes around it.
func hasControl(b []byte) bool {
	for len(b) >= 32 {
		w0 := binary.LittleEndian.Uint64(b)
		w1 := binary.LittleEndian.Uint64(b[8:])
		w2 := binary.LittleEndian.Uint64(b[16:])
		w3 := binary.LittleEndian.Uint64(b[24:])
		if (controlMask(w0)|controlMask(w1)|controlMask(w2)|controlMask(w3))&swarHi != 0 {
			return true
		}
		b = b[32:]
	}
	for len(b) >= 8 {
		if controlMask(binary.LittleEndian.Uint64(b))&swarHi != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// controlMask has the high bit of a byte set (among possibly spurious bits
// above it) when that byte of w is below 0x20; no high bit is set when none
// is.
func controlMask(w uint64) uint64 { return (w - swarLo*0x20) &^ w }

// hex4 decodes four hex digits, returning -1 if any is not a hex digit.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// scanNumber reads the number that starts at b[i].
func scanNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i = scanDigits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := scanDigits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := scanDigits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

// scanDigits returns the index of the first non-digit at or after i.
func scanDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// scanLiteral reads lit (true, false or null) at b[i].
func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// scanKeyColon reads an object key at b[i] (after whitespace) and the colon
// after it, returning the index just past the colon.
func scanKeyColon(b []byte, i int) int {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	i, _ = scanString(b, i)
	if i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return i + 1
}

// containerStack records, one bit per level, whether each open container
// is an object (1) or an array (0). The first 256 levels need no heap.
type containerStack struct {
	n     int
	small [4]uint64
	big   []uint64
}

func (s *containerStack) push(object bool) {
	w, bit := s.n>>6, uint(s.n&63)
	s.n++
	var word *uint64
	if w < len(s.small) {
		word = &s.small[w]
	} else {
		w -= len(s.small)
		if w == len(s.big) {
			s.big = append(s.big, 0)
		}
		word = &s.big[w]
	}
	if object {
		*word |= 1 << bit
	} else {
		*word &^= 1 << bit
	}
}

func (s *containerStack) topIsObject() bool {
	i := s.n - 1
	w, bit := i>>6, uint(i&63)
	if w < len(s.small) {
		return s.small[w]>>bit&1 == 1
	}
	return s.big[w-len(s.small)]>>bit&1 == 1
}

// skipValue reads one JSON value starting at b[i] (leading whitespace
// allowed) and returns the index just past it. depth is the number of
// containers already open around the value. It never recurses, so hostile
// nesting costs no stack.
func skipValue(b []byte, i int, depth int) int {
	var st containerStack
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case '"':
			i, _ = scanString(b, i)
		case '{':
			if depth+st.n >= maxDepth {
				return -1
			}
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			st.push(true)
			if i = scanKeyColon(b, i); i < 0 {
				return -1
			}
			continue
		case '[':
			if depth+st.n >= maxDepth {
				return -1
			}
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == ']' {
				i++
				break
			}
			st.push(false)
			continue
		case 't':
			i = scanLiteral(b, i, "true")
		case 'f':
			i = scanLiteral(b, i, "false")
		case 'n':
			i = scanLiteral(b, i, "null")
		default:
			i = scanNumber(b, i)
		}
		if i < 0 {
			return -1
		}
		// A value is complete: close containers or move to the next member.
		for {
			if st.n == 0 {
				return i
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			c := b[i]
			if c == ',' {
				i++
				if st.topIsObject() {
					if i = scanKeyColon(b, i); i < 0 {
						return -1
					}
				}
				break
			}
			if c == '}' && st.topIsObject() || c == ']' && !st.topIsObject() {
				st.n--
				i++
				continue
			}
			return -1
		}
	}
}

// validJSON reports whether b is exactly one JSON value with optional
// surrounding whitespace.
func validJSON(b []byte) bool {
	i := skipValue(b, 0, 0)
	return i >= 0 && skipSpace(b, i) == len(b)
}
