package migrate

import "math/bits"

// hashSet is a set of 64-bit hashes in one open-addressing table with linear probing: 8 bytes
// a slot at a load of at most 3/4, so 1.5M keys fit in 2²¹ slots (16 MiB), where a
// map[uint64]struct{} of the same keys takes about three times as much. Keys are expected to
// be hashes already; the slot is still chosen by Fibonacci hashing (the top bits of k times
// 2⁶⁴/φ), so that keys differing only in their low bits spread over the table.
//
// Slot value 0 marks an empty slot; the key 0 is kept apart in hasZero, so that every uint64
// is a key of its own and the caller's collision reasoning holds unchanged.
type hashSet struct {
	slots   []uint64 // len is a power of two, or 0 before the first add
	shift   uint     // 64 - log2(len(slots))
	n       int      // keys in slots (not counting hasZero)
	hasZero bool
}

// hashSetMinSlots is the first table's size: small, since most inputs are.
const hashSetMinSlots = 1 << 10

// add inserts k and reports whether it was absent.
func (s *hashSet) add(k uint64) bool {
	if k == 0 {
		added := !s.hasZero
		s.hasZero = true
		return added
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case 0:
			s.slots[i] = k
			s.n++
			return true
		}
	}
}

// has reports whether k is in the set.
func (s *hashSet) has(k uint64) bool {
	if k == 0 {
		return s.hasZero
	}
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			return false // the load stays under 3/4, so an empty slot is always reached
		}
	}
}

// count returns the number of keys.
func (s *hashSet) count() int {
	if s.hasZero {
		return s.n + 1
	}
	return s.n
}

// home is k's first slot.
func (s *hashSet) home(k uint64) uint64 {
	return (k * 0x9e3779b97f4a7c15) >> s.shift
}

// grow doubles the table (or makes the first one) and puts every key back.
func (s *hashSet) grow() {
	old := s.slots
	size := max(hashSetMinSlots, 2*len(old))
	s.slots = make([]uint64, size)
	s.shift = uint(64 - bits.TrailingZeros(uint(size)))
	mask := uint64(size - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := s.home(k)
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
}
