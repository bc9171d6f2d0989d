package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// planOf writes the given files (name -> content) to a temporary directory and plans them.
func planOf(t testing.TB, files map[string]string, opt PlanOptions) (*Plan, []Problem) {
	t.Helper()
	p, probs, err := tryPlanOf(t, files, opt)
	if err != nil {
		t.Fatalf("BuildPlan: %v", err)
	}
	return p, probs
}

// tryPlanOf is planOf that returns BuildPlan's error (a plan may come with header errors).
func tryPlanOf(t testing.TB, files map[string]string, opt PlanOptions) (*Plan, []Problem, error) {
	t.Helper()
	// Several files of one kind may be given, in name order (writeInputs).
	in := writeInputs(t, files)
	var probs []Problem
	opt.OnProblem = func(p Problem) { probs = append(probs, p) }
	if opt.Now == nil {
		opt.Now = func() time.Time { return testNow }
	}
	p, err := BuildPlan(context.Background(), in, opt)
	return p, probs, err
}

// units collects a kind's units.
func units(t testing.TB, p *Plan, k sources.Kind) []*Unit {
	t.Helper()
	var us []*Unit
	if err := p.Units(context.Background(), k, func(u *Unit) error { us = append(us, u); return nil }); err != nil {
		t.Fatal(err)
	}
	return us
}

// friendCSV builds a friend-groups CSV from (user, group, friend) triples.
func friendCSV(rows [][3]string) string {
	var b strings.Builder
	b.WriteString("From_Account,GroupName,To_Account\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s\n", r[0], r[1], r[2])
	}
	return b.String()
}

func TestPlanFriendRequestCounts(t *testing.T) {
	var many [][3]string // 2500 friends in one group
	for i := range 2500 {
		many = append(many, [3]string{"u", "g", fmt.Sprintf("f%04d", i)})
	}
	var empties [][3]string // 40 empty groups
	for i := range 40 {
		empties = append(empties, [3]string{"u", fmt.Sprintf("e%02d", i), ""})
	}
	shared := func(members int) [][3]string { // 10 groups with one member set
		var rows [][3]string
		for g := range 10 {
			for f := range members {
				rows = append(rows, [3]string{"u", fmt.Sprintf("g%d", g), fmt.Sprintf("f%04d", f)})
			}
		}
		return rows
	}
	groups := func(n int) [][3]string { // n groups, each with its own friend
		var rows [][3]string
		for g := range n {
			rows = append(rows, [3]string{"u", fmt.Sprintf("g%02d", g), fmt.Sprintf("f%02d", g)})
		}
		return rows
	}
	// Overlapping sets: a={x,y}, b={x}, c={y}; x and y each miss two groups.
	sig := [][3]string{{"u", "a", "x"}, {"u", "a", "y"}, {"u", "b", "x"}, {"u", "c", "y"}}
	// Every case is one user: one unit and one sns/group_get; the writes are what an empty
	// target needs, the groups created by one group_add.
	cases := []struct {
		name                   string
		rows                   [][3]string
		adds, updates, invalid int
	}{
		{"2500 friends in one group", many, 1, 2, 0}, // 1000 ride on the create
		// A user has at most 32 friend groups: the 33rd to 40th rows are invalid, and the 32
		// valid empty groups go in one name-only request.
		{"40 empty groups", empties, 1, 0, 8},
		{"10 groups sharing 1000 members", shared(1000), 1, 0, 0},
		{"10 groups sharing 1001 members", shared(1001), 1, 1, 0},
		{"exactly 32 groups", groups(32), 1, 1, 0},
		{"33 groups", groups(33), 1, 1, 1},
		{"overlapping sets", sig, 1, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, probs := planOf(t, map[string]string{"friend_groups.csv": friendCSV(c.rows)}, PlanOptions{})
			st := p.Stats[sources.FriendGroups]
			requests := 1 + c.adds + c.updates
			if st.Units != 1 || st.Requests != requests || st.Invalid != c.invalid || len(probs) != c.invalid {
				t.Fatalf("units %d requests %d invalid %d problems %d, want 1 %d %d %d", st.Units, st.Requests, st.Invalid, len(probs), requests, c.invalid, c.invalid)
			}
			if got := len(units(t, p, sources.FriendGroups)); got != st.Units {
				t.Fatalf("Units yields %d units, stats say %d", got, st.Units)
			}
			want := map[string]int{chatapi.PathGroupGet: 1, chatapi.PathGroupAdd: c.adds, chatapi.PathFriendUpdate: c.updates}
			if c.updates == 0 {
				delete(want, chatapi.PathFriendUpdate)
			}
			if !reflect.DeepEqual(st.ByEndpoint, want) {
				t.Fatalf("requests by endpoint %v, want %v", st.ByEndpoint, want)
			}
			checkFriendCoverage(t, p)
		})
	}
}

