package migrate

import (
	"cmp"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

const (
	exApp   = 1400000077
	exKey   = "execute-test-secret-key-abcdef0123"
	exAdmin = "administrator"
)

// exRig is an emulator behind an httptest server and a client for it.
type exRig struct {
	sim *chatsim.Server
	ts  *httptest.Server
	api *chatapi.Client
}

// newExRig starts an emulator (unlimited rate unless cfg says otherwise) and a client with
// key (exKey when "").
func newExRig(t *testing.T, cfg chatsim.Config, key string) *exRig {
	t.Helper()
	cfg.SDKAppID, cfg.Key = exApp, exKey
	if cfg.RPS == 0 {
		cfg.RPS = -1
	}
	sim, err := chatsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	if key == "" {
		key = exKey
	}
	api, err := chatapi.New(chatapi.Config{BaseURL: ts.URL, SDKAppID: exApp, Identifier: exAdmin, SecretKey: key,
		SigTTL: 24 * time.Hour, Timeout: 2 * time.Second, HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return &exRig{sim: sim, ts: ts, api: api}
}

// writeFile writes s into dir/name and returns the path.
func writeFile(t *testing.T, dir, name, s string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// genInputs writes a deterministic input of every kind into dir: topics over several
// groups (half with a TopicId), friend groups for several users (empty groups included),
// and conversation groups with creates, adds, removes and renames.
func genInputs(t *testing.T, dir string, topics, users int) sources.Inputs {
	t.Helper()
	var tb strings.Builder
	tb.WriteString("GroupId,TopicId,TopicName,From_Account,CreateTime\n")
	for i := range topics {
		g := fmt.Sprintf("@TGS#_g%d", i%7)
		id := ""
		if i%2 == 0 {
			id = fmt.Sprintf("%s@TOPIC#_t%d", g, i)
		}
		from, created := "", ""
		if i%3 == 0 {
			from = fmt.Sprintf("u%d", i%users)
		}
		if i%5 != 0 {
			created = fmt.Sprint(1600000000 + i)
		}
		fmt.Fprintf(&tb, "%s,%s,topic %d,%s,%s\n", g, id, i, from, created)
	}
	var fb strings.Builder
	fb.WriteString("From_Account,GroupName,To_Account\n")
	for u := range users {
		for g := range 1 + u%4 {
			if g == 3 {
				fmt.Fprintf(&fb, "u%d,empty,\n", u)
				continue
			}
			for f := range 1 + (u+g)%5 {
				fmt.Fprintf(&fb, "u%d,fg%d,u%d\n", u, g, (u+f+1)%users)
			}
		}
	}
	var cb strings.Builder
	cb.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n")
	for u := range users {
		for g := range 1 + u%3 {
			for c := range 2 + (u+g)%4 {
				if c%2 == 0 {
					fmt.Fprintf(&cb, "u%d,cg%d,1,u%d,,,\n", u, g, (u+c+1)%users)
				} else {
					fmt.Fprintf(&cb, "u%d,cg%d,2,,@TGS#_g%d,,\n", u, g, c)
				}
			}
			if u%4 == 1 {
				fmt.Fprintf(&cb, "u%d,cg%d,1,u%d,,remove,\n", u, g, (u+1)%users)
			}
			if u%5 == 2 && g == 0 {
				fmt.Fprintf(&cb, "u%d,cg0,,,,rename,renamed\n", u)
				fmt.Fprintf(&cb, "u%d,renamed,1,u%d,,,\n", u, (u+7)%users)
			}
		}
	}
	return sources.Inputs{
		Topics:        []string{writeFile(t, dir, "topics.csv", tb.String())},
		FriendGroups:  []string{writeFile(t, dir, "friend_groups.csv", fb.String())},
		ContactGroups: []string{writeFile(t, dir, "contact_groups.csv", cb.String())},
	}
}

// mustPlan plans in, failing the test on any error.
func mustPlan(t *testing.T, in sources.Inputs) *Plan {
	t.Helper()
	p, err := BuildPlan(context.Background(), in, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wantTopic is a topic as compared: the TopicId only when the input gave one.
type wantTopic struct {
	TopicId, TopicName, From_Account string
	CreateTime                       int64
}

func compareTopics(a, b wantTopic) int { return cmp.Compare(a.TopicName, b.TopicName) }

// checkState fails the test unless the emulator holds exactly what plan p says: every topic
// once (generated TopicIds ignored), every friend group and conversation group as planned.
func checkState(t testing.TB, p *Plan, st chatsim.State) {
	t.Helper()
	ctx := context.Background()
	want := make(map[string][]wantTopic)
	err := p.EachTopic(ctx, func(tp sources.Topic) error {
		var ct int64
		fmt.Sscan(tp.CreateTime, &ct)
		want[tp.GroupId] = append(want[tp.GroupId], wantTopic{tp.TopicId, tp.TopicName, tp.From_Account, ct})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for g, ws := range want {
		got := st.Topics[g]
		var gs []wantTopic
		for _, tp := range got {
			id := tp.TopicId
			if !slices.ContainsFunc(ws, func(w wantTopic) bool { return w.TopicId == id }) {
				id = ""
			}
			gs = append(gs, wantTopic{id, tp.TopicName, tp.From_Account, tp.CreateTime})
		}
		for i := range ws {
			if ws[i].CreateTime == 0 { // the emulator stamps its own time
				for j := range gs {
					if gs[j].TopicName == ws[i].TopicName {
						gs[j].CreateTime = 0
					}
				}
			}
		}
		slices.SortFunc(ws, compareTopics)
		slices.SortFunc(gs, compareTopics)
		if !slices.Equal(ws, gs) {
			t.Errorf("group %s topics:\n got %v\nwant %v", g, gs, ws)
		}
	}
	if len(st.Topics) != len(want) {
		t.Errorf("%d groups with topics, want %d", len(st.Topics), len(want))
	}

	users := 0
	err = p.EachFriendUser(ctx, func(user string, groups map[string][]string) error {
		users++
		got := st.FriendGroups[user]
		if len(got) != len(groups) {
			t.Errorf("user %s: friend groups %v, want %v", user, got, groups)
			return nil
		}
		for name, members := range groups {
			if !slices.Equal(got[name], members) && !(len(got[name]) == 0 && len(members) == 0) {
				t.Errorf("user %s group %s: %v, want %v", user, name, got[name], members)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.FriendGroups) != users {
		t.Errorf("%d users with friend groups, want %d", len(st.FriendGroups), users)
	}

	users = 0
	err = p.EachContactUser(ctx, func(user string, groups map[string][]chatapi.ContactItem) error {
		users++
		got := make(map[string][]chatapi.ContactItem)
		for _, g := range st.ContactGroups[user] {
			got[g.GroupName] = g.Contacts
		}
		if len(got) != len(groups) {
			t.Errorf("user %s: conversation groups %v, want %v", user, got, groups)
			return nil
		}
		for name, cs := range groups {
			if !slices.Equal(got[name], cs) && !(len(got[name]) == 0 && len(cs) == 0) {
				t.Errorf("user %s group %s: %v, want %v", user, name, got[name], cs)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.ContactGroups) != users {
		t.Errorf("%d users with conversation groups, want %d", len(st.ContactGroups), users)
	}
}

// checkCounts fails the test unless every planned item is accounted for exactly once.
func checkCounts(t *testing.T, p *Plan, s *Summary) {
	t.Helper()
	for _, k := range sources.Kinds {
		ks, st := s.Kinds[k], p.Stats[k]
		if ks.Succeeded+ks.Failed+ks.Skipped != st.Items {
			t.Errorf("%s: succeeded %d + failed %d + skipped %d != %d items", k, ks.Succeeded, ks.Failed, ks.Skipped, st.Items)
		}
		if ks.Requests != st.Requests || ks.Records != st.Records || ks.Invalid != st.Invalid {
			t.Errorf("%s: summary %+v does not carry the plan's stats %+v", k, ks, st)
		}
	}
}

// readFileString reads a file or fails the test.
func readFileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
