package migrate

import (
	"math/rand/v2"
	"testing"
)

func TestHashSet(t *testing.T) {
	tests := []struct {
		name string
		keys []uint64 // added in order; a repeat must report false
	}{
		{"empty", nil},
		{"zero is a key", []uint64{0, 0, 1, 0}},
		{"all ones", []uint64{^uint64(0), ^uint64(0) - 1, ^uint64(0)}},
		// Keys sharing their high bits, or differing only in the top bit, must still spread
		// and probe correctly.
		{"low bits only", seqKeys(5000, 1, 0)},
		{"high bits only", seqKeys(5000, 1<<40, 0)},
		{"top bit pairs", append(seqKeys(3000, 1, 0), seqKeys(3000, 1, 1<<63)...)},
		{"random with repeats", randKeys(20000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s hashSet
			want := make(map[uint64]bool)
			for _, k := range tc.keys {
				if got, absent := s.add(k), !want[k]; got != absent {
					t.Fatalf("add(%#x) = %v, want %v", k, got, absent)
				}
				want[k] = true
				if !s.has(k) {
					t.Fatalf("has(%#x) = false right after add", k)
				}
			}
			if s.count() != len(want) {
				t.Errorf("count() = %d, want %d", s.count(), len(want))
			}
			for k := range want {
				if !s.has(k) {
					t.Errorf("has(%#x) = false, want true", k)
				}
			}
			// Keys never added: neighbours of the added ones.
			for _, k := range tc.keys {
				for _, o := range []uint64{k + 1, k - 1, k ^ 1<<63} {
					if s.has(o) != want[o] {
						t.Errorf("has(%#x) = %v, want %v", o, s.has(o), want[o])
					}
				}
			}
			if n := len(s.slots); n > 0 && s.n*4 > n*3 {
				t.Errorf("load %d/%d over 3/4", s.n, n)
			}
		})
	}
}

// seqKeys returns n keys base + i*step.
func seqKeys(n int, step, base uint64) []uint64 {
	k := make([]uint64, n)
	for i := range k {
		k[i] = base + uint64(i)*step
	}
	return k
}

// randKeys returns n random keys, about a tenth of them repeats.
func randKeys(n int) []uint64 {
	r := rand.New(rand.NewPCG(1, 2))
	k := make([]uint64, n)
	for i := range k {
		if i > 0 && r.IntN(10) == 0 {
			k[i] = k[r.IntN(i)]
		} else {
			k[i] = r.Uint64()
		}
	}
	return k
}
