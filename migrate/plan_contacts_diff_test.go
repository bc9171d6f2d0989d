package migrate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// simContacts is one user's conversation groups as a strict service keeps them: a create of
// a name the user has, a rename onto one, a change of a group that is not there, a request of
// more than 100 conversations, a repeated add and an absent remove are all errors, so that a
// diff that would depend on how the service reads them fails the test.
type simContacts struct {
	groups []simGroup // in GroupId order
	nextID int
}

type simGroup struct {
	id      int
	name    string
	members map[contactKey]chatapi.ContactItem
}

func newSim(groups map[string][]chatapi.ContactItem) *simContacts {
	s := &simContacts{nextID: 1}
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		g := s.add(name)
		for _, c := range groups[name] {
			g.members[keyOf(c)] = c
		}
	}
	return s
}

func (s *simContacts) add(name string) *simGroup {
	s.groups = append(s.groups, simGroup{id: s.nextID, name: name, members: make(map[contactKey]chatapi.ContactItem)})
	s.nextID++
	return &s.groups[len(s.groups)-1]
}

func (s *simContacts) byName(name string) *simGroup {
	for i := range s.groups {
		if s.groups[i].name == name {
			return &s.groups[i]
		}
	}
	return nil
}

// pages is what get_contact_group would answer, as one page.
func (s *simContacts) pages() *contactPages {
	p := &contactPages{names: make(map[int]string), members: make(map[int][]chatapi.ContactItem)}
	for _, g := range s.groups {
		p.names[g.id] = g.name
		p.members[g.id] = slices.Collect(maps.Values(g.members))
	}
	return p
}

// state returns name → sorted conversations.
func (s *simContacts) state() map[string][]chatapi.ContactItem {
	out := make(map[string][]chatapi.ContactItem)
	for _, g := range s.groups {
		cs := slices.Collect(maps.Values(g.members))
		slices.SortFunc(cs, compareContacts)
		out[g.name] = append([]chatapi.ContactItem{}, cs...)
	}
	return out
}

func (s *simContacts) distinct() int {
	set := make(map[contactKey]bool)
	for _, g := range s.groups {
		for k := range g.members {
			set[k] = true
		}
	}
	return len(set)
}

// apply plays one write, or says why a strict service refuses it.
func (s *simContacts) apply(w *contactWrite) error {
	if w.create != nil {
		if len(w.create.GroupContactItem) != 1 {
			return fmt.Errorf("create of %d groups", len(w.create.GroupContactItem))
		}
		gci := w.create.GroupContactItem[0]
		b, _ := json.Marshal(gci)
		switch {
		case !strings.Contains(string(b), `"ContactItem":[`):
			return fmt.Errorf("create without a ContactItem list: %s", b)
		case len(gci.ContactItem) > chatapi.MaxContactsPerRequest:
			return fmt.Errorf("create of %d conversations", len(gci.ContactItem))
		case s.byName(gci.GroupName) != nil:
			return fmt.Errorf("create of %q, a name the user has", gci.GroupName)
		case len(s.groups) >= chatapi.MaxContactGroupsPerUser:
			return fmt.Errorf("create of a 21st group")
		}
		g := s.add(gci.GroupName)
		for _, c := range gci.ContactItem {
			g.members[keyOf(c)] = c
		}
		return s.checkDistinct()
	}
	ug := w.update.UpdateGroup
	g := s.byName(ug.OldGroupName)
	if g == nil {
		return fmt.Errorf("update of %q, which the user does not have", ug.OldGroupName)
	}
	if ug.UpdateGroupType == chatapi.UpdateGroupRename {
		if s.byName(ug.NewGroupName) != nil {
			return fmt.Errorf("rename onto %q, a name the user has", ug.NewGroupName)
		}
		g.name = ug.NewGroupName
		return nil
	}
	if n := len(ug.ContactUpdateItem); n == 0 || n > chatapi.MaxContactsPerRequest {
		return fmt.Errorf("update of %d conversations", n)
	}
	for _, it := range ug.ContactUpdateItem {
		k := keyOf(it.ContactItem)
		_, in := g.members[k]
		switch {
		case it.ContactOptType == chatapi.ContactOptAdd && in:
			return fmt.Errorf("repeated add of %v", k)
		case it.ContactOptType == chatapi.ContactOptDelete && !in:
			return fmt.Errorf("remove of %v, which is not in %q", k, g.name)
		case it.ContactOptType == chatapi.ContactOptAdd:
			g.members[k] = it.ContactItem
		default:
			delete(g.members, k)
		}
	}
	return s.checkDistinct()
}

