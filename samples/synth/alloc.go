package synth

import "math"

// skew describes how rows spread over owners: one owner in heavyEvery is heavy (owner 0
// always is), a mediumPct share of the others medium, a zeroPct share has no rows at all, and
// the rest light. Weights are relative; each owner's weight varies at random around its class.
type skew struct {
	heavyEvery           int
	heavy, medium, light float64
	mediumPct, zeroPct   int
}

var (
	// A few users with thousands of friends, a tenth with dozens, most with a handful, some
	// with no friend group at all.
	friendSkew = skew{heavyEvery: 2000, heavy: 2000, medium: 50, light: 3, mediumPct: 10, zeroPct: 10}
	// Conversation groups: most users keep a few, some dozens, a few power users hundreds.
	contactSkew = skew{heavyEvery: 1000, heavy: 500, medium: 40, light: 4, mediumPct: 15, zeroPct: 20}
	// Communities: a few busy ones with many topics, most with a handful.
	topicSkew = skew{heavyEvery: 50, heavy: 40, medium: 15, light: 4, mediumPct: 30}
)

// allocate splits total rows over n owners after sk, each getting at most limit, the sum
// exactly total. It returns one count per owner (4 bytes each: owners are far fewer than rows).
// The caller has checked that total <= n*limit.
func allocate(total, n, limit int, sk skew, seed int64, salt uint64) []int32 {
	q := make([]int32, n)
	if total == 0 || n == 0 {
		return q
	}
	w := make([]float32, n)
	var sum float64
	rng := newRand(seed, salt|saltAlloc, 0)
	for i := range w {
		var base float64
		switch p := rng.IntN(100); {
		case i%sk.heavyEvery == 0:
			base = sk.heavy
		case p < sk.zeroPct:
			base = 0
		case p < sk.zeroPct+sk.mediumPct:
			base = sk.medium
		default:
			base = sk.light
		}
		w[i] = float32(base * (0.5 + rng.Float64()))
		sum += float64(w[i])
	}
	given := 0
	for i := range q {
		v := min(limit, int(float64(total)*float64(w[i])/sum))
		q[i] = int32(v)
		given += v
	}
	// Rounding down and the cap leave a deficit: spread it over the owners with room, in
	// proportion to their weight (each such owner gains at least one row per pass), then, if
	// only weightless owners have room, one row each per pass.
	for given < total {
		var room float64
		for i := range q {
			if int(q[i]) < limit {
				room += float64(w[i])
			}
		}
		deficit := total - given
		for i := 0; i < n && given < total; i++ {
			if int(q[i]) >= limit {
				continue
			}
			add := 1
			if room > 0 {
				add = int(math.Ceil(float64(deficit) * float64(w[i]) / room))
				if add == 0 {
					continue
				}
			}
			add = min(add, limit-int(q[i]), total-given)
			q[i] += int32(add)
			given += add
		}
	}
	return q
}
