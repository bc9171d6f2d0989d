package migrate

import (
	"cmp"
	"context"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// fgroup is one friend group of one user: its declaration (for an empty group) and its
// memberships sorted by friend.
type fgroup struct {
	name    int32
	decl    *membership
	members []membership
}

// friendReq is one planned sns/group_add: every friend goes into every group (local indexes
// into the user's groups). Both lists are sorted, so that the plan is deterministic.
type friendReq struct {
	groups  []int
	friends []int32
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// splitGroups cuts one user's memberships (sorted by group, then friend) into groups. A
// group's members are a part of ms itself, after its declaration: noFriend sorts first.
func splitGroups(ms []membership) []fgroup {
	var gs []fgroup
	for i := 0; i < len(ms); {
		g := fgroup{name: ms[i].group}
		j := i
		for j < len(ms) && ms[j].group == g.name && ms[j].friend == noFriend {
			if g.decl == nil {
				g.decl = &ms[j]
			}
			j++
		}
		k := j
		for k < len(ms) && ms[k].group == g.name {
			k++
		}
		if k > j {
			g.members = ms[j:k]
		}
		gs = append(gs, g)
		i = k
	}
	return gs
}

// packUser plans one user's groups into requests and returns them with the counts of each
// packing. Two packings are computed and the one with fewer requests is taken (a tie keeps
// identical-set packing):
//
//   - identical sets: groups with the same member set share requests, ceil(k/32)·ceil(m/1000);
//   - signatures: friends with the same set of groups share requests, ceil(|N|/32)·ceil(|F|/1000).
//
// In both, a request puts every listed friend into every listed group, which is exactly what
// sns/group_add does, and never a friend into a group it is not in. Empty groups go 32 to a
// name-only request. Identical-set packing never needs more requests than sending each group
// on its own, so neither does the plan.
func packUser(gs []fgroup) ([]friendReq, FriendCounts) {
	var empty []int
	perGroup := 0
	for i := range gs {
		if len(gs[i].members) == 0 {
			empty = append(empty, i)
		} else {
			perGroup += ceilDiv(len(gs[i].members), chatapi.MaxFriendsPerReq)
		}
	}
	var reqs []friendReq
	for c := range slices.Chunk(empty, chatapi.MaxFriendGroupsPerReq) {
		reqs = append(reqs, friendReq{groups: c})
	}
	perGroup += len(reqs)
	sets := packIdenticalSets(gs)
	counts := FriendCounts{PerGroup: perGroup, IdenticalSets: len(reqs) + len(sets), Signatures: -1}
	best := sets
	if len(gs) <= 32 { // a signature is a bitmask of the user's groups; validation caps them at 32
		sigs := packSignatures(gs)
		counts.Signatures = len(reqs) + len(sigs)
		if len(sigs) < len(sets) {
			best = sigs
		}
	} else {
		counts.Signatures = counts.IdenticalSets
	}
	reqs = append(reqs, best...)
	counts.Planned = len(reqs)
	return reqs, counts
}

// packIdenticalSets puts the groups whose member sets are equal into the same requests.
func packIdenticalSets(gs []fgroup) []friendReq {
	byKey := make(map[string]int) // member-set key -> index in classes
	var classes [][]int
	var key []byte
	for i := range gs {
		if len(gs[i].members) == 0 {
			continue
		}
		key = key[:0]
		for _, m := range gs[i].members {
			key = binary.LittleEndian.AppendUint32(key, uint32(m.friend))
		}
		c, ok := byKey[string(key)]
		if !ok {
			c = len(classes)
			byKey[string(key)] = c
			classes = append(classes, nil)
		}
		classes[c] = append(classes[c], i)
	}
	var reqs []friendReq
	for _, groups := range classes {
		friends := make([]int32, len(gs[groups[0]].members))
		for j, m := range gs[groups[0]].members {
			friends[j] = m.friend
		}
		reqs = appendProduct(reqs, groups, friends)
	}
	return reqs
}

// packSignatures puts the friends that belong to exactly the same groups into the same
// requests, each class's friends sorted by ID and the classes by their bitmask of groups.
func packSignatures(gs []fgroup) []friendReq {
	mask := make(map[int32]uint32)
	var order []int32 // friends, first seen first
	for i := range gs {
		for _, m := range gs[i].members {
			if _, ok := mask[m.friend]; !ok {
				order = append(order, m.friend)
			}
			mask[m.friend] |= 1 << i
		}
	}
	slices.Sort(order)
	classes := make(map[uint32][]int32)
	var masks []uint32
	for _, f := range order {
		mk := mask[f]
		if _, ok := classes[mk]; !ok {
			masks = append(masks, mk)
		}
		classes[mk] = append(classes[mk], f)
	}
	slices.Sort(masks)
	var reqs []friendReq
	for _, mk := range masks {
		groups := make([]int, 0, bits.OnesCount32(mk))
		for m := mk; m != 0; m &= m - 1 {
			groups = append(groups, bits.TrailingZeros32(m))
		}
		reqs = appendProduct(reqs, groups, classes[mk])
	}
	return reqs
}

// appendProduct appends the requests that put every friend into every group, in chunks of
// the vendor's limits.
func appendProduct(reqs []friendReq, groups []int, friends []int32) []friendReq {
	for gc := range slices.Chunk(groups, chatapi.MaxFriendGroupsPerReq) {
		for fc := range slices.Chunk(friends, chatapi.MaxFriendsPerReq) {
			reqs = append(reqs, friendReq{groups: gc, friends: fc})
		}
	}
	return reqs
}

// packUsers packs every user's groups, users sorted by ID, and calls fn with the user's
// memberships, groups, requests and packing counts.
func (d *friendData) packUsers(ctx context.Context, fn func(ms []membership, gs []fgroup, reqs []friendReq, c FriendCounts) error) error {
	return d.users(ctx, func(ms []membership) error {
		gs := splitGroups(ms)
		reqs, c := packUser(gs)
		return fn(ms, gs, reqs, c)
	})
}

// countFriends sets st's requests and items to what planFriends yields and adds the packing
// counts to counts, without building the units.
func (p *Plan) countFriends(ctx context.Context, counts *FriendCounts, st *KindStats) error {
	st.Requests, st.Items = 0, 0
	err := p.friends.packUsers(ctx, func(_ []membership, _ []fgroup, reqs []friendReq, c FriendCounts) error {
		counts.add(c)
		st.Requests += len(reqs)
		for _, r := range reqs {
			st.Items += len(r.groups) * max(len(r.friends), 1) // a name-only request: one item per group
		}
		return nil
	})
	if st.Requests > 0 {
		st.ByEndpoint[chatapi.PathGroupAdd] += st.Requests
	}
	return err
}

// add adds o's counts to c's.
func (c *FriendCounts) add(o FriendCounts) {
	c.Planned += o.Planned
	c.PerGroup += o.PerGroup
	c.IdenticalSets += o.IdenticalSets
	c.Signatures += o.Signatures
}

// planFriends yields the friend-group units in Ord order, users sorted by ID.
func (p *Plan) planFriends(ctx context.Context, fn func(*Unit) error) error {
	d := p.friends
	ord := p.Offset(sources.FriendGroups)
	return d.packUsers(ctx, func(ms []membership, gs []fgroup, reqs []friendReq, _ FriendCounts) error {
		user := d.strs.str(ms[0].user)
		for _, r := range reqs {
			u := &Unit{Ord: ord, Kind: sources.FriendGroups, Key: user, After: -1,
				GroupAdd: &chatapi.GroupAddRequest{From_Account: user, GroupName: make([]string, 0, len(r.groups))},
				Items:    make([]Item, 0, len(r.groups)*max(len(r.friends), 1))}
			ord++
			for _, gi := range r.groups {
				g := &gs[gi]
				name := d.strs.str(g.name)
				u.GroupAdd.GroupName = append(u.GroupAdd.GroupName, name)
				if len(r.friends) == 0 {
					u.Items = append(u.Items, Item{Pos: d.pos(g.decl), From_Account: user, GroupName: name})
				}
				for _, f := range r.friends {
					m := g.member(f)
					u.Items = append(u.Items, Item{Pos: d.pos(m), From_Account: user, GroupName: name, To_Account: d.strs.str(f)})
				}
			}
			if len(r.friends) > 0 {
				u.GroupAdd.To_Account = make([]string, len(r.friends))
				for i, f := range r.friends {
					u.GroupAdd.To_Account[i] = d.strs.str(f)
				}
			}
			if err := fn(u); err != nil {
				return err
			}
		}
		return nil
	})
}

// member returns the group's membership of friend f; the plan only asks for members.
func (g *fgroup) member(f int32) *membership {
	i, _ := slices.BinarySearchFunc(g.members, f, func(m membership, f int32) int { return cmp.Compare(m.friend, f) })
	return &g.members[i]
}

// friendUnits yields the friend-group units.
func (p *Plan) friendUnits(ctx context.Context, fn func(*Unit) error) error {
	return p.planFriends(ctx, fn)
}

// EachFriendUser calls fn with every user's intended friend groups, users sorted by ID: group
// name -> members sorted by ID (an empty slice for an empty group).
func (p *Plan) EachFriendUser(ctx context.Context, fn func(user string, groups map[string][]string) error) error {
	d := p.friends
	return d.users(ctx, func(ms []membership) error {
		groups := make(map[string][]string)
		for _, g := range splitGroups(ms) {
			members := make([]string, 0, len(g.members))
			for _, m := range g.members {
				members = append(members, d.strs.str(m.friend))
			}
			groups[d.strs.str(g.name)] = members
		}
		return fn(d.strs.str(ms[0].user), groups)
	})
}
