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

// friendSpy wraps an API and checks, before each friend-group write reaches the emulator,
// what no reading of the vendor's open questions may be relied on: a group_add names only
// groups the user does not have, a friend_update only groups the user has.
type friendSpy struct {
	API
	t   testing.TB
	sim *chatsim.Server

	adds, updates atomic.Int64
	mu            sync.Mutex
	created       map[string]int // user/group → group_adds that named it
}

func newFriendSpy(t testing.TB, api API, sim *chatsim.Server) *friendSpy {
	return &friendSpy{API: api, t: t, sim: sim, created: make(map[string]int)}
}

func (s *friendSpy) GroupAdd(ctx context.Context, req *chatapi.GroupAddRequest) (*chatapi.GroupAddResponse, error) {
	s.adds.Add(1)
	have := s.sim.Dump().FriendGroups[req.From_Account]
	s.mu.Lock()
	for _, g := range req.GroupName {
		if _, ok := have[g]; ok {
			s.t.Errorf("group_add names %s's group %q, which exists", req.From_Account, g)
		}
		s.created[req.From_Account+"/"+g]++
	}
	s.mu.Unlock()
	if len(req.GroupName) > chatapi.MaxFriendGroupsPerReq || len(req.To_Account) > chatapi.MaxFriendsPerReq {
		s.t.Errorf("group_add over the limits: %d names, %d friends", len(req.GroupName), len(req.To_Account))
	}
	return s.API.GroupAdd(ctx, req)
}

func (s *friendSpy) FriendUpdate(ctx context.Context, req *chatapi.FriendUpdateRequest) (*chatapi.FriendUpdateResponse, error) {
	s.updates.Add(1)
	have := s.sim.Dump().FriendGroups[req.From_Account]
	for _, it := range req.UpdateItem {
		list, _ := it.SnsItem[0].Strings()
		for _, g := range list {
			if _, ok := have[g]; !ok {
				s.t.Errorf("friend_update names %s's group %q, which does not exist", req.From_Account, g)
			}
		}
	}
	if len(req.UpdateItem) > chatapi.MaxFriendUpdateItems {
		s.t.Errorf("friend_update of %d friends", len(req.UpdateItem))
	}
	return s.API.FriendUpdate(ctx, req)
}

// friendsInput is u's group "big" of 2500 friends, groups that exist already on the target
// ("work") or not ("new", the empty "empty"), and v's small ones.
func friendsInput(t *testing.T) sources.Inputs {
	var rows [][3]string
	for i := range 2500 {
		rows = append(rows, [3]string{"u", "big", fmt.Sprintf("f%04d", i)})
	}
	rows = append(rows, [][3]string{{"u", "work", "f0001"}, {"u", "work", "f0002"}, {"u", "new", "x2"},
		{"u", "new", "f0005"}, {"u", "empty", ""}, {"v", "work", "a"}, {"v", "work", "b"}, {"v", "solo", "c"}}...)
	return sources.Inputs{FriendGroups: []string{writeFile(t, t.TempDir(), "friend_groups.csv", friendCSV(rows))}}
}

// friendsExisting is what the target holds before: memberships the input does not mention
// must survive (x1 in u's "work", u's "old", a's other group of v).
func friendsExisting() *chatsim.State {
	return &chatsim.State{FriendGroups: map[string]map[string][]string{
		"u": {"work": {"f0001", "x1"}, "old": {"x2", "f0003"}},
		"v": {"other": {"a"}},
	}}
}

