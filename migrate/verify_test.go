package migrate

import (
	"context"
	"encoding/csv"
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
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

const (
	vApp   = 1400000099
	vKey   = "verify-test-secret-key-0123456789"
	vAdmin = "administrator"
)

// vCall keeps retries quick: the tests' faults are few and the emulator is local.
var vCall = pacer.Options{Concurrency: 8, Timeout: 2 * time.Second, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond}

// verifyRig is an emulator behind an httptest server, a client for it, and an input.
type verifyRig struct {
	sim *chatsim.Server
	api *chatapi.Client
	dir string
	in  sources.Inputs
}

// newVerifyRig starts an emulator that pages get_contact_group 5 conversations at a time,
// and writes the test input: topics of two groups (interleaved, some with a TopicId, one
// with every field); friend groups with an empty group and one of 1500 friends; conversation
// groups with a rename, a remove, a conversation in two groups, and a group of 14
// conversations (3 pages).
func newVerifyRig(t *testing.T) *verifyRig {
	t.Helper()
	return newVerifyRigUnder(t, chatsim.Dialect{})
}

// newVerifyRigUnder is newVerifyRig with an emulator that follows dialect d.
func newVerifyRigUnder(t *testing.T, d chatsim.Dialect) *verifyRig {
	t.Helper()
	sim, err := chatsim.New(chatsim.Config{SDKAppID: vApp, Key: vKey, RPS: -1, PageSize: 5, Seed: 7, Dialect: d})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	api, err := chatapi.New(chatapi.Config{BaseURL: ts.URL, SDKAppID: vApp, Identifier: vAdmin, SecretKey: vKey,
		Timeout: 2 * time.Second, HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	topics := `GroupId,TopicId,TopicName,From_Account,CustomString,FaceUrl,Notification,Introduction,CreateTime
@TGS#_a,@TGS#_a@TOPIC#_one,one,u1,cs1,http://f/1,note1,intro1,1700000001
@TGS#_a,,two,,cs2,,,,
@TGS#_b,,three,u2,,,,,1700000003
@TGS#_b,@TGS#_b@TOPIC#_four,four,,,,,,
@TGS#_a,,five,,,,,,
`
	many := make([]string, 1500)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprintf("f%04d", i))
	}
	friends := `{"From_Account":"u1","GroupName":"best","To_Account":["u2","u3"]}
{"From_Account":"u1","GroupName":"work","To_Account":["u4"]}
{"From_Account":"u1","GroupName":"empty","To_Account":[]}
{"From_Account":"u2","GroupName":"many","To_Account":[` + strings.Join(many, ",") + `]}
`
	var cb strings.Builder
	cb.WriteString(`From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName
u1,c1,1,u2,,,
u1,c1,2,,@TGS#_x,,
u1,c1,1,u5,,,
u1,c2,1,u3,,,
u1,c3,1,u4,,,
u1,c3,,,,rename,c3new
u1,c1,1,u5,,remove,
u2,other,1,p00,,,
`)
	for i := range 13 {
		fmt.Fprintf(&cb, "u2,big,1,p%02d,,,\n", i)
	}
	cb.WriteString("u2,big,2,,@TGS#_y,,\n")
	return &verifyRig{sim: sim, api: api, dir: dir, in: sources.Inputs{
		Topics:        []string{write("topics.csv", topics)},
		FriendGroups:  []string{write("friend_groups.jsonl", friends)},
		ContactGroups: []string{write("contact_groups.csv", cb.String())},
	}}
}

// migrate plans in and executes it with run's executor, reports into out (topic_ids.csv).
func (r *verifyRig) migrate(t *testing.T, in sources.Inputs, out string) {
	t.Helper()
	p, err := BuildPlan(context.Background(), in, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := OpenReports(out)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	s, err := Execute(context.Background(), p, ExecOptions{API: r.api, Call: vCall, Reports: rep, Admin: vAdmin})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range sources.Kinds {
		if f := s.Kinds[k].Failed; f > 0 {
			failures := readOrEmpty(filepath.Join(out, FailuresFile))
			if strings.Contains(failures, ",51012,") {
				// missing_contact_groups.jsonl names a group the user already has, to add the
				// conversations it lacks: run must merge into it (as sns/group_add merges
				// friend groups), not fail the create with 51012.
				t.Errorf("run does not add to an existing conversation group (create answered 51012)")
			}
			t.Fatalf("migrating %v: %d %s items failed:\n%s", in, f, k, failures)
		}
	}
}

// verify runs Verify on the rig's input with the topic IDs of run's reports in runOut, and
// its reports into out.
func (r *verifyRig) verify(t *testing.T, runOut, out string, api API, sample float64) (*VerifyResult, error) {
	t.Helper()
	p, err := BuildPlan(context.Background(), r.in, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := LoadTopicIDs(filepath.Join(runOut, TopicIDsFile))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := OpenDiffReport(out)
	if err != nil {
		t.Fatal(err)
	}
	if api == nil {
		api = r.api
	}
	res, verr := Verify(context.Background(), p, VerifyOptions{API: api, Call: vCall, Admin: vAdmin, TopicIDs: ids,
		Sample: sample, Report: rep, Summary: &Summary{Command: "verify"}})
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
	return res, verr
}

func readOrEmpty(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// diffRows reads diff.csv's rows (header checked, dropped) sorted.
func diffRows(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, DiffFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], diffHeader) {
		t.Fatalf("diff.csv header %v", recs[0])
	}
	var rows []string
	for _, r := range recs[1:] {
		rows = append(rows, strings.Join(r, ","))
	}
	slices.Sort(rows)
	return rows
}

// counts is a kind's verify counts, for comparison.
type vCounts struct{ checked, equal, missing, extra, differs, failed int }

func countsOf(ks *KindSummary) vCounts {
	return vCounts{ks.Checked, ks.Equal, ks.Missing, ks.Extra, ks.Differs, ks.Failed}
}

func checkVerifyCounts(t *testing.T, res *VerifyResult, want map[sources.Kind]vCounts) {
	t.Helper()
	for _, k := range sources.Kinds {
		if got := countsOf(res.Summary.Kinds[k]); got != want[k] {
			t.Errorf("%s: counts %+v, want %+v", k, got, want[k])
		}
	}
}

// topicIDOf returns the ID run recorded for a topic.
func topicIDOf(t *testing.T, runOut, group, name string) string {
	t.Helper()
	ids, err := LoadTopicIDs(filepath.Join(runOut, TopicIDsFile))
	if err != nil {
		t.Fatal(err)
	}
	id, ok := ids.Lookup(group, name)
	if !ok {
		t.Fatalf("no TopicId recorded for %s/%s", group, name)
	}
	return id
}

// allEqual is what a clean migration verifies as: 5 topics, 4 friend groups, 5 conversation groups.
var allEqual = map[sources.Kind]vCounts{
	sources.Topics:        {checked: 5, equal: 5},
	sources.FriendGroups:  {checked: 4, equal: 4},
	sources.ContactGroups: {checked: 5, equal: 5},
}

// TestVerifyClean: under every reading, verify after a clean run finds everything equal, with
// the reads it needs and no more.
func TestVerifyClean(t *testing.T) {
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		r := newVerifyRigUnder(t, d)
		runOut, out := t.TempDir(), t.TempDir()
		r.migrate(t, r.in, runOut)
		res, err := r.verify(t, runOut, out, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkVerifyCounts(t, res, allEqual)
		if !res.Equal() {
			t.Errorf("not equal: %+v", res.Unread)
		}
		if rows := diffRows(t, out); len(rows) != 0 {
			t.Errorf("diff.csv rows after a clean run: %v", rows)
		}
		// All three are there, empty, so that a refill command never finds one missing.
		for _, k := range sources.Kinds {
			if fi, err := os.Stat(filepath.Join(out, MissingFile(k))); err != nil || fi.Size() != 0 {
				t.Errorf("%s after a clean run: %v, want an empty file", MissingFile(k), err)
			}
		}
		// One get_topic per group, one group_get per user, and get_contact_group pages: u1's 4
		// conversations fit one page of 5, u2's 14 take 3.
		wantReq := map[sources.Kind]int{sources.Topics: 2, sources.FriendGroups: 2, sources.ContactGroups: 4}
		for k, n := range wantReq {
			if got := res.Summary.Kinds[k].Requests; got != n {
				t.Errorf("%s: %d read requests, want %d", k, got, n)
			}
		}
	})
}
