package migrate

import (
	"cmp"
	"context"
	"fmt"
	"hash"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// noFriend stands for "no friend" in a membership: the declaration of an empty group.
const noFriend = -1

// membership is one valid (user, group, friend) of the input, interned: 24 bytes instead of
// three strings and a Pos.
type membership struct {
	user, group, friend int32 // strtab IDs; friend noFriend for an empty group's declaration
	file                int32 // fileTab index
	line                int64
}

// friendData is the validated friend-group input, ready to plan: memberships sorted by user,
// group and friend. Once finished, string IDs are numbered in the strings' bytewise order, so
// that sorting by ID sorts by string.
type friendData struct {
	strs    *strtab
	files   fileTab
	members []membership
}

// friendCollector applies the per-record and cross-record rules in input order.
type friendCollector struct {
	d     *friendData
	users []friendUser // by strtab ID; only the IDs of users are ever filled
	// in maps (user, friend) to the bitmask of the user's groups (bit i: groups[i]) the friend
	// is in; (user, noFriend) marks the empty groups declared. One lookup thus answers both
	// whether a membership repeats an earlier one and whether the friend is new to the user.
	in map[uint64]uint32
	// The memberships so far, in chunks: finish moves each once, sorted, into one slice,
	// where appending to one slice would copy (and fault in) them all again at each growth.
	full [][]membership
	cur  []membership
}

// memberChunk is how many memberships one chunk holds (1.5 MiB).
const memberChunk = 1 << 16

// friendUser is what the rules need to know of one user so far.
type friendUser struct {
	groups   []int32 // strtab IDs of the user's groups, in order of their first membership
	nFriends int32   // distinct friends in the user's groups
}

// A user's groups fit a uint32 bitmask: validation refuses the 33rd.
var _ [32 - chatapi.MaxFriendGroupsPerUser]struct{}

func newFriendCollector() *friendCollector {
	return &friendCollector{d: &friendData{strs: newStrtab()}, in: make(map[uint64]uint32)}
}

// readFile reads one friend-groups file, counting into st and reporting each problem.
func (c *friendCollector) readFile(ctx context.Context, name string, h hash.Hash, st *KindStats, report func(Problem)) error {
	return collectFile(ctx, sources.FriendGroups, name, h, sources.NewFriendGroups, c.add, st, report)
}

// user returns the state of the user with strtab ID id.
func (c *friendCollector) user(id int32) *friendUser {
	if n := int(id) + 1; n > len(c.users) {
		c.users = slices.Grow(c.users, n-len(c.users))[:n]
	}
	return &c.users[id]
}

// add applies the rules to one record, keeps its valid memberships and returns its problems.
func (c *friendCollector) add(r *sources.FriendGroup) []Problem {
	friends := r.To_Account
	if len(friends) == 0 {
		friends = []string{""} // the record declares an empty group
	}
	var probs []Problem
	if issues := friendRecordIssues(r); len(issues) > 0 {
		for _, to := range friends {
			probs = append(probs, problemOf(sources.FriendGroups, friendItem(r, to), issues))
		}
		return probs
	}
	d := c.d
	user, group := d.strs.id(r.From_Account), d.strs.id(r.GroupName)
	file := d.files.id(r.Pos.File)
	u := c.user(user)
	gi := slices.Index(u.groups, group) // -1 until the group has a membership
	for _, to := range friends {
		friend := int32(noFriend)
		if len(r.To_Account) > 0 {
			if is := friendIssue(r, to); is != nil {
				probs = append(probs, problemOf(sources.FriendGroups, friendItem(r, to), []issue{*is}))
				continue
			}
			friend = d.strs.id(to)
		}
		key := uint64(uint32(user))<<32 | uint64(uint32(friend))
		mask, known := c.in[key] // known: the friend is in one of the user's groups already
		if gi >= 0 && mask&(1<<gi) != 0 {
			pr := Problem{Kind: sources.FriendGroups, Pos: r.Pos, Field: "To_Account", Excerpt: sources.Excerpt(to),
				Reason: "duplicate membership: merged with an earlier row", Warning: true, Item: friendItem(r, to)}
			if friend == noFriend {
				pr.Field, pr.Excerpt, pr.Reason = "GroupName", sources.Excerpt(r.GroupName), "duplicate declaration of an empty group: merged"
			}
			probs = append(probs, pr)
			continue
		}
		if gi < 0 && len(u.groups) >= chatapi.MaxFriendGroupsPerUser {
			probs = append(probs, problemOf(sources.FriendGroups, friendItem(r, to), []issue{{"GroupName", r.GroupName,
				fmt.Sprintf("the user already has %d friend groups, the most allowed", chatapi.MaxFriendGroupsPerUser)}}))
			continue
		}
		newFriend := friend != noFriend && !known
		if newFriend && u.nFriends >= chatapi.MaxFriendsPerUser {
			probs = append(probs, problemOf(sources.FriendGroups, friendItem(r, to), []issue{{"To_Account", to,
				fmt.Sprintf("the user already has %d friends in groups, the most allowed", chatapi.MaxFriendsPerUser)}}))
			continue
		}
		if gi < 0 {
			gi = len(u.groups)
			u.groups = append(u.groups, group)
		}
		if newFriend {
			u.nFriends++
		}
		c.in[key] = mask | 1<<gi
		if len(c.cur) == cap(c.cur) {
			if len(c.cur) > 0 {
				c.full = append(c.full, c.cur)
			}
			c.cur = make([]membership, 0, memberChunk)
		}
		c.cur = append(c.cur, membership{user: user, group: group, friend: friend, file: file, line: int64(r.Pos.Line)})
	}
	return probs
}

// finish frees the collector's indexes and sorts the memberships for planning.
func (c *friendCollector) finish() *friendData {
	d := c.d
	chunks := append(c.full, c.cur)
	c.users, c.in, c.full, c.cur = nil, nil, nil, nil
	d.strs.dropIndex()
	// Number the strings anew in their bytewise order: IDs then sort as their strings do, and
	// the sort and the packing compare IDs instead of looking each one's rank up.
	rank := d.strs.ranks()
	strs := make([]string, len(rank))
	for id, r := range rank {
		strs[r] = d.strs.str(int32(id))
	}
	d.strs = &strtab{strs: strs}

	// A counting sort by user straight out of the chunks into one slice, then each user's
	// memberships sorted by group and friend: linear but for the small per-user sorts.
	next := make([]int, len(rank)+1) // user -> where its next membership goes, once summed
	for _, ch := range chunks {
		for _, m := range ch {
			next[rank[m.user]+1]++
		}
	}
	for u := 1; u < len(next); u++ {
		next[u] += next[u-1]
	}
	d.members = make([]membership, next[len(next)-1])
	for i, ch := range chunks {
		for _, m := range ch {
			m.user, m.group = rank[m.user], rank[m.group]
			if m.friend != noFriend {
				m.friend = rank[m.friend]
			}
			d.members[next[m.user]] = m
			next[m.user]++
		}
		chunks[i] = nil
	}
	// next[u] is now where user u's memberships end. Not a stable sort: add keeps no (user,
	// group, friend) twice, so no two compare equal. noFriend (-1) sorts before every friend.
	begin := 0
	for _, end := range next[:len(rank)] {
		slices.SortFunc(d.members[begin:end], func(a, b membership) int {
			if c := cmp.Compare(a.group, b.group); c != 0 {
				return c
			}
			return cmp.Compare(a.friend, b.friend)
		})
		begin = end
	}
	return d
}

// users calls fn with each user's memberships, users in order of their IDs.
func (d *friendData) users(ctx context.Context, fn func(ms []membership) error) error {
	return eachUser(ctx, d.members, func(m *membership) int32 { return m.user }, fn)
}

// pos returns a membership's source position.
func (d *friendData) pos(m *membership) sources.Pos {
	return sources.Pos{File: d.files[m.file], Line: int(m.line)}
}
