package bench

import "math/bits"

// seqSet records which sequence numbers arrived, as a growing bitset. It is
// owned by one goroutine.
type seqSet struct {
	words []uint64
	n     int64 // distinct numbers recorded
}

// add records seq and reports whether it was new.
func (s *seqSet) add(seq int64) bool {
	w := int(seq >> 6)
	for w >= len(s.words) {
		s.words = append(s.words, make([]uint64, max(len(s.words), 16))...)
	}
	bit := uint64(1) << (seq & 63)
	if s.words[w]&bit != 0 {
		return false
	}
	s.words[w] |= bit
	s.n++
	return true
}

// has reports whether seq was recorded.
func (s *seqSet) has(seq int64) bool {
	w := int(seq >> 6)
	return w < len(s.words) && s.words[w]&(uint64(1)<<(seq&63)) != 0
}

// countBelow returns how many recorded numbers are below limit.
func (s *seqSet) countBelow(limit int64) int64 {
	var n int64
	full := int(limit >> 6)
	for i := 0; i < full && i < len(s.words); i++ {
		n += int64(bits.OnesCount64(s.words[i]))
	}
	if rem := limit & 63; rem != 0 && full < len(s.words) {
		n += int64(bits.OnesCount64(s.words[full] & (uint64(1)<<rem - 1)))
	}
	return n
}