// checkFriendState fails the test unless every user's groups are the existing ones with the
// input's memberships added.
func checkFriendState(t testing.TB, p *Plan, existing *chatsim.State, st chatsim.State) {
	t.Helper()
	want := map[string]map[string][]string{}
	add := func(user, group string, ms []string) {
		if want[user] == nil {
			want[user] = map[string][]string{}
		}
		want[user][group] = append(want[user][group], ms...)
	}
	if existing != nil {
		for user, groups := range existing.FriendGroups {
			for g, ms := range groups {
				add(user, g, ms)
			}
		}
	}
	err := p.EachFriendUser(context.Background(), func(user string, groups map[string][]string) error {
		for g, ms := range groups {
			add(user, g, ms)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for user, groups := range want {
		got := st.FriendGroups[user]
		if len(got) != len(groups) {
			t.Errorf("user %s: %d friend groups, want %d", user, len(got), len(groups))
		}
		for g, ms := range groups {
			w := slices.Compact(slices.Sorted(slices.Values(ms)))
			gt := slices.Sorted(slices.Values(got[g]))
			if _, ok := got[g]; !ok || !slices.Equal(w, gt) {
				t.Errorf("user %s group %s: %d members, want %d", user, g, len(gt), len(w))
			}
		}
	}
}

// friendRig is an emulator under a dialect, seeded with friendsExisting, behind a spy.
func friendRig(t *testing.T, dialect chatsim.Dialect, faults chatsim.Faults) (*exRig, *friendSpy) {
	rig := newExRig(t, chatsim.Config{Dialect: dialect, Faults: faults, Seed: 5,
		World: &chatsim.World{Lenient: true, Existing: friendsExisting()}}, "")
	return rig, newFriendSpy(t, rig.api, rig.sim)
}

// TestRunFriendsDialects: under every reading of the open questions, a run onto a target that
// already holds some of the groups ends with the target's memberships and the input's; a
// rerun with a new checkpoint reads each user once and writes nothing.
func TestRunFriendsDialects(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		t.Run(name, func(t *testing.T) {
			rig, spy := friendRig(t, chatsim.Dialects()[name], chatsim.Faults{})
			p := mustPlan(t, friendsInput(t))
			r := newExecRun(t, spy)
			s, err := r.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checkFriendState(t, p, friendsExisting(), rig.sim.Dump())
			checkCounts(t, p, s)
			// f0001 is in u's "work" on the target already: skipped, the rest written.
			if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 0 || ks.Skipped != 1 || ks.Succeeded != p.Stats[sources.FriendGroups].Items-1 {
				t.Errorf("summary %+v", ks)
			}
			for g, n := range spy.created {
				if n != 1 {
					t.Errorf("%s named in %d group_adds", g, n)
				}
			}
			if _, ok := spy.created["u/work"]; ok {
				t.Error("the existing group u/work was named in a group_add")
			}

			again := newExecRun(t, spy) // a new checkpoint: only the target tells what is done
			adds, updates := spy.adds.Load(), spy.updates.Load()
			gets := rig.sim.Metrics().Endpoints[chatapi.PathGroupGet].Requests
			s, err = again.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if spy.adds.Load() != adds || spy.updates.Load() != updates {
				t.Errorf("the rerun wrote: %d group_adds, %d friend_updates", spy.adds.Load()-adds, spy.updates.Load()-updates)
			}
			if n := rig.sim.Metrics().Endpoints[chatapi.PathGroupGet].Requests - gets; n != int64(p.Stats[sources.FriendGroups].Units) {
				t.Errorf("the rerun read %d times for %d users", n, p.Stats[sources.FriendGroups].Units)
			}
			if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 0 || ks.Succeeded != 0 || ks.Skipped != p.Stats[sources.FriendGroups].Items {
				t.Errorf("rerun summary %+v", ks)
			}
			checkFriendState(t, p, friendsExisting(), rig.sim.Dump())
		})
	}
}

// TestRunFriendsEmptyTarget: on an empty target a clean run sends exactly the requests the
// plan estimates, per endpoint.
func TestRunFriendsEmptyTarget(t *testing.T) {
	rig := newExRig(t, chatsim.Config{}, "")
	p := mustPlan(t, friendsInput(t))
	s, err := newExecRun(t, rig.api).run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	checkFriendState(t, p, nil, rig.sim.Dump())
	checkCounts(t, p, s)
	m := rig.sim.Metrics()
	for ep, n := range p.Stats[sources.FriendGroups].ByEndpoint {
		if got := m.Endpoints[ep].Requests; got != int64(n) {
			t.Errorf("%s: %d requests, the plan says %d", ep, got, n)
		}
	}
}

// TestRunFriendsLostAnswers: a third of all answers are lost, the request applied or not
// (both readings, under each preset): every loss is settled by reading, never by a resend
// that names an existing group, and the end state is right with nothing failed.
func TestRunFriendsLostAnswers(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		for _, lost := range []string{chatsim.LostApplied, chatsim.LostNothing} {
			t.Run(name+"/"+lost, func(t *testing.T) {
				d := chatsim.Dialects()[name]
				d.LostAnswer = lost
				rig, spy := friendRig(t, d, chatsim.Faults{AmbiguousRate: 0.3})
				p := mustPlan(t, friendsInput(t))
				s, err := newExecRun(t, spy).run(t, context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				checkFriendState(t, p, friendsExisting(), rig.sim.Dump())
				checkCounts(t, p, s)
				if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 0 {
					t.Errorf("summary %+v", ks)
				}
				m := rig.sim.Metrics()
				if m.Total.Faults[chatsim.FaultAmbiguous] == 0 {
					t.Fatal("no answer was lost")
				}
			})
		}
	}
}

// TestRunFriendsResume: a run whose answers are lost is stopped in the middle (what a kill
// leaves: units journalled as sent, nothing after); the rerun on the same checkpoint runs
// those units again, reading first, and ends right with every row once.
func TestRunFriendsResume(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		t.Run(name, func(t *testing.T) {
			rig, spy := friendRig(t, chatsim.Dialects()[name], chatsim.Faults{})
			p := mustPlan(t, friendsInput(t))
			ctx, cancel := context.WithCancel(context.Background())
			var writes atomic.Int32
			r := newExecRun(t, &hookAPI{API: spy, after: func(endpoint string, _ any, err error) error {
				if endpoint != chatapi.PathGroupAdd && endpoint != chatapi.PathFriendUpdate {
					return err
				}
				if writes.Add(1) == 2 {
					cancel() // killed right after the second write went out
				}
				return lostAnswer(endpoint)
			}})
			r.opt.Call.Concurrency = 1
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

			r.opt.API = spy
			s, err := r.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checkFriendState(t, p, friendsExisting(), rig.sim.Dump())
			checkCounts(t, p, s)
			if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 0 {
				t.Errorf("summary %+v", ks)
			}
			if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1 {
				t.Errorf("failures.csv:\n%s", got)
			}
		})
	}
}

// tooBigAPI answers 10018 to any friend-group write carrying more than max friends, without
// applying it: the executor must split such requests, never drop them.
type tooBigAPI struct {
	API
	max     int
	refused atomic.Int32
}

func (a *tooBigAPI) refuse(endpoint string) error {
	a.refused.Add(1)
	return &chatapi.Error{Endpoint: endpoint, Code: chatapi.CodeAnswerTooBig, Class: chatapi.ClassOf(chatapi.CodeAnswerTooBig), Sent: true}
}

func (a *tooBigAPI) GroupAdd(ctx context.Context, req *chatapi.GroupAddRequest) (*chatapi.GroupAddResponse, error) {
	if len(req.To_Account) > a.max {
		return nil, a.refuse(chatapi.PathGroupAdd)
	}
	return a.API.GroupAdd(ctx, req)
}

func (a *tooBigAPI) FriendUpdate(ctx context.Context, req *chatapi.FriendUpdateRequest) (*chatapi.FriendUpdateResponse, error) {
	if len(req.UpdateItem) > a.max {
		return nil, a.refuse(chatapi.PathFriendUpdate)
	}
	return a.API.FriendUpdate(ctx, req)
}

func TestRunFriendsTooBig(t *testing.T) {
	rig, spy := friendRig(t, chatsim.DialectStrictest(), chatsim.Faults{})
	api := &tooBigAPI{API: spy, max: 300}
	p := mustPlan(t, friendsInput(t))
	s, err := newExecRun(t, api).run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	checkFriendState(t, p, friendsExisting(), rig.sim.Dump())
	if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 0 || api.refused.Load() == 0 {
		t.Errorf("summary %+v after %d refusals", ks, api.refused.Load())
	}
}

// TestRunFriendsItemFailures: in a strict world, friends that are not friends fail with the
// ResultCode of the write that carried them, whichever endpoint it was; the rest goes in.
func TestRunFriendsItemFailures(t *testing.T) {
	world := &chatsim.World{Users: []string{"alice", "bob", "carol", "dave"},
		Friends: map[string][]string{"alice": {"bob", "carol"}},
		Existing: &chatsim.State{FriendGroups: map[string]map[string][]string{
			"alice": {"old": {"bob"}}}}}
	for _, name := range chatsim.DialectNames() {
		t.Run(name, func(t *testing.T) {
			rig := newExRig(t, chatsim.Config{World: world, Dialect: chatsim.Dialects()[name]}, "")
			in := sources.Inputs{FriendGroups: []string{writeFile(t, t.TempDir(), "friend_groups.csv", friendCSV([][3]string{
				{"alice", "new", "dave"}, {"alice", "new", "bob"}, {"alice", "old", "dave"}, {"alice", "old", "carol"}}))}}
			p := mustPlan(t, in)
			r := newExecRun(t, newFriendSpy(t, rig.api, rig.sim))
			s, err := r.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, p, s)
			got := readFileString(t, filepath.Join(r.out, FailuresFile))
			for _, line := range []string{",2,alice,,new,dave,,,32216,", ",4,alice,,old,dave,,,32216,"} {
				if !strings.Contains(got, line) {
					t.Errorf("failures.csv lacks %q:\n%s", line, got)
				}
			}
			if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 2 || ks.Succeeded != 2 {
				t.Errorf("summary %+v", ks)
			}
			st := rig.sim.Dump().FriendGroups["alice"]
			if !slices.Equal(slices.Sorted(slices.Values(st["old"])), []string{"bob", "carol"}) || !slices.Equal(st["new"], []string{"bob"}) {
				t.Errorf("alice's groups %v", st)
			}
		})
	}
}

