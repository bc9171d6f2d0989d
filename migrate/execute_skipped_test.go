package migrate

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// skipCase is a run onto a target that holds part of the input, and the counts it must end
// with.
type skipCase struct {
	name     string
	world    *chatsim.World
	csv      string // the input's rows, after the header
	loseOnce bool   // the first write's answer is lost (after the service applied it)
	// want is succeeded, skipped and failed.
	want [3]int
}

// checkSkipCase runs c three times over one out directory: onto the seeded target (c.want);
// again without a checkpoint, where only the target tells what is done; and resuming the
// first run's checkpoint. The last two skip everything that did not fail, and fail the rest
// again (the rerun sends it, the resume counts it from the checkpoint).
func checkSkipCase(t *testing.T, k sources.Kind, c skipCase, input func(t *testing.T, rows string) sources.Inputs) {
	t.Helper()
	rig := newExRig(t, chatsim.Config{World: c.world}, "")
	var writes atomic.Int32
	api := &hookAPI{API: rig.api, after: func(endpoint string, _ any, err error) error {
		switch endpoint {
		case chatapi.PathGroupAdd, chatapi.PathFriendUpdate, chatapi.PathCreateContactGroup, chatapi.PathUpdateContactGroup:
			if writes.Add(1) == 1 && c.loseOnce && err == nil {
				return lostAnswer(endpoint)
			}
		}
		return err
	}}
	p := mustPlan(t, input(t, c.csv))
	items := p.Stats[k].Items
	r := newExecRun(t, api)
	counts := func(s *Summary) [3]int {
		ks := s.Kinds[k]
		return [3]int{ks.Succeeded, ks.Skipped, ks.Failed}
	}
	s, err := r.run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, p, s)
	if got := counts(s); got != c.want {
		t.Errorf("run: succeeded, skipped, failed %v, want %v", got, c.want)
	}
	if c.loseOnce && writes.Load() == 0 {
		t.Fatal("no write went out: no answer was lost")
	}
	again := [3]int{0, items - c.want[2], c.want[2]}

	plain := newExecRun(t, rig.api)
	plain.out = r.out
	opt := plain.opt
	rep, err := OpenReports(r.out)
	if err != nil {
		t.Fatal(err)
	}
	opt.Reports, opt.Summary = rep, &Summary{Command: "run"}
	s, err = Execute(context.Background(), p, opt) // no checkpoint
	if cerr := rep.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(s); got != again {
		t.Errorf("rerun without the checkpoint: succeeded, skipped, failed %v, want %v", got, again)
	}
	if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1+c.want[2] {
		t.Errorf("rerun's failures.csv, want %d rows:\n%s", c.want[2], got)
	}

	s, err = r.run(t, context.Background(), p) // the first run's checkpoint
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(s); got != again {
		t.Errorf("resume: succeeded, skipped, failed %v, want %v", got, again)
	}
}

func friendRowsInput(t *testing.T, rows string) sources.Inputs {
	return sources.Inputs{FriendGroups: []string{writeFile(t, t.TempDir(), "friend_groups.csv",
		"From_Account,GroupName,To_Account\n"+rows)}}
}

func contactRowsInput(t *testing.T, rows string) sources.Inputs {
	return sources.Inputs{ContactGroups: []string{writeFile(t, t.TempDir(), "contact_groups.csv",
		"From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n"+rows)}}
}

func friendWorld(groups map[string]map[string][]string) *chatsim.World {
	return &chatsim.World{Lenient: true, Existing: &chatsim.State{FriendGroups: groups}}
}

// TestFriendsSkippedOnTarget: a membership, or a declared empty group, that the target held
// when the unit read it is skipped; what the run writes succeeds, item by item.
func TestFriendsSkippedOnTarget(t *testing.T) {
	strict := &chatsim.World{Users: []string{"u", "a", "b", "c"}, Friends: map[string][]string{"u": {"a", "b"}},
		Existing: &chatsim.State{FriendGroups: map[string]map[string][]string{"u": {"g": {"a"}}}}}
	for _, c := range []skipCase{
		{name: "empty target", world: friendWorld(nil),
			csv: "u,g,a\nu,g,b\nu,e,\n", want: [3]int{3, 0, 0}},
		{name: "all there", world: friendWorld(map[string]map[string][]string{"u": {"g": {"a", "b"}, "e": {}}}),
			csv: "u,g,a\nu,g,b\nu,e,\n", want: [3]int{0, 3, 0}},
		{name: "group there, one friend in it", world: friendWorld(map[string]map[string][]string{"u": {"g": {"a", "x"}}}),
			csv: "u,g,a\nu,g,b\n", want: [3]int{1, 1, 0}},
		// a goes out in a friend_update (into h) that names g too: only its h item is written.
		{name: "friend in one of its groups", world: friendWorld(map[string]map[string][]string{"u": {"g": {"a"}}}),
			csv: "u,g,a\nu,h,a\nu,h,b\n", want: [3]int{2, 1, 0}},
		{name: "declared group there with members", world: friendWorld(map[string]map[string][]string{"u": {"e": {"a"}}}),
			csv: "u,e,\nu,f,\n", want: [3]int{1, 1, 0}},
		{name: "other users untouched", world: friendWorld(map[string]map[string][]string{"u": {"g": {"a"}}}),
			csv: "u,g,a\nv,g,a\n", want: [3]int{1, 1, 0}},
		{name: "a failure beside a skip", world: strict,
			csv: "u,g,a\nu,g,c\nu,h,b\n", want: [3]int{1, 1, 1}},
		{name: "lost answer settled as written", world: friendWorld(map[string]map[string][]string{"u": {"g": {"a"}}}),
			csv: "u,g,a\nu,g,b\nu,h,c\n", loseOnce: true, want: [3]int{2, 1, 0}},
	} {
		t.Run(c.name, func(t *testing.T) { checkSkipCase(t, sources.FriendGroups, c, friendRowsInput) })
	}
}

