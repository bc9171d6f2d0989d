package migrate

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// readingRig starts an emulator that follows the named preset of chatsim.Dialects, with lost
// answers of the given kind ("" keeps the preset's) and get_contact_group pages of three
// conversations, so that every user's read takes several pages.
func readingRig(t *testing.T, name, lost string, faults chatsim.Faults, world *chatsim.World) *exRig {
	t.Helper()
	d, ok := chatsim.Dialects()[name]
	if !ok {
		t.Fatalf("no dialect %q", name)
	}
	if lost != "" {
		d.LostAnswer = lost
	}
	d.ContactPageSize = 3
	return newExRig(t, chatsim.Config{Dialect: d, Faults: faults, Seed: 11, World: world}, "")
}

// contactInputs is genInputs' conversation groups, and one user with a group of 150
// conversations (two requests) and an empty group.
func contactInputs(t *testing.T, dir string, users int) sources.Inputs {
	t.Helper()
	in := genInputs(t, dir, 0, users)
	var b strings.Builder
	b.WriteString(readFileString(t, in.ContactGroups[0]))
	for i := range 150 {
		fmt.Fprintf(&b, "big,many,1,m%03d,,,\n", i)
	}
	b.WriteString("big,empty,,,,,\n")
	return sources.Inputs{ContactGroups: []string{writeFile(t, dir, "contact_groups.csv", b.String())}}
}

// checkContactGroups fails the test unless the emulator holds exactly the plan's conversation
// groups and no user has two groups of one name.
func checkContactGroups(t testing.TB, p *Plan, st chatsim.State) {
	t.Helper()
	checkState(t, p, st)
	for user, groups := range st.ContactGroups {
		seen := make(map[string]bool)
		for _, g := range groups {
			if seen[g.GroupName] {
				t.Errorf("user %s has two conversation groups named %q", user, g.GroupName)
			}
			seen[g.GroupName] = true
		}
	}
}

// writeRequests counts the conversation-group writes the emulator served.
func writeRequests(sim *chatsim.Server) int64 {
	m := sim.Metrics()
	return m.Endpoints[chatapi.PathCreateContactGroup].Requests + m.Endpoints[chatapi.PathUpdateContactGroup].Requests
}