func (s *simContacts) checkDistinct() error {
	if n := s.distinct(); n > chatapi.MaxContactsPerUser {
		return fmt.Errorf("%d distinct conversations", n)
	}
	return nil
}

// c2c and grp are conversations for the tables.
func c2c(id string) chatapi.ContactItem {
	return chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: id}
}
func grp(id string) chatapi.ContactItem {
	return chatapi.ContactItem{Type: chatapi.ContactGroup, ToGroupId: id}
}

// contactRow is one input row of a diff table: op "add" (with no conversation: a declare),
// "remove" or "rename" (to name new).
type contactRow struct {
	op, group string
	c         chatapi.ContactItem
	new       string
}

// changesOf builds a user's ContactChanges from rows through the collector and the unit
// builder, as the plan does.
func changesOf(t *testing.T, rows []contactRow) *Unit {
	t.Helper()
	var b strings.Builder
	b.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n")
	for _, r := range rows {
		typ := ""
		if r.c.Type != 0 {
			typ = fmt.Sprint(r.c.Type)
		}
		fmt.Fprintf(&b, "u,%s,%s,%s,%s,%s,%s\n", r.group, typ, r.c.To_Account, r.c.ToGroupId, r.op, r.new)
	}
	p, probs := planOf(t, map[string]string{"contact_groups.csv": b.String()}, PlanOptions{})
	if len(probs) > 0 {
		t.Fatalf("input problems: %v", probs)
	}
	us := units(t, p, sources.ContactGroups)
	if len(us) != 1 {
		t.Fatalf("%d units, want 1", len(us))
	}
	return us[0]
}

// writeText renders a write in one line for the tables.
func writeText(w *contactWrite) string {
	if w.create != nil {
		g := w.create.GroupContactItem[0]
		return fmt.Sprintf("create %s %d", g.GroupName, len(g.ContactItem))
	}
	ug := w.update.UpdateGroup
	if ug.UpdateGroupType == chatapi.UpdateGroupRename {
		return fmt.Sprintf("rename %s %s", ug.OldGroupName, ug.NewGroupName)
	}
	adds, dels := 0, 0
	for _, it := range ug.ContactUpdateItem {
		if it.ContactOptType == chatapi.ContactOptAdd {
			adds++
		} else {
			dels++
		}
	}
	return fmt.Sprintf("update %s +%d -%d", ug.OldGroupName, adds, dels)
}

func convs(prefix string, n int) []chatapi.ContactItem {
	out := make([]chatapi.ContactItem, n)
	for i := range out {
		out[i] = c2c(fmt.Sprintf("%s%04d", prefix, i))
	}
	return out
}

func addRows(group string, cs []chatapi.ContactItem) []contactRow {
	rows := make([]contactRow, len(cs))
	for i, c := range cs {
		rows[i] = contactRow{op: "add", group: group, c: c}
	}
	return rows
}

func groupsOf(n int) map[string][]chatapi.ContactItem {
	out := make(map[string][]chatapi.ContactItem)
	for i := range n {
		out[fmt.Sprintf("t%02d", i)] = nil
	}
	return out
}

