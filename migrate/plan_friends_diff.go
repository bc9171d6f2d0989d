package migrate

import (
	"cmp"
	"math/bits"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// The diff of one user's friend groups: what the input intends (a FriendGroups) against what
// the target holds, turned into the writes that close the gap. It holds to what
// docs/vendor-api.md, "What the vendor leaves open", leaves as the only safe ground:
//
//   - sns/group_add names only groups the user does not have, each in one request, so its
//     reading of an existing name (merge, refuse, ignore) never matters;
//   - every other membership goes out with sns/friend_update, whose Tag_SNS_IM_Group carries
//     the friend's complete list (the groups the target has it in, plus the input's), so that
//     replacing and adding give the same result, and it names only groups that exist by then.
//
// Masks number a user's groups: bit g < 32 is the unit's Groups[g]; the bits above are groups
// the target holds and the input does not name (friendTarget).

// friendLimits bound one request of the diff. They start at the vendor's limits and shrink
// when the service answers that a request was too big.
type friendLimits struct {
	names  int // GroupName per sns/group_add
	carry  int // To_Account per sns/group_add
	update int // UpdateItem per sns/friend_update
}

// vendorFriendLimits are the vendor's limits per request (docs/vendor-api.md, "Endpoints").
var vendorFriendLimits = friendLimits{chatapi.MaxFriendGroupsPerReq, chatapi.MaxFriendsPerReq, chatapi.MaxFriendUpdateItems}

// friendTarget is what the target holds of one user's friend groups, in a unit's terms.
type friendTarget struct {
	exists uint64   // the groups the user has
	have   []uint64 // per friend of the unit: the groups it is in (nil: an empty target)
}

// in returns the groups the target has friend i in.
func (t *friendTarget) in(i int) uint64 {
	if t.have == nil {
		return 0
	}
	return t.have[i]
}

// friendWrite is one request of a diff: an sns/group_add when create is not 0, else an
// sns/friend_update.
type friendWrite struct {
	create  uint32  // group_add: the unit's groups it creates
	friends []int32 // the unit's friends it carries (group_add) or updates (friend_update), ascending
}

// friendClasses is a user's diff before the carry is chosen: which groups are new, what each
// friend misses, and which friends could ride on the request that creates their groups.
type friendClasses struct {
	fresh uint32 // the unit's groups to create
	over  uint32 // the unit's groups the user has no room for: with the target's, past 32
	// missing is, per friend, the unit's groups it should be in and is not.
	missing []uint32
	// byMask holds the friends whose missing groups are all new, by those groups, ascending:
	// a group_add that creates exactly those groups puts them in at no extra cost.
	byMask map[uint32][]int32
	// order lists disjoint keys of byMask, largest class first: the classes a carry takes,
	// in order, each in a group_add of its own.
	order    []uint32
	nMissing int // friends that miss a group
}

// classify computes the diff's classes for the friends' intended groups want, of the unit's
// groups those in live (a failed create drops its group), against target t.
func classify(want []uint32, live uint32, t *friendTarget, lim friendLimits) *friendClasses {
	c := &friendClasses{missing: make([]uint32, len(want)), byMask: make(map[uint32][]int32)}
	mine := uint32(t.exists) // the unit's groups the target has
	c.fresh = live &^ mine
	room := max(0, chatapi.MaxFriendGroupsPerUser-bits.OnesCount64(t.exists))
	for bits.OnesCount32(c.fresh) > room { // the latest groups of the input give way
		top := uint32(1) << (31 - bits.LeadingZeros32(c.fresh))
		c.fresh &^= top
		c.over |= top
	}
	for i, w := range want {
		m := w & live &^ c.over &^ uint32(t.in(i))
		c.missing[i] = m
		if m == 0 {
			continue
		}
		c.nMissing++
		if m&^c.fresh == 0 {
			c.byMask[m] = append(c.byMask[m], int32(i))
		}
	}
	if lim.carry <= 0 {
		return c
	}
	keys := make([]uint32, 0, len(c.byMask))
	for m := range c.byMask {
		if bits.OnesCount32(m) <= lim.names {
			keys = append(keys, m)
		}
	}
	slices.SortFunc(keys, func(a, b uint32) int {
		if n := cmp.Compare(len(c.byMask[b]), len(c.byMask[a])); n != 0 {
			return n
		}
		return cmp.Compare(a, b)
	})
	var taken uint32
	for _, m := range keys {
		if m&taken == 0 {
			c.order = append(c.order, m)
			taken |= m
		}
	}
	return c
}

// chunks calls fn with the groups of mask in runs of at most n, lowest bits first.
func chunks(mask uint32, n int, fn func(uint32)) {
	for mask != 0 {
		var ch uint32
		for k := 0; k < n && mask != 0; k++ {
			low := mask & -mask
			ch |= low
			mask &^= low
		}
		fn(ch)
	}
}

// plan yields the writes of the diff when the first carry classes of order ride on their
// group_adds: those group_adds first, then one group_add per run of the new groups left
// (carrying the friends whose missing groups are exactly that run), then friend_updates for
// everyone else who misses a group.
func (c *friendClasses) plan(carry int, lim friendLimits) []friendWrite {
	var ws []friendWrite
	carried := make([]bool, len(c.missing))
	add := func(mask uint32) {
		w := friendWrite{create: mask}
		if lim.carry > 0 {
			fs := c.byMask[mask]
			w.friends = fs[:min(len(fs), lim.carry)]
			for _, f := range w.friends {
				carried[f] = true
			}
		}
		ws = append(ws, w)
	}
	left := c.fresh
	for _, m := range c.order[:min(carry, len(c.order))] {
		add(m)
		left &^= m
	}
	chunks(left, lim.names, add)
	var up []int32
	for i, m := range c.missing {
		if m != 0 && !carried[i] {
			up = append(up, int32(i))
		}
	}
	for fs := range slices.Chunk(up, lim.update) {
		ws = append(ws, friendWrite{friends: fs})
	}
	return ws
}

// cost returns how many group_adds and friend_updates plan(carry, lim) yields, without
// building them.
func (c *friendClasses) cost(carry int, lim friendLimits) (adds, updates int) {
	carried := 0
	take := func(mask uint32) {
		adds++
		if lim.carry > 0 {
			carried += min(len(c.byMask[mask]), lim.carry)
		}
	}
	left := c.fresh
	for _, m := range c.order[:min(carry, len(c.order))] {
		take(m)
		left &^= m
	}
	chunks(left, lim.names, take)
	return adds, ceilDiv(c.nMissing-carried, lim.update)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// friendBalance keeps the running totals of the two friend-group write endpoints over the
// users planned so far. Each endpoint has a rate limit of its own, so the run takes as long as
// the busier one needs: each user gets the carry that keeps that one lowest.
type friendBalance struct{ adds, updates int }

// choose picks the carry of one user's classes (from 0, everything but what rides free on the
// creates via friend_update, to every class on a group_add of its own) that gives the lowest
// busier total, then the fewest requests, then the smallest carry; it adds the choice's
// requests to the totals and returns them.
func (b *friendBalance) choose(c *friendClasses, lim friendLimits) (carry, adds, updates int) {
	best := [3]int{-1}
	for k := 0; k <= len(c.order); k++ {
		a, u := c.cost(k, lim)
		score := [3]int{max(b.adds+a, b.updates+u), a + u, k}
		if best[0] < 0 || score[0] < best[0] || (score[0] == best[0] && score[1] < best[1]) {
			best, carry, adds, updates = score, k, a, u
		}
	}
	b.adds += adds
	b.updates += updates
	return carry, adds, updates
}