// TestContactsEveryReading: under every reading of the open questions, with lost answers that
// applied everything and lost answers that applied nothing, the run ends with exactly the
// intended groups, no name twice, nothing failed; a rerun with a new checkpoint reads and
// sends no write.
func TestContactsEveryReading(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		for _, lost := range []string{chatsim.LostApplied, chatsim.LostNothing} {
			t.Run(name+"/"+lost, func(t *testing.T) {
				rig := readingRig(t, name, lost, chatsim.Faults{AmbiguousRate: 0.15, TransientRate: 0.03}, nil)
				p := mustPlan(t, contactInputs(t, t.TempDir(), 15))
				s, err := newExecRun(t, rig.api).run(t, context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				checkContactGroups(t, p, rig.sim.Dump())
				checkCounts(t, p, s)
				if ks := s.Kinds[sources.ContactGroups]; ks.Failed != 0 || ks.Succeeded != p.Stats[sources.ContactGroups].Items {
					t.Fatalf("summary %+v", ks)
				}
				m := rig.sim.Metrics()
				lostWrites := m.Endpoints[chatapi.PathCreateContactGroup].Faults[chatsim.FaultAmbiguous] +
					m.Endpoints[chatapi.PathUpdateContactGroup].Faults[chatsim.FaultAmbiguous]
				if lostWrites < 5 || m.Endpoints[chatapi.PathCreateContactGroup].Faults[chatsim.FaultAmbiguous] == 0 {
					t.Fatalf("only %d write answers lost (creates among them: %v): the test proves little", lostWrites,
						m.Endpoints[chatapi.PathCreateContactGroup].Faults)
				}

				writes := writeRequests(rig.sim)
				s, err = newExecRun(t, rig.api).run(t, context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				if got := writeRequests(rig.sim); got != writes {
					t.Errorf("a rerun with a new checkpoint sent %d writes", got-writes)
				}
				if ks := s.Kinds[sources.ContactGroups]; ks.Failed != 0 {
					t.Errorf("rerun: %+v", ks)
				}
				checkContactGroups(t, p, rig.sim.Dump())
			})
		}
	}
}

// TestContactsCreateInDoubt: every create's answer is lost, whether it applied everything or
// nothing. The group is read back before anything is sent again: exactly one group of the
// name, never a second create of an existing one.
func TestContactsCreateInDoubt(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		for _, lost := range []string{chatsim.LostApplied, chatsim.LostNothing} {
			t.Run(name+"/"+lost, func(t *testing.T) {
				rig := readingRig(t, name, lost, chatsim.Faults{}, nil)
				var mu sync.Mutex
				seen := make(map[string]int) // creates per group name
				api := &lostCreates{API: rig.api, lost: lost, seen: seen, mu: &mu}
				dir := t.TempDir()
				in := sources.Inputs{ContactGroups: []string{writeFile(t, dir, "contact_groups.csv",
					"From_Account,GroupName,Type,To_Account,ToGroupId\nu,g,1,a,\nu,g,1,b,\nu,empty,,,\n")}}
				p := mustPlan(t, in)
				s, err := newExecRun(t, api).run(t, context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				checkContactGroups(t, p, rig.sim.Dump())
				if s.Kinds[sources.ContactGroups].Failed != 0 {
					t.Fatalf("summary %+v", s.Kinds[sources.ContactGroups])
				}
				mu.Lock()
				defer mu.Unlock()
				want := map[string]int{"g": 1, "empty": 1}
				if lost == chatsim.LostNothing {
					want = map[string]int{"g": 2, "empty": 2} // the first attempt did nothing
				}
				if fmt.Sprint(seen) != fmt.Sprint(want) {
					t.Errorf("creates per name %v, want %v", seen, want)
				}
			})
		}
	}
}

// lostCreates loses the answer of each group's first create, after applying it or not.
type lostCreates struct {
	API
	lost string
	mu   *sync.Mutex
	seen map[string]int
}

func (l *lostCreates) CreateContactGroup(ctx context.Context, req *chatapi.CreateContactGroupRequest) (*chatapi.CreateContactGroupResponse, error) {
	name := req.GroupContactItem[0].GroupName
	l.mu.Lock()
	l.seen[name]++
	first := l.seen[name] == 1
	l.mu.Unlock()
	if first && l.lost == chatsim.LostNothing {
		return nil, lostAnswer(chatapi.PathCreateContactGroup)
	}
	resp, err := l.API.CreateContactGroup(ctx, req)
	if first && err == nil {
		return nil, lostAnswer(chatapi.PathCreateContactGroup)
	}
	return resp, err
}

// TestContactsExistingGroup: a group the target has already gets only the conversations it
// lacks and loses those the input removes; no create names it, under every reading.
func TestContactsExistingGroup(t *testing.T) {
	a, b, c := c2c("alice"), c2c("bob"), c2c("carol")
	world := func() *chatsim.World {
		return &chatsim.World{Lenient: true, Existing: &chatsim.State{ContactGroups: map[string][]chatsim.ContactGroup{
			"u": {{GroupName: "fav", Contacts: []chatapi.ContactItem{a, b}}, {GroupName: "old", Contacts: []chatapi.ContactItem{c}}}}}}
	}
	for _, name := range chatsim.DialectNames() {
		t.Run(name, func(t *testing.T) {
			rig := readingRig(t, name, "", chatsim.Faults{}, world())
			var mu sync.Mutex
			var sent []string
			api := &hookAPI{API: rig.api, after: func(endpoint string, req any, err error) error {
				mu.Lock()
				defer mu.Unlock()
				switch r := req.(type) {
				case *chatapi.CreateContactGroupRequest:
					w := contactWrite{create: r}
					sent = append(sent, writeText(&w))
				case *chatapi.UpdateContactGroupRequest:
					w := contactWrite{update: r}
					sent = append(sent, writeText(&w))
				}
				return err
			}}
			dir := t.TempDir()
			in := sources.Inputs{ContactGroups: []string{writeFile(t, dir, "contact_groups.csv",
				"From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n"+
					"u,fav,1,alice,,,\nu,fav,1,carol,,,\nu,fav,1,bob,,remove,\nu,fav,1,dave,,remove,\n"+
					"u,old,,,,rename,new\nu,new,1,erin,,,\nu,fresh,1,alice,,,\n")}}
			p := mustPlan(t, in)
			s, err := newExecRun(t, api).run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kinds[sources.ContactGroups].Failed != 0 {
				t.Fatalf("summary %+v", s.Kinds[sources.ContactGroups])
			}
			want := []string{"update fav +0 -1", "update fav +1 -0", "rename old new", "update new +1 -0", "create fresh 1"}
			if !slices.Equal(sent, want) {
				t.Errorf("writes %q, want %q", sent, want)
			}
			got := fmt.Sprint(rig.sim.Dump().ContactGroups["u"])
			wantState := "[{1 fav [{1 alice } {1 carol }]} {2 new [{1 carol } {1 erin }]} {3 fresh [{1 alice }]}]"
			if got != wantState {
				t.Errorf("target\n got %s\nwant %s", got, wantState)
			}
		})
	}
}

// TestContactsLimitsWithTarget: the 1000 distinct conversations are counted per user with
// what the target holds: the input's conversation past them fails with 51008 without being
// sent, one in another group already costs nothing.
func TestContactsLimitsWithTarget(t *testing.T) {
	held := convs("t", 999)
	world := &chatsim.World{Lenient: true, Existing: &chatsim.State{ContactGroups: map[string][]chatsim.ContactGroup{
		"u": {{GroupName: "old", Contacts: held}}}}}
	rig := readingRig(t, "strictest", "", chatsim.Faults{}, world)
	dir := t.TempDir()
	in := sources.Inputs{ContactGroups: []string{writeFile(t, dir, "contact_groups.csv",
		"From_Account,GroupName,Type,To_Account,ToGroupId\nu,g,1,new1,\nu,g,1,t0005,\nu,h,1,new2,\n")}}
	p := mustPlan(t, in)
	r := newExecRun(t, rig.api)
	s, err := r.run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if ks := s.Kinds[sources.ContactGroups]; ks.Failed != 1 || ks.Succeeded != 2 {
		t.Fatalf("summary %+v", ks)
	}
	failures := readFileString(t, filepath.Join(r.out, FailuresFile))
	if !strings.Contains(failures, "contact_groups.csv,4,u,,h,new2,,,51008,") {
		t.Errorf("failures.csv:\n%s", failures)
	}
	if m := rig.sim.Metrics(); m.Endpoints[chatapi.PathCreateContactGroup].Requests != 1 {
		t.Errorf("%d creates, want only g's (h's one conversation is over the limit)", m.Endpoints[chatapi.PathCreateContactGroup].Requests)
	}
}

// contactSizeAPI refuses, like a stricter service, any conversation-group write of more than max
// conversations with 51006, applying nothing; it records the largest request seen.
type contactSizeAPI struct {
	API
	max     int
	largest atomic.Int64
}

func (a *contactSizeAPI) refuse(n int, path string) error {
	for {
		cur := a.largest.Load()
		if int64(n) <= cur || a.largest.CompareAndSwap(cur, int64(n)) {
			break
		}
	}
	if n > a.max {
		return &chatapi.Error{Endpoint: path, HTTPStatus: 200, Code: codeTooManyContacts, Info: "too many (test)",
			Class: chatapi.ClassOf(codeTooManyContacts), Sent: true}
	}
	return nil
}

func (a *contactSizeAPI) CreateContactGroup(ctx context.Context, req *chatapi.CreateContactGroupRequest) (*chatapi.CreateContactGroupResponse, error) {
	if err := a.refuse(len(req.GroupContactItem[0].ContactItem), chatapi.PathCreateContactGroup); err != nil {
		return nil, err
	}
	return a.API.CreateContactGroup(ctx, req)
}

func (a *contactSizeAPI) UpdateContactGroup(ctx context.Context, req *chatapi.UpdateContactGroupRequest) (*chatapi.UpdateContactGroupResponse, error) {
	if err := a.refuse(len(req.UpdateGroup.ContactUpdateItem), chatapi.PathUpdateContactGroup); err != nil {
		return nil, err
	}
	return a.API.UpdateContactGroup(ctx, req)
}

// TestContactsRequestSize: 101 conversations never go in one request, whatever the chunk;
// a service that refuses a request as too big (51006) gets it split, never dropped.
func TestContactsRequestSize(t *testing.T) {
	var b strings.Builder
	b.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId\n")
	for i := range 101 {
		fmt.Fprintf(&b, "u,g,1,c%03d,\n", i)
	}
	for _, c := range []struct {
		name  string
		max   int
		chunk int
	}{{"chunk 1000 is cut to 100", 100, 1000}, {"a service that takes 30 at most", 30, 0}} {
		t.Run(c.name, func(t *testing.T) {
			rig := newExRig(t, chatsim.Config{}, "")
			p, err := BuildPlan(context.Background(), sources.Inputs{ContactGroups: []string{writeFile(t, t.TempDir(), "c.csv", b.String())}},
				PlanOptions{ContactChunk: c.chunk})
			if err != nil {
				t.Fatal(err)
			}
			api := &contactSizeAPI{API: rig.api, max: c.max}
			s, err := newExecRun(t, api).run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checkContactGroups(t, p, rig.sim.Dump())
			if s.Kinds[sources.ContactGroups].Failed != 0 {
				t.Fatalf("summary %+v", s.Kinds[sources.ContactGroups])
			}
			if n := api.largest.Load(); n > 100 {
				t.Errorf("a request of %d conversations", n)
			}
		})
	}
}

// TestContactsResumeEveryReading: a run whose write answers are lost is interrupted (as a
// killed process would be: the journal holds users in doubt); the rerun under the same
// reading ends with the intended groups, no name twice, every row reported once.
func TestContactsResumeEveryReading(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		t.Run(name, func(t *testing.T) {
			rig := readingRig(t, name, "", chatsim.Faults{}, nil)
			p := mustPlan(t, contactInputs(t, t.TempDir(), 15))
			ctx, cancel := context.WithCancel(context.Background())
			var lost atomic.Int32
			lose := loseFirstAnswers()
			r := newExecRun(t, &hookAPI{API: rig.api, after: func(endpoint string, req any, err error) error {
				herr := lose(endpoint, req, err)
				if herr != err && lost.Add(1) == 12 {
					cancel()
				}
				return herr
			}})
			if _, err := r.run(t, ctx, p); err == nil {
				t.Fatal("the interrupted run returned no error")
			}
			j, err := OpenJournal(r.journal)
			if err != nil {
				t.Fatal(err)
			}
			sent := j.Counts()[checkpoint.Sent]
			j.Close()
			if sent == 0 {
				t.Fatal("no unit in doubt after the interrupted run")
			}
			r.opt.API = rig.api
			s, err := r.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checkContactGroups(t, p, rig.sim.Dump())
			checkCounts(t, p, s)
			if s.Kinds[sources.ContactGroups].Failed != 0 {
				t.Errorf("summary %+v", s.Kinds[sources.ContactGroups])
			}
			if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1 {
				t.Errorf("failures.csv:\n%s", got)
			}
		})
	}
}

