package migrate

import (
	"cmp"
	"context"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// FriendGroups is what a friend-groups unit makes the target hold for one user: the groups
// the input gives the user and, per friend, the groups the input puts it in, on top of what
// the target already holds (memberships the input does not mention are left as they are).
// The unit reads the user's groups first and sends only what the difference needs
// (execute_friends.go), so that it is right however often it runs.
type FriendGroups struct {
	From_Account string
	// Groups are the user's groups in input order (of their first row), declared empty
	// groups included; at most 32.
	Groups []string
	// Friends are the friends in the user's groups, sorted; Want[i] has bit g set when the
	// input puts Friends[i] into Groups[g].
	Friends []string
	Want    []uint32
	// Carry is how many classes of friends bound for the same new groups ride on the
	// sns/group_add that creates those groups, each class on one of its own, rather than go
	// with sns/friend_update: the plan's choice to spread the writes over both endpoints.
	Carry int
}

// fgroup is one friend group of one user: its declaration (for an empty group) and its
// memberships sorted by friend.
type fgroup struct {
	name    int32
	decl    *membership
	members []membership
}

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

// userPlan is one user planned: the groups in input order, the friends sorted by ID with the
// groups each goes into, and the carry chosen with the writes it needs on an empty target.
type userPlan struct {
	d             *friendData // the batch ms belongs to, for its strings and files
	ms            []membership
	groups        []fgroup
	friends       []int32
	want          []uint32
	carry         int
	adds, updates int
	classes       *friendClasses
}

// intent fills up's groups (in input order), friends and want from up.ms.
func (up *userPlan) intent() {
	gs := splitGroups(up.ms)
	// A group's place in the input is its first row: the earliest of its memberships (files
	// are numbered in the order they are read).
	type place struct {
		file int32
		line int64
	}
	first := make([]place, len(gs))
	for i := range gs {
		p := place{file: -1}
		earlier := func(m *membership) {
			if p.file < 0 || m.file < p.file || (m.file == p.file && m.line < p.line) {
				p = place{m.file, m.line}
			}
		}
		for j := range gs[i].members {
			earlier(&gs[i].members[j])
		}
		if gs[i].decl != nil {
			earlier(gs[i].decl)
		}
		first[i] = p
	}
	order := make([]int, len(gs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(first[a].file, first[b].file); c != 0 {
			return c
		}
		return cmp.Compare(first[a].line, first[b].line)
	})
	sorted := make([]fgroup, len(gs))
	for i, o := range order {
		sorted[i] = gs[o]
	}
	gs = sorted
	up.groups = gs
	up.friends = up.friends[:0]
	for i := range gs {
		for _, m := range gs[i].members {
			up.friends = append(up.friends, m.friend)
		}
	}
	slices.Sort(up.friends)
	up.friends = slices.Compact(up.friends)
	up.want = make([]uint32, len(up.friends))
	for g := range gs {
		for _, m := range gs[g].members {
			i, _ := slices.BinarySearch(up.friends, m.friend)
			up.want[i] |= 1 << g
		}
	}
}

// planUsers plans every user, in the order of their IDs, against an empty target, and calls
// fn with each. The carry of each user depends on the users before it (friendBalance), so
// every pass over the users makes the same choices.
func (s *friendSet) planUsers(ctx context.Context, fn func(up *userPlan) error) error {
	var bal friendBalance
	return s.users(ctx, func(d *friendData, ms []membership) error {
		up := &userPlan{d: d, ms: ms}
		up.intent()
		live := uint32(1)<<len(up.groups) - 1
		up.classes = classify(up.want, live, &friendTarget{}, vendorFriendLimits)
		up.carry, up.adds, up.updates = bal.choose(up.classes, vendorFriendLimits)
		return fn(up)
	})
}

// items returns the number of items of a user: one per membership, one per declared empty
// group.
func (up *userPlan) items() int {
	n := 0
	for _, g := range up.groups {
		n += max(len(g.members), 1)
	}
	return n
}

// countFriends sets st's units, items and estimated requests: per user one sns/group_get
// and the writes an empty target needs.
func (p *Plan) countFriends(ctx context.Context, st *KindStats) error {
	st.Units, st.Requests, st.Items = 0, 0, 0
	var gets, adds, updates int
	err := p.friends.planUsers(ctx, func(up *userPlan) error {
		st.Units++
		st.Items += up.items()
		gets++
		adds += up.adds
		updates += up.updates
		return nil
	})
	st.Requests = gets + adds + updates
	for ep, n := range map[string]int{chatapi.PathGroupGet: gets, chatapi.PathGroupAdd: adds, chatapi.PathFriendUpdate: updates} {
		if n > 0 {
			st.ByEndpoint[ep] += n
		}
	}
	return err
}

// friendUnits yields the friend-group units in Ord order: one per user, users sorted by ID.
// Items are the user's memberships, groups in input order and friends by ID within each.
func (p *Plan) friendUnits(ctx context.Context, fn func(*Unit) error) error {
	ord := p.Offset(sources.FriendGroups)
	return p.friends.planUsers(ctx, func(up *userPlan) error {
		d := up.d
		user := d.strs.str(up.ms[0].user)
		fg := &FriendGroups{From_Account: user, Groups: make([]string, len(up.groups)),
			Friends: make([]string, len(up.friends)), Want: up.want, Carry: up.carry}
		u := &Unit{Ord: ord, Kind: sources.FriendGroups, Key: user, Friends: fg,
			Items: make([]Item, 0, up.items())}
		ord++
		for i, f := range up.friends {
			fg.Friends[i] = d.strs.str(f)
		}
		for gi := range up.groups {
			g := &up.groups[gi]
			name := d.strs.str(g.name)
			fg.Groups[gi] = name
			if len(g.members) == 0 {
				u.Items = append(u.Items, Item{Pos: d.pos(g.decl), From_Account: user, GroupName: name})
			}
			for mi := range g.members {
				m := &g.members[mi]
				u.Items = append(u.Items, Item{Pos: d.pos(m), From_Account: user, GroupName: name, To_Account: d.strs.str(m.friend)})
			}
		}
		u.Content = contentKey(u.Kind, u.Key, u.Items)
		return fn(u)
	})
}

// EachFriendUser calls fn with every user's intended friend groups, users sorted by ID: group
// name -> members sorted by ID (an empty slice for an empty group).
func (p *Plan) EachFriendUser(ctx context.Context, fn func(user string, groups map[string][]string) error) error {
	return p.friends.users(ctx, func(d *friendData, ms []membership) error {
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
