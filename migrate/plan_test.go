package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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
	// Signature packing wins: a={x,y}, b={x}, c={y} is 3 distinct sets but 2 signatures.
	sig := [][3]string{{"u", "a", "x"}, {"u", "a", "y"}, {"u", "b", "x"}, {"u", "c", "y"}}
	cases := []struct {
		name              string
		rows              [][3]string
		requests, invalid int
	}{
		{"2500 friends in one group", many, 3, 0},
		// A user has at most 32 friend groups: the 33rd to 40th rows are invalid, and the 32
		// valid empty groups go in one name-only request (packUser's own test covers 40).
		{"40 empty groups", empties, 1, 8},
		{"10 groups sharing 1000 members", shared(1000), 1, 0},
		{"10 groups sharing 1001 members", shared(1001), 2, 0},
		{"exactly 32 groups", groups(32), 32, 0},
		{"33 groups", groups(33), 32, 1},
		{"signatures win", sig, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, probs := planOf(t, map[string]string{"friend_groups.csv": friendCSV(c.rows)}, PlanOptions{})
			st := p.Stats[sources.FriendGroups]
			if st.Requests != c.requests || st.Invalid != c.invalid || len(probs) != c.invalid {
				t.Fatalf("requests %d invalid %d problems %d, want %d %d %d", st.Requests, st.Invalid, len(probs), c.requests, c.invalid, c.invalid)
			}
			if got := len(units(t, p, sources.FriendGroups)); got != c.requests {
				t.Fatalf("Units yields %d units, stats say %d", got, c.requests)
			}
			fc := p.FriendCounts()
			if fc.Planned != c.requests || fc.Planned > fc.PerGroup || fc.Planned > fc.IdenticalSets {
				t.Fatalf("FriendCounts %+v: planned must be the stats' count and never above the others", fc)
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
	cases := []struct {
		name                    string
		n, chunk                int
		requests, creates, invs int
	}{
		{"1000 conversations", 1000, 0, 10, 1, 0},
		{"1001 conversations", 1001, 0, 10, 1, 1},
		{"1000 at chunk 1000", 1000, 1000, 1, 1, 0},
		{"1 conversation", 1, 0, 1, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, probs := planOf(t, map[string]string{"contact_groups.csv": conv(c.n)}, PlanOptions{ContactChunk: c.chunk})
			st := p.Stats[sources.ContactGroups]
			if st.Requests != c.requests || st.ByEndpoint[chatapi.PathCreateContactGroup] != c.creates || len(probs) != c.invs {
				t.Fatalf("stats %+v problems %v", st, probs)
			}
			if c.invs > 0 && probs[0].Pos.Line != 1002 {
				t.Fatalf("want line 1002 (the 1001st) invalid, got %v", probs[0])
			}
			us := units(t, p, sources.ContactGroups)
			for i, u := range us {
				if want := i - 1; u.After != want || u.Key != "u" {
					t.Fatalf("unit %d: after %d key %q, want after %d", i, u.After, u.Key, want)
				}
			}
			checkContactCoverage(t, p)
		})
	}
}

// checkFriendCoverage rebuilds group -> members from the units and compares it with
// EachFriendUser: every valid membership planned, nothing else.
func checkFriendCoverage(t testing.TB, p *Plan) {
	t.Helper()
	got := map[string]map[string]map[string]bool{}
	for _, u := range units(t, p, sources.FriendGroups) {
		r := u.GroupAdd
		if len(r.GroupName) == 0 || len(r.GroupName) > 32 || len(r.To_Account) > 1000 || u.Key != r.From_Account {
			t.Fatalf("unit breaks the limits: %+v", r)
		}
		if want := len(r.GroupName) * max(len(r.To_Account), 1); len(u.Items) != want {
			t.Fatalf("unit has %d items, want %d", len(u.Items), want)
		}
		if got[r.From_Account] == nil {
			got[r.From_Account] = map[string]map[string]bool{}
		}
		for _, g := range r.GroupName {
			if got[r.From_Account][g] == nil {
				got[r.From_Account][g] = map[string]bool{}
			}
			for _, f := range r.To_Account {
				if got[r.From_Account][g][f] {
					t.Fatalf("%s/%s/%s sent twice", r.From_Account, g, f)
				}
				got[r.From_Account][g][f] = true
			}
		}
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

// checkContactCoverage replays the units and compares the result with EachContactUser.
func checkContactCoverage(t testing.TB, p *Plan) {
	t.Helper()
	type key struct{ user, group string }
	state := map[key]map[chatapi.ContactItem]bool{}
	for _, u := range units(t, p, sources.ContactGroups) {
		switch {
		case u.Create != nil:
			g := u.Create.GroupContactItem[0]
			k := key{u.Key, g.GroupName}
			if state[k] != nil {
				t.Fatalf("group %v created twice", k)
			}
			state[k] = map[chatapi.ContactItem]bool{}
			for _, c := range g.ContactItem {
				state[k][c] = true
			}
		case u.Update.UpdateGroup.UpdateGroupType == chatapi.UpdateGroupRename:
			ug := u.Update.UpdateGroup
			old, nu := key{u.Key, ug.OldGroupName}, key{u.Key, ug.NewGroupName}
			if state[old] == nil || state[nu] != nil {
				t.Fatalf("rename %v -> %v invalid here", old, nu)
			}
			state[nu] = state[old]
			delete(state, old)
		default:
			k := key{u.Key, u.Update.UpdateGroup.OldGroupName}
			if state[k] == nil {
				t.Fatalf("update of %v before its create", k)
			}
			for _, ci := range u.Update.UpdateGroup.ContactUpdateItem {
				if ci.ContactOptType == chatapi.ContactOptAdd {
					state[k][ci.ContactItem] = true
				} else {
					delete(state[k], ci.ContactItem)
				}
			}
		}
	}
	want := map[key]map[chatapi.ContactItem]bool{}
	err := p.EachContactUser(context.Background(), func(user string, groups map[string][]chatapi.ContactItem) error {
		for g, cs := range groups {
			want[key{user, g}] = map[chatapi.ContactItem]bool{}
			for _, c := range cs {
				want[key{user, g}][c] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(state, want) {
		t.Fatalf("units give\n%v\nwant\n%v", state, want)
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
	if p.Total != 2+3+2 || p.Offset(sources.FriendGroups) != 2 || p.Offset(sources.ContactGroups) != 5 {
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

func TestPackUserEmptyGroups(t *testing.T) {
	// Validation caps a user at 32 groups; the packing itself chunks any number.
	gs := make([]fgroup, 40)
	for i := range gs {
		gs[i] = fgroup{name: int32(i), decl: &membership{}}
	}
	reqs, c := packUser(gs)
	if len(reqs) != 2 || len(reqs[0].groups) != 32 || len(reqs[1].groups) != 8 || c.Planned != 2 || c.PerGroup != 2 {
		t.Fatalf("40 empty groups: %d requests %+v", len(reqs), c)
	}
}