func contactWorld(groups ...chatsim.ContactGroup) *chatsim.World {
	return &chatsim.World{Lenient: true, Existing: &chatsim.State{ContactGroups: map[string][]chatsim.ContactGroup{"u": groups}}}
}

func cgroup(name string, ids ...string) chatsim.ContactGroup {
	g := chatsim.ContactGroup{GroupName: name, Contacts: []chatapi.ContactItem{}}
	for _, id := range ids {
		g.Contacts = append(g.Contacts, c2c(id))
	}
	return g
}

// TestContactsSkippedOnTarget: a conversation-group row whose state the target held when the
// unit read it is skipped, whatever else its group needs; a row a write of the run carries
// succeeds; a row a later one overrides counts as the rows that decide its conversation.
func TestContactsSkippedOnTarget(t *testing.T) {
	for _, c := range []skipCase{
		{name: "empty target", world: contactWorld(),
			csv: "u,g,1,a,,,\nu,g,1,b,,remove,\nu,e,,,,,\n", want: [3]int{3, 0, 0}},
		{name: "all there", world: contactWorld(cgroup("g", "a"), cgroup("e")),
			csv: "u,g,1,a,,,\nu,g,1,b,,remove,\nu,e,,,,,\n", want: [3]int{0, 3, 0}},
		// Only b's add is written; the declaration, a's add and c's remove need nothing.
		{name: "group there, some of it", world: contactWorld(cgroup("g", "a")),
			csv: "u,g,,,,,\nu,g,1,a,,,\nu,g,1,b,,,\nu,g,1,c,,remove,\n", want: [3]int{1, 3, 0}},
		{name: "remove of a held conversation", world: contactWorld(cgroup("g", "a", "b")),
			csv: "u,g,1,b,,remove,\nu,g,1,a,,,\n", want: [3]int{1, 1, 0}},
		{name: "rename to do", world: contactWorld(cgroup("old", "a")),
			csv: "u,old,,,,rename,new\nu,new,1,a,,,\n", want: [3]int{1, 1, 0}},
		{name: "rename done", world: contactWorld(cgroup("new", "a")),
			csv: "u,old,,,,rename,new\nu,new,1,a,,,\n", want: [3]int{0, 2, 0}},
		// The target has the group under the name the first rename gives it: only the second
		// rename is written.
		{name: "rename half done", world: contactWorld(cgroup("mid")),
			csv: "u,old,,,,rename,mid\nu,mid,,,,rename,last\n", want: [3]int{1, 1, 0}},
		// a's rows are decided by its last add (held: skipped); b's by its remove (written).
		{name: "overridden rows", world: contactWorld(cgroup("g", "a", "b")),
			csv: "u,g,1,a,,,\nu,g,1,a,,remove,\nu,g,1,a,,,\nu,g,1,b,,,\nu,g,1,b,,remove,\n", want: [3]int{2, 3, 0}},
		{name: "overridden rows, empty target", world: contactWorld(),
			csv: "u,g,1,a,,,\nu,g,1,a,,remove,\nu,g,1,a,,,\nu,g,1,b,,,\n", want: [3]int{4, 0, 0}},
		{name: "a failure beside a skip", world: contactWorld(cgroup("g", "a")),
			csv: "u,g,1,a,,,\nu,nothere,,,,rename,y\n", want: [3]int{0, 1, 1}},
		{name: "lost answer settled as written", world: contactWorld(cgroup("g", "a")),
			csv: "u,g,1,a,,,\nu,g,1,b,,,\nu,h,1,c,,,\n", loseOnce: true, want: [3]int{2, 1, 0}},
	} {
		t.Run(c.name, func(t *testing.T) { checkSkipCase(t, sources.ContactGroups, c, contactRowsInput) })
	}
}
