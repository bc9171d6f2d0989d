package synth

import (
	"math/rand/v2"
	"strconv"
)

// memberSet is one group of a user: a window of size members over the user's list of friends
// (or conversations), starting at off and wrapping. Windows hold distinct members because
// size never exceeds the list's length. size 0 is an empty group.
type memberSet struct {
	name      string
	off, size int
}

// layout splits rows memberships over groups for one user: sets distinct member sets, some of
// them copied by dups more groups (identical member sets), each set at most maxSize members.
// It returns the groups in a random order (names not yet given) and the length of the member
// list they draw from. Every row is used: the sizes times their copies sum to rows exactly.
func layout(rng *rand.Rand, rows, sets, dups, maxSize, maxList int) ([]memberSet, int) {
	if rows == 0 {
		return nil, 0
	}
	sets = max(1, min(sets, rows))
	sets = max(sets, (rows+maxSize-1)/maxSize)
	mult := make([]int, sets)
	size := make([]int, sets)
	for {
		for k := range mult {
			mult[k], size[k] = 1, 1
		}
		used := sets
		for d := 0; d < dups && sets > 1; d++ {
			k := 1 + rng.IntN(sets-1) // set 0 is never copied: it takes the leftover rows
			mult[k]++
			used++
		}
		if used > rows {
			dups = 0
			continue
		}
		rem := rows - used
		weight := make([]float64, sets)
		var sum float64
		for k := range weight {
			weight[k] = rng.ExpFloat64()
			sum += weight[k]
		}
		spread := rem
		for k := range size {
			add := min(maxSize-size[k], int(float64(spread)*weight[k]/sum)/mult[k])
			size[k] += add
			rem -= add * mult[k]
		}
		for k := range size {
			if mult[k] == 1 && rem > 0 {
				add := min(maxSize-size[k], rem)
				size[k] += add
				rem -= add
			}
		}
		if rem == 0 {
			break
		}
		dups = 0 // the copies cannot take the rest exactly: do without them
	}
	list := 0
	for _, s := range size {
		list = max(list, s)
	}
	// The member list holds most of the rows' members (60-90%): groups overlap only partly,
	// as real groups do, and a user with thousands of memberships has thousands of friends.
	list = min(maxList, max(list, rows*(6+rng.IntN(4))/10))
	var groups []memberSet
	for k, s := range size {
		off := rng.IntN(list)
		for range mult[k] {
			groups = append(groups, memberSet{off: off, size: s})
		}
	}
	rng.Shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	return groups, list
}

// account returns the ID of account i: u0000042. Accounts are not all users of the file:
// friends and C2C conversations reach past them.
func account(i int) string { return pad("u", i) }

// community returns the GroupId of community i, a Community group ID (prefix @TGS#_).
func community(i int) string { return pad("@TGS#_@TGS#c", i) }

// chatGroup returns the ID of ordinary group i, the target of a group conversation.
func chatGroup(i int) string { return pad("@TGS#2g", i) }

func pad(prefix string, i int) string {
	var b [32]byte
	out := append(b[:0], prefix...)
	digits := strconv.AppendInt(nil, int64(i), 10)
	for n := len(digits); n < 7; n++ {
		out = append(out, '0')
	}
	return string(append(out, digits...))
}
