package migrate

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// writeEndpoints are the service paths that change the target.
var writeEndpoints = []string{chatapi.PathImportTopic, "million_group_open_http_svc/import_topic", chatapi.PathGroupAdd,
	chatapi.PathFriendUpdate, chatapi.PathCreateContactGroup, chatapi.PathUpdateContactGroup}

// strictWorld is a World with missing prerequisites and state on the target: a Community
// without topics, a group nobody created, a user not imported, friendships and memberships
// missing, a user with 31 friend groups, one with 20 conversation groups, one with 1000
// conversations, and topics already there.
func strictWorld() *chatsim.World {
	users := []string{"u1", "u2", "u3", "u5", "newguy"}
	var big []chatapi.ContactItem
	for i := range 1000 {
		u := fmt.Sprintf("x%d", i)
		users = append(users, u)
		big = append(big, chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: u})
	}
	friendGroups := map[string][]string{"work": {"u2"}}
	for i := range 30 {
		friendGroups[fmt.Sprintf("e%d", i)] = nil
	}
	var twenty []chatsim.ContactGroup
	for i := range 20 {
		twenty = append(twenty, chatsim.ContactGroup{GroupName: fmt.Sprintf("k%d", i)})
	}
	return &chatsim.World{
		Communities:  []chatsim.Community{{GroupId: "@TGS#_a", Topics: true}, {GroupId: "@TGS#_b"}},
		Groups:       []string{"team"},
		GroupMembers: map[string]chatsim.GroupMembers{"team": {Owner: "u1", Members: []string{"u3"}}},
		Users:        users,
		NotImported:  []string{"u4"},
		Friends:      map[string][]string{"u1": {"u2"}},
		Existing: &chatsim.State{
			Topics: map[string][]chatsim.Topic{"@TGS#_a": {
				{TopicId: "@TGS#_a@TOPIC#_x", TopicName: "x", CreateTime: 1},
				{TopicId: "@TGS#_a@TOPIC#_y", TopicName: "other", CreateTime: 1},
				{TopicName: "byname", CreateTime: 1600000000},
			}},
			FriendGroups:  map[string]map[string][]string{"u1": friendGroups},
			ContactGroups: map[string][]chatsim.ContactGroup{"u3": {{GroupName: "big", Contacts: big}}, "u5": twenty},
		},
	}
}

// strictInputs are inputs for strictWorld: some items pass, some are there, the rest fail
// each for another reason.
func strictInputs(t *testing.T) sources.Inputs {
	dir := t.TempDir()
	return sources.Inputs{
		Topics: []string{writeFile(t, dir, "topics.csv", "GroupId,TopicId,TopicName,CreateTime\n"+
			"@TGS#_a,@TGS#_a@TOPIC#_x,x,\n"+ // there
			"@TGS#_a,@TGS#_a@TOPIC#_y,mine,\n"+ // 10021
			"@TGS#_a,,new1,\n"+
			"@TGS#_a,,byname,1600000000\n"+ // there
			"@TGS#_b,,t,\n"+ // 11000
			"@TGS#_missing,,t,\n")}, // 10010
		FriendGroups: []string{writeFile(t, dir, "friend_groups.csv", "From_Account,GroupName,To_Account\n"+
			"u1,g1,u2\n"+
			"u1,g2,u2\n"+ // 30011: the 33rd group
			"u1,g1,u3\n"+ // 32216
			"u1,work,u2\n"+ // there
			"u4,g,u1\n"+ // 30003
			"u2,h,u1\n")},
		ContactGroups: []string{writeFile(t, dir, "contact_groups.csv", "From_Account,GroupName,Type,To_Account,ToGroupId\n"+
			"u1,c1,2,,team\n"+
			"u2,c1,2,,team\n"+ // 51007
			"u2,c1,2,,nowhere\n"+ // 51007
			"u2,c1,1,u1,\n"+
			"u4,c,1,u1,\n"+ // 50001
			"u3,c,1,newguy,\n"+ // 51008
			"u3,big,1,x5,\n"+ // there
			"u5,cnew,1,u1,\n")}, // 51010
	}
}

// failureKeys are the rows of a failures file as kind, source, line and code, sorted.
func failureKeys(t *testing.T, path string) []string {
	t.Helper()
	var keys []string
	for _, r := range readFailures(t, path)[1:] {
		keys = append(keys, strings.Join([]string{r[0], filepath.Base(r[1]), r[2], r[9]}, ","))
	}
	slices.Sort(keys)
	return keys
}

