package migrate

import (
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// failuresWorld is a strict world in which some input rows must fail at the API.
func failuresWorld() *chatsim.World {
	return &chatsim.World{
		Communities: []chatsim.Community{{GroupId: "@TGS#_ok", Topics: true}, {GroupId: "@TGS#_flat"}},
		Groups:      []string{"@TGS#2other"},
		Users:       []string{"alice", "bob", "carol", "dave", "erin"},
		Friends:     map[string][]string{"alice": {"bob", "carol"}, "bob": {"carol"}, "dave": {"alice", "bob", "carol", "erin"}},
	}
}

const failuresTopics = `GroupId,TopicName
@TGS#_ok,fine one
@TGS#_flat,flat a
@TGS#_ok,fine two
@TGS#_flat,flat b
@TGS#_flat,flat c
`

const failuresFriends = `From_Account,GroupName,To_Account
alice,best,bob
alice,best,erin
bob,new1,carol
bob,new2,carol
`

const failuresContacts = `From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName
dave,full,1,alice,,,
dave,full,1,bob,,,
dave,full,1,carol,,,
dave,full,1,erin,,,
dave,full,2,,@TGS#2other,,
dave,second,2,,@TGS#2nope,,
zed,g,1,alice,,,
zed,g,1,bob,,,
zed,g,1,carol,,,
`

// TestExecuteItemFailures: under every reading, the items the API refuses fail with the same
// codes, the others go through, and failed_topics.jsonl is an input again.
func TestExecuteItemFailures(t *testing.T) {
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		rig := newExRig(t, chatsim.Config{World: failuresWorld(), Dialect: d}, "")
		// bob already has 31 friend groups: of his two new ones, only the first of the input fits.
		rig.sim.Tamper(func(s *chatsim.State) {
			if s.FriendGroups == nil {
				s.FriendGroups = make(map[string]map[string][]string)
			}
			s.FriendGroups["bob"] = make(map[string][]string)
			for i := range 31 {
				s.FriendGroups["bob"][fmt.Sprintf("old%d", i)] = []string{}
			}
		})
		// Once dave's "full" exists, it fills up to the 1000 conversations a user's groups may hold.
		var once sync.Once
		api := &hookAPI{API: rig.api, after: func(endpoint string, req any, err error) error {
			if c, ok := req.(*chatapi.CreateContactGroupRequest); ok && err == nil && c.GroupContactItem[0].GroupName == "full" {
				once.Do(func() { fillGroup(rig.sim, "dave", "full") })
			}
			return err
		}}
		dir := t.TempDir()
		in := sources.Inputs{
			Topics:        []string{writeFile(t, dir, "topics.csv", failuresTopics)},
			FriendGroups:  []string{writeFile(t, dir, "friend_groups.csv", failuresFriends)},
			ContactGroups: []string{writeFile(t, dir, "contact_groups.csv", failuresContacts)},
		}
		p, err := BuildPlan(context.Background(), in, PlanOptions{ContactChunk: 2})
		if err != nil {
			t.Fatal(err)
		}
		r := newExecRun(t, api)
		r.opt.Call.Concurrency = 1 // topics one by one: the 11000 of "flat a" spares "flat b" and "flat c"
		s, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, p, s)

		rows, err := csv.NewReader(strings.NewReader(readFileString(t, filepath.Join(r.out, FailuresFile)))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range rows[1:] {
			got = append(got, fmt.Sprintf("%s %s:%s %s", row[0], filepath.Base(row[1]), row[2], row[9]))
		}
		slices.Sort(got)
		want := []string{
			"contact_groups contact_groups.csv:10 50001", // zed's read fails: every row of the user does
			"contact_groups contact_groups.csv:4 51008",
			"contact_groups contact_groups.csv:5 51008",
			"contact_groups contact_groups.csv:6 51008",
			"contact_groups contact_groups.csv:7 51007",
			"contact_groups contact_groups.csv:8 50001",
			"contact_groups contact_groups.csv:9 50001",
			"friend_groups friend_groups.csv:3 32216",
			"friend_groups friend_groups.csv:5 30011",
			"topics topics.csv:3 11000",
			"topics topics.csv:5 11000",
			"topics topics.csv:6 11000",
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("failures.csv:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := rig.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests; n != 3 {
			t.Errorf("%d import_topic requests, want 3 (the group without topics is tried once)", n)
		}
		wantFailed := map[sources.Kind]int{sources.Topics: 3, sources.FriendGroups: 2, sources.ContactGroups: 7}
		for k, n := range wantFailed {
			if s.Kinds[k].Failed != n {
				t.Errorf("%s: %d failed, want %d", k, s.Kinds[k].Failed, n)
			}
			lines := strings.Split(strings.TrimSpace(readFileString(t, filepath.Join(r.out, FailedFile(k)))), "\n")
			if len(lines) != n {
				t.Errorf("%s: %d lines, want %d", FailedFile(k), len(lines), n)
			}
		}

		// failed_topics.jsonl is an input again: the three topics, as they were.
		back := mustPlan(t, sources.Inputs{Topics: []string{filepath.Join(r.out, FailedFile(sources.Topics))}})
		var names []string
		back.EachTopic(context.Background(), func(tp sources.Topic) error {
			names = append(names, tp.GroupId+" "+tp.TopicName)
			return nil
		})
		if want := []string{"@TGS#_flat flat a", "@TGS#_flat flat b", "@TGS#_flat flat c"}; !slices.Equal(names, want) {
			t.Errorf("failed_topics.jsonl read back: %v, want %v", names, want)
		}
	})
}

// fillGroup fills user's conversation group name up to the user's limit.
func fillGroup(sim *chatsim.Server, user, name string) {
	sim.Tamper(func(s *chatsim.State) {
		for i := range s.ContactGroups[user] {
			g := &s.ContactGroups[user][i]
			if g.GroupName != name {
				continue
			}
			for n := 0; len(g.Contacts) < chatapi.MaxContactsPerUser; n++ {
				g.Contacts = append(g.Contacts, chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: fmt.Sprintf("filler%04d", n)})
			}
		}
	})
}