func TestDiffContacts(t *testing.T) {
	a, b, c, x := c2c("a"), c2c("b"), grp("@TGS#_c"), c2c("x")
	cases := []struct {
		name   string
		target map[string][]chatapi.ContactItem
		rows   []contactRow
		chunk  int
		writes []string
		fails  map[int]string // row → code
		want   map[string][]chatapi.ContactItem
	}{
		{name: "new group", rows: []contactRow{{op: "add", group: "g", c: a}, {op: "add", group: "g", c: c}},
			writes: []string{"create g 2"}, want: map[string][]chatapi.ContactItem{"g": {a, c}}},
		{name: "empty group is created with ContactItem []", rows: []contactRow{{op: "add", group: "g"}},
			writes: []string{"create g 0"}, want: map[string][]chatapi.ContactItem{"g": {}}},
		{name: "150 conversations: create 100, update 50", rows: addRows("g", convs("m", 150)),
			writes: []string{"create g 100", "update g +50 -0"}, want: map[string][]chatapi.ContactItem{"g": convs("m", 150)}},
		{name: "chunk over 100 is cut to 100", rows: addRows("g", convs("m", 101)), chunk: 1000,
			writes: []string{"create g 100", "update g +1 -0"}, want: map[string][]chatapi.ContactItem{"g": convs("m", 101)}},
		{name: "existing group gets only what it lacks", target: map[string][]chatapi.ContactItem{"g": {a, b}},
			rows:   []contactRow{{op: "add", group: "g", c: a}, {op: "add", group: "g", c: c}},
			writes: []string{"update g +1 -0"}, want: map[string][]chatapi.ContactItem{"g": {a, b, c}}},
		{name: "existing group declared: nothing to send", target: map[string][]chatapi.ContactItem{"g": {a}},
			rows: []contactRow{{op: "add", group: "g"}}, want: map[string][]chatapi.ContactItem{"g": {a}}},
		{name: "removes only what is there", target: map[string][]chatapi.ContactItem{"g": {a, b}},
			rows:   []contactRow{{op: "remove", group: "g", c: b}, {op: "remove", group: "g", c: x}},
			writes: []string{"update g +0 -1"}, want: map[string][]chatapi.ContactItem{"g": {a}}},
		{name: "last row wins", rows: []contactRow{{op: "add", group: "g", c: a}, {op: "remove", group: "g", c: a},
			{op: "add", group: "g", c: b}, {op: "add", group: "g", c: a}, {op: "remove", group: "g", c: b}},
			writes: []string{"create g 1"}, want: map[string][]chatapi.ContactItem{"g": {a}}},
		{name: "rename of an existing group first", target: map[string][]chatapi.ContactItem{"old": {a}},
			rows:   []contactRow{{op: "add", group: "old", c: b}, {op: "rename", group: "old", new: "new"}, {op: "add", group: "new", c: c}},
			writes: []string{"rename old new", "update new +2 -0"}, want: map[string][]chatapi.ContactItem{"new": {a, b, c}}},
		{name: "rename done already", target: map[string][]chatapi.ContactItem{"new": {a, b}},
			rows: []contactRow{{op: "add", group: "old", c: b}, {op: "rename", group: "old", new: "new"}},
			want: map[string][]chatapi.ContactItem{"new": {a, b}}},
		{name: "renamed new group is created under its final name",
			rows:   []contactRow{{op: "add", group: "old", c: a}, {op: "rename", group: "old", new: "mid"}, {op: "rename", group: "mid", new: "new"}},
			writes: []string{"create new 1"}, want: map[string][]chatapi.ContactItem{"new": {a}}},
		{name: "middle name on the target", target: map[string][]chatapi.ContactItem{"mid": {b}},
			rows:   []contactRow{{op: "add", group: "old", c: a}, {op: "rename", group: "old", new: "mid"}, {op: "rename", group: "mid", new: "new"}},
			writes: []string{"rename mid new", "update new +1 -0"}, want: map[string][]chatapi.ContactItem{"new": {a, b}}},
		{name: "a name freed by a rename is created again after it", target: map[string][]chatapi.ContactItem{"A": {x}},
			rows:   []contactRow{{op: "add", group: "A", c: a}, {op: "rename", group: "A", new: "Q"}, {op: "add", group: "A", c: b}},
			writes: []string{"rename A Q", "update Q +1 -0", "create A 1"}, want: map[string][]chatapi.ContactItem{"Q": {a, x}, "A": {b}}},
		{name: "remove from a group the user does not have", rows: []contactRow{{op: "remove", group: "g", c: a}},
			fails: map[int]string{0: "51009"}, want: map[string][]chatapi.ContactItem{}},
		{name: "rename of a group the user does not have",
			rows:  []contactRow{{op: "rename", group: "g", new: "h"}, {op: "remove", group: "h", c: a}},
			fails: map[int]string{0: "51009", 1: "51009"}, want: map[string][]chatapi.ContactItem{}},
		{name: "21st group counted with the target's", target: groupsOf(19),
			rows:   []contactRow{{op: "add", group: "n1", c: a}, {op: "add", group: "n2", c: b}, {op: "add", group: "t00", c: c}},
			writes: []string{"create n1 1", "update t00 +1 -0"}, fails: map[int]string{1: "51010"},
			want: func() map[string][]chatapi.ContactItem {
				m := groupsOf(19)
				for k := range m {
					m[k] = []chatapi.ContactItem{}
				}
				m["n1"], m["t00"] = []chatapi.ContactItem{a}, []chatapi.ContactItem{c}
				return m
			}()},
		{name: "1001st distinct conversation counted with the target's", target: map[string][]chatapi.ContactItem{"t": convs("t", 999)},
			rows:   []contactRow{{op: "add", group: "g", c: a}, {op: "add", group: "g", c: c2c("t0001")}, {op: "add", group: "g", c: b}},
			writes: []string{"create g 2"}, fails: map[int]string{2: "51008"},
			want: map[string][]chatapi.ContactItem{"t": convs("t", 999), "g": {a, c2c("t0001")}}},
		{name: "removes free room for adds", target: map[string][]chatapi.ContactItem{"t": convs("t", 1000)},
			rows:   []contactRow{{op: "add", group: "t", c: a}, {op: "remove", group: "t", c: c2c("t0000")}},
			writes: []string{"update t +0 -1", "update t +1 -0"},
			want:   map[string][]chatapi.ContactItem{"t": append([]chatapi.ContactItem{a}, convs("t", 1000)[1:]...)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := changesOf(t, tc.rows)
			sim := newSim(tc.target)
			chunk := tc.chunk
			if chunk == 0 {
				chunk = DefaultContactChunk
			}
			writes, fails := diffContacts(u.Contacts, sim.pages(), nil, chunk)
			var got []string
			for i := range writes {
				got = append(got, writeText(&writes[i]))
				if err := sim.apply(&writes[i]); err != nil {
					t.Fatalf("write %d (%s): %v", i, got[i], err)
				}
			}
			if !slices.Equal(got, tc.writes) {
				t.Errorf("writes %q, want %q", got, tc.writes)
			}
			gotFails := make(map[int]string)
			for _, f := range fails {
				gotFails[f.item] = f.code
			}
			if len(gotFails) != len(tc.fails) || (len(tc.fails) > 0 && !maps.Equal(gotFails, tc.fails)) {
				t.Errorf("fails %v, want %v", gotFails, tc.fails)
			}
			want := tc.want
			for k, v := range want {
				v = slices.Clone(v)
				slices.SortFunc(v, compareContacts)
				want[k] = append([]chatapi.ContactItem{}, v...)
			}
			if st := sim.state(); fmt.Sprint(st) != fmt.Sprint(want) {
				t.Errorf("end state\n got %v\nwant %v", st, want)
			}
			// Diffing again against the end state asks for nothing: a rerun sends no write.
			failed := make(itemsFailed)
			for _, f := range fails {
				failed[f.item] = true
			}
			again, _ := diffContacts(u.Contacts, sim.pages(), failed, chunk)
			if len(again) != 0 {
				t.Errorf("a second diff asks for %d writes, first %s", len(again), writeText(&again[0]))
			}
		})
	}
}

