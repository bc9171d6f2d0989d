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
