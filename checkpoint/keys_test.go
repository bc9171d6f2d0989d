package checkpoint

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestKeyTableSetAll: setting a block of entries at once leaves the table as setting them one
// by one does, repeated keys (a unit's later entries) and growth mid-block included.
func TestKeyTableSetAll(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 33, 5000, 100_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(n), 1))
			ks := make([]keyState, n)
			for i := range ks {
				key := rng.Uint64()
				if i > 0 && rng.IntN(2) == 0 {
					key = ks[rng.IntN(i)].key // a later entry of an earlier unit
				}
				ks[i] = keyState{key: key, st: State(1 + rng.IntN(3))}
			}
			var one, all keyTable
			for _, k := range ks {
				one.set(k.key, k.st)
			}
			var sink State
			for rest := ks; len(rest) > 0; {
				m := min(len(rest), 1+rng.IntN(100))
				all.setAll(rest[:m], &sink)
				rest = rest[m:]
			}
			if one.n != all.n || one.counts != all.counts {
				t.Fatalf("setAll: %d keys, counts %v; set: %d keys, counts %v", all.n, all.counts, one.n, one.counts)
			}
			for _, k := range ks {
				if g, w := all.get(k.key), one.get(k.key); g != w {
					t.Fatalf("key %x: setAll %v, set %v", k.key, g, w)
				}
			}
		})
	}
}

// TestHeldBytes: what an opened journal holds grows with its units, at about 13 bytes a unit
// (the table's load is between 3/8 and 3/4 of its 64-byte groups of seven), and a new journal
// holds nothing.
func TestHeldBytes(t *testing.T) {
	path := t.TempDir() + "/run.ckpt"
	j := mustOpen(t, path, testHeader(), Options{})
	if n := j.HeldBytes(); n != 0 {
		t.Errorf("a new journal holds %d bytes", n)
	}
	const units = 100_000
	for i := range units {
		if err := j.Append(Entry{Key: uint64(i) * 0x9e3779b97f4a7c15, State: Done}); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, j)
	j = mustOpen(t, path, testHeader(), Options{})
	defer mustClose(t, j)
	if n := j.HeldBytes(); n < units*64/7 || n > units*64*8/(7*3) {
		t.Errorf("a journal of %d units holds %d bytes, want %d to %d", units, n, units*64/7, units*64*8/(7*3))
	}
}