// TestContactsOnlyChangedGroupMissing: a group the input only removes from or renames, which
// the target does not have, fails with 51009 and is not created.
func TestContactsOnlyChangedGroupMissing(t *testing.T) {
	rig := readingRig(t, "default", "", chatsim.Faults{}, nil)
	dir := t.TempDir()
	in := sources.Inputs{ContactGroups: []string{writeFile(t, dir, "contact_groups.csv",
		"From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\nu,gone,1,a,,remove,\nu,was,,,,rename,now\n")}}
	p := mustPlan(t, in)
	r := newExecRun(t, rig.api)
	s, err := r.run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if ks := s.Kinds[sources.ContactGroups]; ks.Failed != 2 {
		t.Fatalf("summary %+v", ks)
	}
	if got := rig.sim.Dump().ContactGroups["u"]; len(got) != 0 {
		t.Errorf("groups created: %v", got)
	}
	if n := writeRequests(rig.sim); n != 0 {
		t.Errorf("%d writes sent", n)
	}
	if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, ",51009,") != 2 {
		t.Errorf("failures.csv:\n%s", got)
	}
}

// refuseRenames answers every rename 51011 (name too long), applying nothing.
type refuseRenames struct{ API }

func (a refuseRenames) UpdateContactGroup(ctx context.Context, req *chatapi.UpdateContactGroupRequest) (*chatapi.UpdateContactGroupResponse, error) {
	if req.UpdateGroup.UpdateGroupType == chatapi.UpdateGroupRename {
		return nil, &chatapi.Error{Endpoint: chatapi.PathUpdateContactGroup, HTTPStatus: 200, Code: chatapi.CodeRCNameTooLong,
			Info: "name too long (test)", Class: chatapi.ClassOf(chatapi.CodeRCNameTooLong), Sent: true}
	}
	return a.API.UpdateContactGroup(ctx, req)
}