func TestGroupContactItemAlwaysHasContactItem(t *testing.T) {
	for _, g := range []chatapi.GroupContactItem{{GroupName: "g"}, {GroupName: "g", ContactItem: []chatapi.ContactItem{}}} {
		b, err := json.Marshal(chatapi.CreateContactGroupRequest{From_Account: "u", GroupContactItem: []chatapi.GroupContactItem{g}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"ContactItem":[]`) {
			t.Errorf("%+v marshals as %s, want ContactItem []", g, b)
		}
	}
}

// itemsFailed is a diff's before that fails the items it holds.
type itemsFailed map[int]bool

func (f itemsFailed) itemFailed(i int) bool { return f[i] }
func (itemsFailed) lineageFailed(int) bool  { return false }

func TestDiffContactsSkipsFailedItems(t *testing.T) {
	u := changesOf(t, []contactRow{{op: "add", group: "g", c: c2c("a")}, {op: "add", group: "g", c: c2c("b")},
		{op: "add", group: "h", c: c2c("c")}})
	writes, _ := diffContacts(u.Contacts, &contactPages{}, itemsFailed{1: true, 2: true}, 100)
	if len(writes) != 1 || writeText(&writes[0]) != "create g 1" {
		var got []string
		for i := range writes {
			got = append(got, writeText(&writes[i]))
		}
		t.Fatalf("writes %q, want only g's create with a", got)
	}
}

// contactSummary is a conversation-groups unit in short, for the golden plans: the user and
// each lineage's names.
func contactSummary(cc *ContactChanges) any {
	names := make([][]string, len(cc.Lineages))
	for i, l := range cc.Lineages {
		names[i] = l.Names
	}
	return struct {
		From_Account string
		Lineages     [][]string
	}{cc.From_Account, names}
}

// renderContactWrites writes what a conversation-groups unit sends to an empty target, and
// the rows that fail there without a request, for the golden plans.
func renderContactWrites(b *strings.Builder, cc *ContactChanges) {
	writes, fails := diffContacts(cc, &contactPages{}, nil, DefaultContactChunk)
	for i := range writes {
		var req any = writes[i].update
		if writes[i].create != nil {
			req = writes[i].create
		}
		j, _ := json.Marshal(req)
		fmt.Fprintf(b, "  write %s %s\n", writes[i].path(), j)
	}
	for _, f := range fails {
		fmt.Fprintf(b, "  fail item %d %s\n", f.item, f.code)
	}
}