func TestPlanFriendLimit3000(t *testing.T) {
	var rows [][3]string
	for i := range 3001 {
		rows = append(rows, [3]string{"u", fmt.Sprintf("g%d", i%3), fmt.Sprintf("f%04d", i)})
	}
	rows = append(rows, [3]string{"u", "g0", "f0001"}) // an existing friend in another group: fine
	p, probs := planOf(t, map[string]string{"friend_groups.csv": friendCSV(rows)}, PlanOptions{})
	if len(probs) != 1 || probs[0].Pos.Line != 3002 || probs[0].Item.To_Account != "f3000" {
		t.Fatalf("want only the 3001st friend (line 3002) invalid, got %v", probs)
	}
	if st := p.Stats[sources.FriendGroups]; st.Valid != 3001 || st.Items != 3001 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPlanContactRequestCounts(t *testing.T) {
	conv := func(n int) string {
		var b strings.Builder
		b.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId\n")
		for i := range n {
			fmt.Fprintf(&b, "u,g,1,c%04d,\n", i)
		}
		return b.String()
	}
	// One unit per user; its requests are the read and what an empty target needs: one create
	// of 100 conversations at most, then updates of 100 at most, whatever the chunk asked for.
	cases := []struct {
		name                             string
		n, chunk                         int
		requests, creates, updates, invs int
	}{
		{"1000 conversations", 1000, 0, 11, 1, 9, 0},
		{"1001 conversations", 1001, 0, 11, 1, 9, 1},
		{"1000 at chunk 1000", 1000, 1000, 11, 1, 9, 0},
		{"1000 at chunk 300", 1000, 300, 11, 1, 9, 0},
		{"1000 at chunk 250", 1000, 250, 11, 1, 9, 0},
		{"1000 at chunk 50", 1000, 50, 21, 1, 19, 0},
		{"1 conversation", 1, 0, 2, 1, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, probs := planOf(t, map[string]string{"contact_groups.csv": conv(c.n)}, PlanOptions{ContactChunk: c.chunk})
			st := p.Stats[sources.ContactGroups]
			if st.Requests != c.requests || st.ByEndpoint[chatapi.PathCreateContactGroup] != c.creates ||
				st.ByEndpoint[chatapi.PathUpdateContactGroup] != c.updates || st.ByEndpoint[chatapi.PathGetContactGroup] != 1 ||
				st.Units != 1 || len(probs) != c.invs {
				t.Fatalf("stats %+v problems %v", st, probs)
			}
			if c.invs > 0 && probs[0].Pos.Line != 1002 {
				t.Fatalf("want line 1002 (the 1001st) invalid, got %v", probs[0])
			}
			us := units(t, p, sources.ContactGroups)
			if len(us) != 1 || us[0].Key != "u" || len(us[0].Items) != min(c.n, 1000) {
				t.Fatalf("want one unit of user u with every valid row, got %d", len(us))
			}
			checkContactCoverage(t, p)
		})
	}
}