// TestContactsRenameRefused: a refused rename fails its row; the lineage's later rows fail as
// skipped and are not sent, while what went in before it (a remove under the old name) stands.
func TestContactsRenameRefused(t *testing.T) {
	world := &chatsim.World{Lenient: true, Existing: &chatsim.State{ContactGroups: map[string][]chatsim.ContactGroup{
		"u": {{GroupName: "old", Contacts: []chatapi.ContactItem{c2c("a"), c2c("b")}}}}}}
	rig := readingRig(t, "strictest", "", chatsim.Faults{}, world)
	dir := t.TempDir()
	in := sources.Inputs{ContactGroups: []string{writeFile(t, dir, "contact_groups.csv",
		"From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n"+
			"u,old,1,b,,remove,\nu,old,,,,rename,new\nu,new,1,c,,,\n")}}
	p := mustPlan(t, in)
	r := newExecRun(t, refuseRenames{rig.api})
	s, err := r.run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if ks := s.Kinds[sources.ContactGroups]; ks.Failed != 2 || ks.Succeeded != 1 {
		t.Fatalf("summary %+v", ks)
	}
	failures := readFileString(t, filepath.Join(r.out, FailuresFile))
	for _, want := range []string{",3,u,,old,,,,51011,", ",4,u,,new,c,,," + CodeSkippedRenameFailed + ","} {
		if !strings.Contains(failures, want) {
			t.Errorf("failures.csv lacks %q:\n%s", want, failures)
		}
	}
	if got := fmt.Sprint(rig.sim.Dump().ContactGroups["u"]); got != "[{1 old [{1 a }]}]" {
		t.Errorf("target %s", got)
	}
	if n := rig.sim.Metrics().Endpoints[chatapi.PathUpdateContactGroup].Requests; n != 1 {
		t.Errorf("%d updates reached the service, want only the remove", n)
	}
}
