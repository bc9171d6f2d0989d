package migrate

import (
	"fmt"
	"maps"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// fgOf builds a user's intended friend groups: groups in input order, members friend → its
// groups.
func fgOf(groups []string, members map[string][]string, carry int) *FriendGroups {
	fg := &FriendGroups{From_Account: "u", Groups: groups, Carry: carry}
	for f := range members {
		fg.Friends = append(fg.Friends, f)
	}
	slices.Sort(fg.Friends)
	fg.Want = make([]uint32, len(fg.Friends))
	for i, f := range fg.Friends {
		for _, g := range members[f] {
			fg.Want[i] |= 1 << slices.Index(groups, g)
		}
	}
	return fg
}

// diffRequests diffs fg against the target's groups (name → friends, in read order) and
// renders the writes one a line, as they would go out.
func diffRequests(t testing.TB, fg *FriendGroups, target []chatapi.FriendGroupInfo, lim friendLimits) (over []string, lines []string) {
	t.Helper()
	tgt, others, err := targetOf(fg, target)
	if err != nil {
		t.Fatal(err)
	}
	r := &friendRun{fg: fg, want: slices.Clone(fg.Want), live: uint32(1)<<len(fg.Groups) - 1, tgt: tgt, others: others, lim: lim}
	c := classify(r.want, r.live, &r.tgt, lim)
	for _, w := range c.plan(fg.Carry, lim) {
		lines = append(lines, renderWrite(r, w, c))
	}
	return r.groupNames(uint64(c.over)), lines
}

// renderWrite shows one write: "add [groups] [friends]" or "update friend:[groups] ...".
func renderWrite(r *friendRun, w friendWrite, c *friendClasses) string {
	if w.create != 0 {
		req := r.addRequest(w)
		return fmt.Sprintf("add %v %v", req.GroupName, req.To_Account)
	}
	var parts []string
	for _, it := range r.updateRequest(w, c).UpdateItem {
		groups, _ := it.SnsItem[0].Strings()
		parts = append(parts, fmt.Sprintf("%s:%v", it.To_Account, groups))
	}
	return "update " + strings.Join(parts, " ")
}

// renderFriendWrites writes what a friend-groups unit sends to an empty target, for the
// golden plans.
func renderFriendWrites(b *strings.Builder, fg *FriendGroups) {
	r := &friendRun{fg: fg, want: fg.Want, live: uint32(1)<<len(fg.Groups) - 1, lim: vendorFriendLimits}
	c := classify(r.want, r.live, &r.tgt, r.lim)
	for _, w := range c.plan(fg.Carry, r.lim) {
		fmt.Fprintf(b, "  write %s\n", renderWrite(r, w, c))
	}
}

func TestDiffFriends(t *testing.T) {
	many := map[string][]string{}
	for i := range 2500 {
		many[fmt.Sprintf("f%04d", i)] = []string{"g"}
	}
	others := func(n int) []chatapi.FriendGroupInfo {
		var gs []chatapi.FriendGroupInfo
		for i := range n {
			gs = append(gs, chatapi.FriendGroupInfo{GroupName: fmt.Sprintf("old%02d", i)})
		}
		return gs
	}
	cases := []struct {
		name   string
		fg     *FriendGroups
		target []chatapi.FriendGroupInfo
		lim    friendLimits
		over   []string
		want   []string
	}{
		{name: "one new group: created with its friends",
			fg:   fgOf([]string{"g"}, map[string][]string{"a": {"g"}, "b": {"g"}}, 0),
			want: []string{"add [g] [a b]"}},
		{name: "a declared empty group",
			fg:   fgOf([]string{"e"}, nil, 0),
			want: []string{"add [e] []"}},
		{name: "2500 friends: one create carries 1000, friend_update the rest",
			fg:   fgOf([]string{"g"}, many, 0),
			want: []string{"add [g] [" + strings.Join(sortedKeys(many)[:1000], " ") + "]", "update " + updates(sortedKeys(many)[1000:2000], "[g]"), "update " + updates(sortedKeys(many)[2000:], "[g]")}},
		{name: "existing group: never named in group_add, its new friend keeps the friend's other groups",
			fg: fgOf([]string{"work", "home"}, map[string][]string{"bob": {"home"}, "carol": {"work"}, "dan": {"work", "home"}}, 0),
			target: []chatapi.FriendGroupInfo{{GroupName: "old", To_Account: []string{"carol", "zed"}},
				{GroupName: "work", To_Account: []string{"bob", "dan"}}},
			want: []string{"add [home] [bob dan]", "update carol:[work old]"}},
		{name: "everything there already",
			fg:     fgOf([]string{"a", "e"}, map[string][]string{"x": {"a"}}, 0),
			target: []chatapi.FriendGroupInfo{{GroupName: "e"}, {GroupName: "a", To_Account: []string{"x", "y"}}},
			want:   nil},
		{name: "carry 0: one create, the rest by friend_update",
			fg:   fgOf([]string{"a", "b", "c"}, map[string][]string{"x": {"a"}, "y": {"b"}, "z": {"c"}}, 0),
			want: []string{"add [a b c] []", "update x:[a] y:[b] z:[c]"}},
		{name: "carry 3: each class on its own create",
			fg:   fgOf([]string{"a", "b", "c"}, map[string][]string{"x": {"a"}, "y": {"b"}, "z": {"c"}, "w": {"c"}}, 3),
			want: []string{"add [c] [w z]", "add [a] [x]", "add [b] [y]"}},
		{name: "carry 1: the largest class, the other groups in one create",
			fg:   fgOf([]string{"a", "b", "c"}, map[string][]string{"x": {"a", "b"}, "y": {"a", "b"}, "z": {"c"}}, 1),
			want: []string{"add [a b] [x y]", "add [c] [z]"}},
		{name: "overlapping classes: only disjoint ones ride",
			fg:   fgOf([]string{"a", "b"}, map[string][]string{"x": {"a", "b"}, "y": {"a", "b"}, "z": {"a"}}, 2),
			want: []string{"add [a b] [x y]", "update z:[a]"}},
		{name: "no room: the latest groups of the input give way",
			fg:     fgOf([]string{"n1", "n2"}, map[string][]string{"x": {"n1", "n2"}}, 0),
			target: others(31),
			over:   []string{"n2"},
			want:   []string{"add [n1] [x]"}},
		{name: "no room at all",
			fg:     fgOf([]string{"n1"}, map[string][]string{"x": {"n1"}}, 0),
			target: others(32),
			over:   []string{"n1"}},
		{name: "split limits: names and carry",
			fg:   fgOf([]string{"a", "b", "c"}, map[string][]string{"x": {"a", "b", "c"}, "y": {"a", "b", "c"}}, 0),
			lim:  friendLimits{names: 2, carry: 1, update: 1},
			want: []string{"add [a b] []", "add [c] []", "update x:[a b c]", "update y:[a b c]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lim := tc.lim
			if lim == (friendLimits{}) {
				lim = vendorFriendLimits
			}
			over, got := diffRequests(t, tc.fg, tc.target, lim)
			if !slices.Equal(over, tc.over) && len(over)+len(tc.over) > 0 {
				t.Errorf("over %v, want %v", over, tc.over)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func sortedKeys(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func updates(friends []string, groups string) string {
	parts := make([]string, len(friends))
	for i, f := range friends {
		parts[i] = f + ":" + groups
	}
	return strings.Join(parts, " ")
}

func TestFriendBalance(t *testing.T) {
	// x, y, z each in a group of their own: carry 0 costs 1 create + 1 update, carry 3 costs
	// 3 creates. Whichever endpoint is busier so far gets the other option.
	fg := fgOf([]string{"a", "b", "c"}, map[string][]string{"x": {"a"}, "y": {"b"}, "z": {"c"}}, 0)
	c := classify(fg.Want, 7, &friendTarget{}, vendorFriendLimits)
	cases := []struct {
		name                         string
		bal                          friendBalance
		carry, adds, updates         int
		wantTotalAdds, wantTotalUpds int
	}{
		{"from zero: the lowest maximum", friendBalance{}, 0, 1, 1, 1, 1},
		// Carry 2 already puts z on the create of c (its group is left alone): carry 3 only ties.
		{"friend_update busier: all on creates", friendBalance{adds: 0, updates: 10}, 2, 3, 0, 3, 10},
		{"group_add busier: one create", friendBalance{adds: 10, updates: 0}, 0, 1, 1, 11, 1},
		{"a tie on the maximum: fewer requests", friendBalance{adds: 2, updates: 4}, 0, 1, 1, 3, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.bal
			carry, adds, upds := b.choose(c, vendorFriendLimits)
			if carry != tc.carry || adds != tc.adds || upds != tc.updates || b.adds != tc.wantTotalAdds || b.updates != tc.wantTotalUpds {
				t.Errorf("choose = carry %d, %d adds, %d updates, totals %+v; want %d, %d, %d, totals %d %d",
					carry, adds, upds, b, tc.carry, tc.adds, tc.updates, tc.wantTotalAdds, tc.wantTotalUpds)
			}
		})
	}
}

// TestDiffFriendsInvariants diffs random intents against random targets and applies the
// writes under every reading of the open questions: no group_add names a group the user has,
// each group is created once, friend_update names only groups that exist, the limits hold,
// cost agrees with plan, and the end state is the target's with the input's on top.
func TestDiffFriendsInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	readings := []struct {
		name    string
		replace bool
	}{{"replace", true}, {"add", false}}
	for n := range 300 {
		ng := 1 + rng.IntN(6)
		var groups []string
		for g := range ng {
			groups = append(groups, fmt.Sprintf("g%d", g))
		}
		members := map[string][]string{}
		for f := range rng.IntN(40) {
			for _, g := range groups {
				if rng.IntN(3) == 0 {
					members[fmt.Sprintf("f%02d", f)] = append(members[fmt.Sprintf("f%02d", f)], g)
				}
			}
		}
		// The target: some of the input's groups and a few of its own, with random members.
		state := map[string]map[string]bool{}
		var order []string
		for _, g := range append(slices.Clone(groups), "t0", "t1") {
			if rng.IntN(2) == 0 {
				continue
			}
			state[g] = map[string]bool{}
			order = append(order, g)
			for f := range 45 {
				if rng.IntN(4) == 0 {
					state[g][fmt.Sprintf("f%02d", f)] = true
				}
			}
		}
		lim := friendLimits{names: 1 + rng.IntN(4), carry: rng.IntN(5), update: 1 + rng.IntN(7)}
		fg := fgOf(groups, members, rng.IntN(4))
		var target []chatapi.FriendGroupInfo
		for _, g := range order {
			gi := chatapi.FriendGroupInfo{GroupName: g}
			for f := range state[g] {
				gi.To_Account = append(gi.To_Account, f)
			}
			target = append(target, gi)
		}
		tgt, others, err := targetOf(fg, target)
		if err != nil {
			t.Fatal(err)
		}
		r := &friendRun{fg: fg, want: fg.Want, live: uint32(1)<<ng - 1, tgt: tgt, others: others, lim: lim}
		c := classify(r.want, r.live, &r.tgt, lim)
		ws := c.plan(fg.Carry, lim)
		adds, upds := 0, 0
		for _, w := range ws {
			if w.create != 0 {
				adds++
			} else {
				upds++
			}
		}
		if a, u := c.cost(fg.Carry, lim); a != adds || u != upds {
			t.Fatalf("case %d: cost says %d adds %d updates, plan has %d %d", n, a, u, adds, upds)
		}
		for _, rd := range readings {
			st := map[string]map[string]bool{}
			for g, ms := range state {
				st[g] = maps.Clone(ms)
			}
			created := map[string]bool{}
			for _, w := range ws {
				if w.create != 0 {
					req := r.addRequest(w)
					if len(req.GroupName) > lim.names || len(req.To_Account) > max(lim.carry, 0) {
						t.Fatalf("case %d: %+v over the limits %+v", n, req, lim)
					}
					for _, g := range req.GroupName {
						if st[g] != nil || created[g] {
							t.Fatalf("case %d: group_add names %q, which exists", n, g)
						}
						created[g] = true
						st[g] = map[string]bool{}
						for _, f := range req.To_Account {
							st[g][f] = true
						}
					}
					continue
				}
				req := r.updateRequest(w, c)
				if len(req.UpdateItem) > lim.update {
					t.Fatalf("case %d: %d friends in a friend_update, limit %d", n, len(req.UpdateItem), lim.update)
				}
				for _, it := range req.UpdateItem {
					list, _ := it.SnsItem[0].Strings()
					for _, g := range list {
						if st[g] == nil {
							t.Fatalf("case %d: friend_update names %q, which does not exist", n, g)
						}
					}
					if rd.replace {
						for _, ms := range st {
							delete(ms, it.To_Account)
						}
					}
					for _, g := range list {
						st[g][it.To_Account] = true
					}
				}
			}
			for g, ms := range state {
				for f := range ms {
					if !st[g][f] {
						t.Fatalf("case %d (%s): %s lost its membership in %s", n, rd.name, f, g)
					}
				}
			}
			for f, gs := range members {
				for _, g := range gs {
					if over := slices.Contains(r.groupNames(uint64(c.over)), g); !over && !st[g][f] {
						t.Fatalf("case %d (%s): %s not in %s", n, rd.name, f, g)
					}
				}
			}
			for _, g := range groups {
				if st[g] == nil && !slices.Contains(r.groupNames(uint64(c.over)), g) {
					t.Fatalf("case %d (%s): group %s not created", n, rd.name, g)
				}
			}
			if room := 32 - len(state); bits.OnesCount32(c.fresh) > room {
				t.Fatalf("case %d: %d groups to create with room for %d", n, bits.OnesCount32(c.fresh), room)
			}
		}
	}
}
