package checkpoint

import "math/bits"

// keyTable maps unit keys to their latest State: an open-addressing table of 64-byte groups,
// seven keys and their states in each, probed group after group (linear probing over cache
// lines). Replaying a journal sets a key per entry at random places of the table, so each
// set costs one cache miss rather than two (keys and states in arrays of their own); the
// load stays at most 3/4, so a million keys take 2¹⁸ groups, 16 MiB, where a
// map[uint64]State takes about 40.
//
// Keys are expected to be hashes already; the home group is still chosen by Fibonacci hashing
// (the top bits of k times 2⁶⁴/φ), so that keys differing only in their low bits spread over
// the table. A State of Pending marks an empty slot (no entry records Pending), so every
// uint64, 0 included, is a key of its own.
type keyTable struct {
	groups []keyGroup // len is a power of two, or 0 before the first set
	shift  uint       // 64 - log2(len(groups))
	n      int
	counts [4]int
}

// keyGroup is one cache line of the table.
type keyGroup struct {
	keys   [groupSlots]uint64
	states [groupSlots + 1]State // the last byte pads the group to 64 bytes
}

const (
	groupSlots = 7
	// keyTableMinGroups is the first table's size: small, since most journals are.
	keyTableMinGroups = 1 << 7
)

// set records st as k's latest state.
func (t *keyTable) set(k uint64, st State) {
	if (t.n+1)*4 > len(t.groups)*groupSlots*3 {
		t.grow()
	}
	g, i := t.slot(k)
	old := g.states[i]
	if old == Pending {
		g.keys[i] = k
		t.n++
	} else {
		t.counts[old]--
	}
	t.counts[st]++
	g.states[i] = st
}

// setAll sets each of ks in order, as set does one by one. A key's group is a cache miss
// (the table is far larger than the cache), and one set waits for its miss before the next
// begins; so the home groups of a few keys are loaded first, in a loop of independent loads
// that the processor overlaps, and then set.
func (t *keyTable) setAll(ks []keyState, sink *State) {
	const ahead = 32
	for len(ks) > 0 {
		n := min(len(ks), ahead)
		for (t.n+n)*4 > len(t.groups)*groupSlots*3 {
			t.grow()
		}
		var touch State
		for _, k := range ks[:n] {
			touch |= t.groups[(k.key*0x9e3779b97f4a7c15)>>t.shift].states[0]
		}
		*sink |= touch // keeps the loads from being optimized away
		for _, k := range ks[:n] {
			t.set(k.key, k.st)
		}
		ks = ks[n:]
	}
}

// get returns k's latest state, Pending for a key never set.
func (t *keyTable) get(k uint64) State {
	if len(t.groups) == 0 {
		return Pending
	}
	g, i := t.slot(k)
	return g.states[i]
}

// slot returns k's group and slot in it, or the empty slot where k would go.
func (t *keyTable) slot(k uint64) (*keyGroup, int) {
	mask := uint64(len(t.groups) - 1)
	for gi := (k * 0x9e3779b97f4a7c15) >> t.shift; ; gi = (gi + 1) & mask {
		g := &t.groups[gi]
		for i := range groupSlots {
			if g.states[i] == Pending || g.keys[i] == k {
				return g, i // the load stays under 3/4, so an empty slot is always reached
			}
		}
	}
}

// grow doubles the table (or makes the first one) and puts every key back.
func (t *keyTable) grow() {
	old := t.groups
	size := max(keyTableMinGroups, 2*len(old))
	t.groups = make([]keyGroup, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	for gi := range old {
		og := &old[gi]
		for i := range groupSlots {
			if st := og.states[i]; st != Pending {
				g, j := t.slot(og.keys[i])
				g.keys[j], g.states[j] = og.keys[i], st
			}
		}
	}
}
