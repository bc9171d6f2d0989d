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
// group and friend (by their strings).
type friendData struct {
	strs    *strtab
	files   fileTab
	members []membership
	rank    []int32
}

// friendCollector applies the per-record and cross-record rules in input order.
type friendCollector struct {
	d          *friendData
	seen       map[[3]int32]struct{} // memberships so far, for duplicates
	userGroups map[[2]int32]struct{} // (user, group) pairs so far
	userFriend map[[2]int32]struct{} // (user, friend) pairs so far
	nGroups    map[int32]int32       // user -> groups so far
	nFriends   map[int32]int32       // user -> distinct friends so far
}

func newFriendCollector() *friendCollector {
	return &friendCollector{
		d:          &friendData{strs: newStrtab()},
		seen:       make(map[[3]int32]struct{}),
		userGroups: make(map[[2]int32]struct{}),
		userFriend: make(map[[2]int32]struct{}),
		nGroups:    make(map[int32]int32),
		nFriends:   make(map[int32]int32),
	}
}

// readFile reads one friend-groups file, counting into st and reporting each problem.
func (c *friendCollector) readFile(ctx context.Context, name string, h hash.Hash, st *KindStats, report func(Problem)) error {
	return readRecords(ctx, sources.FriendGroups, name, h, sources.NewFriendGroups, func(r *sources.FriendGroup, re *sources.RowError) error {
		var probs []Problem
		if re != nil {
			probs = []Problem{rowProblem(sources.FriendGroups, re)}
		} else {
			probs = c.add(r)
		}
		countRecord(st, probs, true)
		for _, pr := range probs {
			report(pr)
		}
		return nil
	})
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
	for _, to := range friends {
		it := friendItem(r, to)
		friend := int32(noFriend)
		if len(r.To_Account) > 0 {
			if is := friendIssue(r, to); is != nil {
				probs = append(probs, problemOf(sources.FriendGroups, it, []issue{*is}))
				continue
			}
			friend = d.strs.id(to)
		}
		key := [3]int32{user, group, friend}
		if _, dup := c.seen[key]; dup {
			pr := Problem{Kind: sources.FriendGroups, Pos: r.Pos, Field: "To_Account", Excerpt: excerpt(to),
				Reason: "duplicate membership: merged with an earlier row", Warning: true, Item: it}
			if friend == noFriend {
				pr.Field, pr.Excerpt, pr.Reason = "GroupName", excerpt(r.GroupName), "duplicate declaration of an empty group: merged"
			}
			probs = append(probs, pr)
			continue
		}
		ug := [2]int32{user, group}
		_, oldGroup := c.userGroups[ug]
		if !oldGroup && c.nGroups[user] >= chatapi.MaxFriendGroupsPerUser {
			probs = append(probs, problemOf(sources.FriendGroups, it, []issue{{"GroupName", r.GroupName,
				fmt.Sprintf("the user already has %d friend groups, the most allowed", chatapi.MaxFriendGroupsPerUser)}}))
			continue
		}
		uf := [2]int32{user, friend}
		newFriend := false
		if friend != noFriend {
			if _, ok := c.userFriend[uf]; !ok {
				if c.nFriends[user] >= chatapi.MaxFriendsPerUser {
					probs = append(probs, problemOf(sources.FriendGroups, it, []issue{{"To_Account", to,
						fmt.Sprintf("the user already has %d friends in groups, the most allowed", chatapi.MaxFriendsPerUser)}}))
					continue
				}
				newFriend = true
			}
		}
		if !oldGroup {
			c.userGroups[ug] = struct{}{}
			c.nGroups[user]++
		}
		if newFriend {
			c.userFriend[uf] = struct{}{}
			c.nFriends[user]++
		}
		c.seen[key] = struct{}{}
		d.members = append(d.members, membership{user: user, group: group, friend: friend, file: file, line: int64(r.Pos.Line)})
	}
	return probs
}

// finish frees the collector's indexes and sorts the memberships for planning.
func (c *friendCollector) finish() *friendData {
	d := c.d
	c.seen, c.userGroups, c.userFriend, c.nGroups, c.nFriends = nil, nil, nil, nil, nil
	d.strs.dropIndex()
	d.rank = d.strs.ranks()
	rank := func(id int32) int32 {
		if id == noFriend {
			return -1
		}
		return d.rank[id]
	}
	slices.SortStableFunc(d.members, func(a, b membership) int {
		if c := cmp.Compare(rank(a.user), rank(b.user)); c != 0 {
			return c
		}
		if c := cmp.Compare(rank(a.group), rank(b.group)); c != 0 {
			return c
		}
		return cmp.Compare(rank(a.friend), rank(b.friend))
	})
	return d
}

// users calls fn with each user's memberships, users in order of their IDs.
func (d *friendData) users(ctx context.Context, fn func(ms []membership) error) error {
	for i, n := 0, 0; i < len(d.members); n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		j := i + 1
		for j < len(d.members) && d.members[j].user == d.members[i].user {
			j++
		}
		if err := fn(d.members[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// pos returns a membership's source position.
func (d *friendData) pos(m *membership) sources.Pos {
	return sources.Pos{File: d.files[m.file], Line: int(m.line)}
}