// TestPlanContactLimitPerUser: the vendor's 1000 are distinct conversations per user across
// all of its groups (51008), not per group: a conversation in two groups counts once, and one
// removed from its only group frees its place.
func TestPlanContactLimitPerUser(t *testing.T) {
	var b strings.Builder
	b.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId,Op\n")
	for i := range 600 {
		fmt.Fprintf(&b, "u,g1,1,c%04d,,\n", i)
	}
	for i := range 400 {
		fmt.Fprintf(&b, "u,g2,1,c%04d,,\n", i) // in g1 already: no new distinct conversation
	}
	for i := 600; i < 1000; i++ {
		fmt.Fprintf(&b, "u,g2,1,c%04d,,\n", i) // the 601st to 1000th
	}
	b.WriteString("u,g3,1,over,,\n")        // line 1402: the 1001st, invalid
	b.WriteString("u,g1,1,c0999,,\n")       // in g2 already: fine
	b.WriteString("u,g2,1,c0999,,remove\n") // still in g1: frees nothing
	b.WriteString("u,g3,1,over2,,\n")       // line 1405: invalid
	b.WriteString("u,g1,1,c0999,,remove\n") // in no group now: frees one
	b.WriteString("u,g3,1,fits,,\n")
	b.WriteString("v,g,1,other,,\n") // another user counts on its own
	p, probs := planOf(t, map[string]string{"contact_groups.csv": b.String()}, PlanOptions{})
	var lines []int
	for _, pr := range probs {
		lines = append(lines, pr.Pos.Line)
	}
	if !slices.Equal(lines, []int{1402, 1405}) {
		t.Fatalf("invalid lines %v, want [1402 1405]: %v", lines, probs)
	}
	if st := p.Stats[sources.ContactGroups]; st.Units != 2 || st.Items != 1405 {
		t.Fatalf("stats %+v", st)
	}
	checkContactCoverage(t, p)
}