// bigReadAPI answers 10018 to every sns/group_get that asks for the friends, as the service
// does when the answer would pass 1 MB.
type bigReadAPI struct {
	API
	refused, pages atomic.Int32
}

func (a *bigReadAPI) GroupGet(ctx context.Context, req *chatapi.GroupGetRequest) (*chatapi.GroupGetResponse, error) {
	if req.NeedFriend != "" {
		a.refused.Add(1)
		return nil, &chatapi.Error{Endpoint: chatapi.PathGroupGet, Code: chatapi.CodeAnswerTooBig, Class: chatapi.ClassOf(chatapi.CodeAnswerTooBig), Sent: true}
	}
	return a.API.GroupGet(ctx, req)
}

func (a *bigReadAPI) FriendGet(ctx context.Context, req *chatapi.FriendGetRequest) (*chatapi.FriendGetResponse, error) {
	a.pages.Add(1)
	return a.API.FriendGet(ctx, req)
}

// TestRunFriendsReadTooBig: a user whose groups are too big to read at once is read page by
// page with sns/friend_get, and the writes still keep what the target holds (under the
// readings where a friend_update replaces the friend's groups, a partial read would lose it).
func TestRunFriendsReadTooBig(t *testing.T) {
	for _, name := range chatsim.DialectNames() {
		t.Run(name, func(t *testing.T) {
			rig, spy := friendRig(t, chatsim.Dialects()[name], chatsim.Faults{})
			api := &bigReadAPI{API: spy}
			p := mustPlan(t, friendsInput(t))
			s, err := newExecRun(t, api).run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checkFriendState(t, p, friendsExisting(), rig.sim.Dump())
			if ks := s.Kinds[sources.FriendGroups]; ks.Failed != 0 || api.refused.Load() == 0 || api.pages.Load() < 2 {
				t.Errorf("summary %+v, %d refused reads, %d pages", ks, api.refused.Load(), api.pages.Load())
			}
		})
	}
}