// TestPreflightPredictsRun: on a strict World with missing prerequisites and state on the
// target, Preflight sends no write, predicts every failure the following run reports (same
// kind, source, line and code) and nothing else, and counts what is there as the run skips
// it; the target's earlier state survives the run. Under every dialect, with seeded faults.
func TestPreflightPredictsRun(t *testing.T) {
	for name, d := range chatsim.Dialects() {
		for _, faults := range []chatsim.Faults{{}, {TransientRate: 0.05, HTTP502Rate: 0.03}} {
			t.Run(fmt.Sprintf("%s/faults=%v", name, faults.TransientRate > 0), func(t *testing.T) {
				rig := newExRig(t, chatsim.Config{World: strictWorld(), Dialect: d, Faults: faults, Seed: 3}, "")
				p := mustPlan(t, strictInputs(t))
				out := t.TempDir()
				rep, err := OpenValidateReports(out)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Preflight(context.Background(), p, PreflightOptions{API: rig.api, Admin: exAdmin, Reports: rep,
					Call: pacer.Options{Concurrency: 8, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond}})
				if err != nil {
					t.Fatal(err)
				}
				if err := rep.Close(); err != nil {
					t.Fatal(err)
				}
				m := rig.sim.Metrics()
				for _, ep := range writeEndpoints {
					if n := m.Endpoints[ep].Requests; n != 0 {
						t.Errorf("preflight sent %d requests to %s", n, ep)
					}
				}
				for _, ep := range []string{chatapi.PathAccountCheck, chatapi.PathFriendCheck, chatapi.PathGetGroupInfo, chatapi.PathGetRoleInGroup} {
					if m.Endpoints[ep].Requests == 0 {
						t.Errorf("preflight read nothing from %s", ep)
					}
				}
				predicted := failureKeys(t, filepath.Join(out, ValidateFailuresFile))
				for _, r := range readFailures(t, filepath.Join(out, ValidateFailuresFile))[1:] {
					if !strings.HasPrefix(r[10], PredictedPrefix) {
						t.Errorf("message %q does not start with %q", r[10], PredictedPrefix)
					}
				}
				before := rig.sim.Dump()

				r := newExecRun(t, rig.api)
				s, err := r.run(t, context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				failed := failureKeys(t, filepath.Join(r.out, FailuresFile))
				if !slices.Equal(predicted, failed) {
					t.Errorf("predicted:\n%s\nthe run failed:\n%s", strings.Join(predicted, "\n"), strings.Join(failed, "\n"))
				}
				if len(failed) != 11 {
					t.Errorf("the run failed %d items, want 11: %v", len(failed), failed)
				}
				for _, k := range sources.Kinds {
					if pk := res.Kinds[k]; pk.Predicted != s.Kinds[k].Failed || pk.Unread != 0 {
						t.Errorf("%s: predicted %+v, the run failed %d", k, pk, s.Kinds[k].Failed)
					}
				}
				if got, want := res.Kinds[sources.Topics].Present, s.Kinds[sources.Topics].Skipped; got != want || got != 2 {
					t.Errorf("topics: %d present, the run skipped %d, want 2", got, want)
				}
				if res.Kinds[sources.FriendGroups].Present != 1 || res.Kinds[sources.ContactGroups].Present != 1 {
					t.Errorf("present %+v %+v, want 1 each", res.Kinds[sources.FriendGroups], res.Kinds[sources.ContactGroups])
				}
				after := rig.sim.Dump()
				for g, members := range before.FriendGroups["u1"] {
					if got := after.FriendGroups["u1"][g]; !reflect.DeepEqual(got, members) && len(got)+len(members) > 0 && g != "work" {
						t.Errorf("u1's friend group %s was %v, is %v", g, members, got)
					}
				}
				if !reflect.DeepEqual(before.ContactGroups["u5"], after.ContactGroups["u5"]) {
					t.Errorf("u5's conversation groups changed")
				}
			})
		}
	}
}

// TestPreflightAllClear: on the lenient World, an input the run would pass completely
// predicts nothing, and after the run everything is present.
func TestPreflightAllClear(t *testing.T) {
	rig := newExRig(t, chatsim.Config{}, "")
	p := mustPlan(t, genInputs(t, t.TempDir(), 30, 10))
	pre := func() *PreflightResult {
		res, err := Preflight(context.Background(), p, PreflightOptions{API: rig.api, Admin: exAdmin})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := pre(); !res.Clear() {
		t.Fatalf("before the run: %+v %+v %+v", res.Kinds[sources.Topics], res.Kinds[sources.FriendGroups], res.Kinds[sources.ContactGroups])
	}
	if _, err := newExecRun(t, rig.api).run(t, context.Background(), p); err != nil {
		t.Fatal(err)
	}
	res := pre()
	if res.Kinds[sources.Topics].Present != p.Stats[sources.Topics].Items {
		t.Errorf("after the run: %d topics present, want %d", res.Kinds[sources.Topics].Present, p.Stats[sources.Topics].Items)
	}
	if !res.Clear() {
		t.Errorf("after the run: %+v", res.Kinds)
	}
}