// checkFriendCoverage applies the writes each unit sends to an empty target, checking the
// vendor's limits, and compares the result with EachFriendUser: every valid membership
// planned, nothing else; the writes are the ones the stats count.
func checkFriendCoverage(t testing.TB, p *Plan) {
	t.Helper()
	got := map[string]map[string]map[string]bool{}
	writes := map[string]int{}
	for _, u := range units(t, p, sources.FriendGroups) {
		fg := u.Friends
		if len(fg.Groups) == 0 || len(fg.Groups) > 32 || u.Key != fg.From_Account || len(u.Items) == 0 {
			t.Fatalf("unit breaks the limits: %+v", fg)
		}
		st := map[string]map[string]bool{}
		got[fg.From_Account] = st
		writes[chatapi.PathGroupGet]++
		r := &friendRun{fg: fg, want: fg.Want, live: uint32(1)<<len(fg.Groups) - 1, lim: vendorFriendLimits}
		c := classify(r.want, r.live, &r.tgt, r.lim)
		for _, w := range c.plan(fg.Carry, r.lim) {
			if w.create != 0 {
				writes[chatapi.PathGroupAdd]++
				req := r.addRequest(w)
				if len(req.GroupName) > 32 || len(req.To_Account) > 1000 {
					t.Fatalf("group_add breaks the limits: %+v", req)
				}
				for _, g := range req.GroupName {
					if st[g] != nil {
						t.Fatalf("%s/%s created twice", fg.From_Account, g)
					}
					st[g] = map[string]bool{}
					for _, f := range req.To_Account {
						st[g][f] = true
					}
				}
				continue
			}
			writes[chatapi.PathFriendUpdate]++
			req := r.updateRequest(w, c)
			if len(req.UpdateItem) > 1000 {
				t.Fatalf("friend_update of %d friends", len(req.UpdateItem))
			}
			for _, it := range req.UpdateItem {
				list, _ := it.SnsItem[0].Strings()
				for _, g := range list {
					if st[g] == nil {
						t.Fatalf("friend_update names %s/%s before it exists", fg.From_Account, g)
					}
					st[g][it.To_Account] = true
				}
			}
		}
	}
	if st := p.Stats[sources.FriendGroups]; !reflect.DeepEqual(writes, st.ByEndpoint) && len(writes)+len(st.ByEndpoint) > 0 {
		t.Fatalf("the units send %v, the stats say %v", writes, st.ByEndpoint)
	}
	want := map[string]map[string]map[string]bool{}
	err := p.EachFriendUser(context.Background(), func(user string, groups map[string][]string) error {
		want[user] = map[string]map[string]bool{}
		for g, ms := range groups {
			want[user][g] = map[string]bool{}
			for _, m := range ms {
				want[user][g][m] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("units cover\n%v\nwant\n%v", got, want)
	}
}

// checkContactCoverage runs every unit's diff against an empty target held by the strict
// simulator of plan_contacts_diff_test.go and compares the end state with EachContactUser:
// every valid row planned, no request the simulator refuses. A group the input only changes
// is not there to change, so it fails (51009) and is left out of the comparison.
func checkContactCoverage(t testing.TB, p *Plan) {
	t.Helper()
	got := map[string]map[string][]chatapi.ContactItem{}
	for _, u := range units(t, p, sources.ContactGroups) {
		if u.Contacts == nil || u.Key != u.Contacts.From_Account {
			t.Fatalf("unit %d is not one user's conversation groups: %+v", u.Ord, u)
		}
		sim := newSim(nil)
		writes, _ := diffContacts(u.Contacts, sim.pages(), nil, p.contactChunk())
		for i := range writes {
			if err := sim.apply(&writes[i]); err != nil {
				t.Fatalf("user %s write %d: %v", u.Key, i, err)
			}
		}
		got[u.Key] = sim.state()
	}
	want := map[string]map[string][]chatapi.ContactItem{}
	err := p.eachContactWant(context.Background(), func(user string, groups map[string][]chatapi.ContactItem, changeOnly map[string]bool) error {
		want[user] = map[string][]chatapi.ContactItem{}
		for g, cs := range groups {
			if !changeOnly[g] {
				want[user][g] = cs
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("units give\n%v\nwant\n%v", got, want)
	}
}

func TestPlanContactsGolden(t *testing.T) {
	// The contacts case of testdata/validate, replayed: renames, removes, reused names.
	var in sources.Inputs
	if err := in.AddDir(filepath.Join("testdata", "validate", "contacts")); err != nil {
		t.Fatal(err)
	}
	p, err := BuildPlan(context.Background(), in, PlanOptions{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	checkContactCoverage(t, p)
}

func TestPlanDeterministic(t *testing.T) {
	files := map[string]string{
		"topics.csv":         "GroupId,TopicName\n@TGS#_a,one\n@TGS#_a,two\n",
		"friend_groups.csv":  friendCSV([][3]string{{"z", "g", "a"}, {"b", "g", "c"}, {"b", "h", ""}, {"z", "g", "b"}}),
		"contact_groups.csv": "From_Account,GroupName,Type,To_Account,ToGroupId\nz,g,1,a,\nb,g,2,,@TGS#x\n",
	}
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var in sources.Inputs
	if err := in.AddDir(dir); err != nil {
		t.Fatal(err)
	}
	build := func(opt PlanOptions) *Plan {
		p, err := BuildPlan(context.Background(), in, opt)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	render := func() (string, string) {
		p := build(PlanOptions{})
		var b strings.Builder
		for _, k := range sources.Kinds {
			for _, u := range units(t, p, k) {
				j, err := json.Marshal(u)
				if err != nil {
					t.Fatal(err)
				}
				b.Write(j)
				b.WriteByte('\n')
			}
		}
		return b.String(), p.Fingerprint
	}
	a, fa := render()
	b, fb := render()
	if a != b || fa != fb || len(fa) != 64 {
		t.Fatalf("two plans of the same input differ:\n%s\n%s\n%s %s", a, b, fa, fb)
	}
	p := build(PlanOptions{ContactChunk: 7})
	if p.Fingerprint == fa {
		t.Fatal("fingerprint ignores ContactChunk")
	}
	if p.Total != 2+2+2 || p.Offset(sources.FriendGroups) != 2 || p.Offset(sources.ContactGroups) != 4 {
		t.Fatalf("total %d offsets %d %d", p.Total, p.Offset(sources.FriendGroups), p.Offset(sources.ContactGroups))
	}
	if err := os.WriteFile(filepath.Join(dir, "topics.csv"), []byte(files["topics.csv"]+"@TGS#_a,three\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p2 := build(PlanOptions{}); p2.Fingerprint == fa {
		t.Fatal("fingerprint ignores the bytes")
	}
}

func TestPlanHeaderErrorsJoined(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	in := sources.Inputs{
		Topics:       []string{write("a.csv", "GroupId\n@TGS#_a\n"), write("b.csv", "GroupId,TopicName\n@TGS#_a,x\n")},
		FriendGroups: []string{write("f.csv", "Nope\n")},
	}
	p, err := BuildPlan(context.Background(), in, PlanOptions{})
	if p == nil || err == nil {
		t.Fatalf("want a plan and an error, got %v %v", p, err)
	}
	var he *sources.HeaderError
	if !errorsAs(err, &he) || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want two joined header errors, got %v", err)
	}
	if p.Stats[sources.Topics].Valid != 1 {
		t.Fatalf("the good file must still be planned: %+v", p.Stats[sources.Topics])
	}
	if _, err := BuildPlan(context.Background(), sources.Inputs{Topics: []string{filepath.Join(dir, "missing.csv")}}, PlanOptions{}); err == nil {
		t.Fatal("a missing file must fail")
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
