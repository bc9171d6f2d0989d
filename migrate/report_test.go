package migrate

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/samples/golden"
	"github.com/chatmigrate/chatmigrate/sources"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReportFailures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "nested")
	r, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	topic := Item{Pos: sources.Pos{File: "in/topics.csv", Line: 7}, GroupId: "@TGS#_g", TopicName: "话题, \"quoted\"",
		TopicId: "@TGS#_g@TOPIC#_x", From_Account: "admin", CustomString: "c", FaceUrl: "https://f", Notification: "n\nl",
		Introduction: "i", CreateTime: "1700000000"}
	steps := []func() error{
		func() error { return r.Failure(sources.Topics, topic, "10004", "bad parameter") },
		func() error {
			it := topic
			it.Pos.Line, it.CreateTime = 8, "soon"
			return r.Failure(sources.Topics, it, CodeInvalid, "CreateTime: not an integer")
		},
		func() error {
			return r.Problem(Problem{Kind: sources.Topics, Pos: sources.Pos{File: "in/topics.csv", Line: 9}, Reason: "not valid JSON",
				Item: Item{Pos: sources.Pos{File: "in/topics.csv", Line: 9}}})
		},
		func() error {
			return r.Problem(Problem{Kind: sources.FriendGroups, Warning: true, Reason: "merged"}) // not a failure
		},
		func() error {
			return r.Failure(sources.FriendGroups, Item{Pos: sources.Pos{File: "f.csv", Line: 2}, From_Account: "u", GroupName: "g", To_Account: "v"}, "32216", "not a friend")
		},
		func() error {
			return r.Failure(sources.FriendGroups, Item{Pos: sources.Pos{File: "f.csv", Line: 3}, From_Account: "u", GroupName: "empty"}, "30011", "limit")
		},
		func() error {
			return r.Failure(sources.ContactGroups, Item{Pos: sources.Pos{File: "c.csv", Line: 4}, From_Account: "u", GroupName: "g",
				Op: opRemove, Type: 2, ToGroupId: "@TGS#x"}, "51009", "no group")
		},
		func() error {
			return r.Failure(sources.ContactGroups, Item{Pos: sources.Pos{File: "c.csv", Line: 5}, From_Account: "u", GroupName: "g",
				Op: opAdd, TypeText: "9", To_Account: "v"}, CodeInvalid, "Type: must be 1 or 2")
		},
		func() error { return r.TopicID(topic, "@TGS#_g@TOPIC#_x") },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	// Every call has reached the files already, before Close.
	wantCSV := "kind,source,line,From_Account,GroupId,GroupName,To_Account,ToGroupId,TopicName,code,message\n" +
		"topics,in/topics.csv,7,admin,@TGS#_g,,,,\"话题, \"\"quoted\"\"\",10004,bad parameter (hint: the request was refused as invalid: check the row's fields)\n" +
		"topics,in/topics.csv,8,admin,@TGS#_g,,,,\"话题, \"\"quoted\"\"\",invalid,CreateTime: not an integer\n" +
		"topics,in/topics.csv,9,,,,,,,invalid,not valid JSON\n" +
		// The codes' meanings go beside the vendor's texts (chatapi.Meaning).
		"friend_groups,f.csv,2,u,,g,v,,,32216,not a friend (hint: not friends yet: import the friendships first)\n" +
		"friend_groups,f.csv,3,u,,empty,,,,30011,limit (hint: the user has too many friend groups (at most 32) or friends)\n" +
		"contact_groups,c.csv,4,u,,g,,@TGS#x,,51009,no group (hint: the conversation group does not exist)\n" +
		"contact_groups,c.csv,5,u,,g,v,,,invalid,Type: must be 1 or 2\n"
	if got := readFile(t, filepath.Join(dir, FailuresFile)); got != wantCSV {
		t.Errorf("failures.csv:\n%s\nwant:\n%s", got, wantCSV)
	}
	wantTopics := `{"GroupId":"@TGS#_g","TopicId":"@TGS#_g@TOPIC#_x","TopicName":"话题, \"quoted\"","From_Account":"admin","CustomString":"c","FaceUrl":"https://f","Notification":"n\nl","Introduction":"i","CreateTime":1700000000}` + "\n" +
		`{"GroupId":"@TGS#_g","TopicId":"@TGS#_g@TOPIC#_x","TopicName":"话题, \"quoted\"","From_Account":"admin","CustomString":"c","FaceUrl":"https://f","Notification":"n\nl","Introduction":"i","CreateTime":"soon"}` + "\n"
	if got := readFile(t, filepath.Join(dir, FailedFile(sources.Topics))); got != wantTopics {
		t.Errorf("failed_topics.jsonl:\n%s\nwant:\n%s", got, wantTopics)
	}
	wantFriends := `{"From_Account":"u","GroupName":"g","To_Account":["v"]}` + "\n" + `{"From_Account":"u","GroupName":"empty","To_Account":[]}` + "\n"
	if got := readFile(t, filepath.Join(dir, FailedFile(sources.FriendGroups))); got != wantFriends {
		t.Errorf("failed_friend_groups.jsonl:\n%s\nwant:\n%s", got, wantFriends)
	}
	wantContacts := `{"From_Account":"u","GroupName":"g","Op":"remove","ContactItem":[{"Type":2,"ToGroupId":"@TGS#x"}]}` + "\n" +
		`{"From_Account":"u","GroupName":"g","ContactItem":[{"Type":"9","To_Account":"v"}]}` + "\n"
	if got := readFile(t, filepath.Join(dir, FailedFile(sources.ContactGroups))); got != wantContacts {
		t.Errorf("failed_contact_groups.jsonl:\n%s\nwant:\n%s", got, wantContacts)
	}
	if got, want := readFile(t, filepath.Join(dir, TopicIDsFile)), "GroupId,TopicName,TopicId,source,line\n@TGS#_g,\"话题, \"\"quoted\"\"\",@TGS#_g@TOPIC#_x,in/topics.csv,7\n"; got != want {
		t.Errorf("topic_ids.csv:\n%s\nwant:\n%s", got, want)
	}

	// failed_topics.jsonl reads back as topics input: the first line whole, the second with
	// its bad CreateTime kept for the person to fix.
	rd, err := sources.OpenTopics(filepath.Join(dir, FailedFile(sources.Topics)))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	first, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := sources.Topic{Pos: sources.Pos{File: filepath.Join(dir, FailedFile(sources.Topics)), Line: 1}, GroupId: topic.GroupId,
		TopicId: topic.TopicId, TopicName: topic.TopicName, From_Account: topic.From_Account, CustomString: topic.CustomString,
		FaceUrl: topic.FaceUrl, Notification: topic.Notification, Introduction: topic.Introduction, CreateTime: topic.CreateTime}
	if first != want {
		t.Fatalf("read back %+v\nwant %+v", first, want)
	}
	second, err := rd.Next()
	if err != nil || second.CreateTime != "soon" {
		t.Fatalf("second line: %+v %v", second, err)
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestReportsConcurrentAndReopen(t *testing.T) {
	dir := t.TempDir()
	r, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				it := Item{Pos: sources.Pos{File: "f", Line: i*100 + j}, From_Account: "u", GroupName: "g", To_Account: "v"}
				if err := r.Failure(sources.FriendGroups, it, "1", "m"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if err := r.Failure(sources.Topics, Item{}, "1", "m"); err == nil {
		t.Fatal("Failure after Close must fail")
	}
	if n := strings.Count(readFile(t, filepath.Join(dir, FailuresFile)), "\n"); n != 401 {
		t.Fatalf("failures.csv has %d lines, want 401", n)
	}
	if n := strings.Count(readFile(t, filepath.Join(dir, FailedFile(sources.FriendGroups))), "\n"); n != 400 {
		t.Fatalf("failed_friend_groups.jsonl has %d lines, want 400", n)
	}
	// A new run starts its reports afresh.
	r2, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if n := strings.Count(readFile(t, filepath.Join(dir, FailuresFile)), "\n"); n != 1 {
		t.Fatalf("reopened failures.csv has %d lines, want the header only", n)
	}
	if _, err := os.Stat(filepath.Join(dir, FailedFile(sources.FriendGroups))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("old failed_friend_groups.jsonl left behind: %v", err)
	}
}

func TestReportSummary(t *testing.T) {
	dir := t.TempDir()
	r, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &Summary{Command: "validate", Started: start, Finished: start.Add(time.Second), ExitCode: 3,
		Kinds: map[sources.Kind]*KindSummary{sources.Topics: {Records: 10, Invalid: 1, Requests: 9}}}
	if err := r.WriteSummary(s); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, filepath.Join(dir, SummaryFile))
	golden.Check(t, filepath.Join("testdata", "plan", "summary.json"), []byte(got))
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"command", "started", "finished", "exit_code", "topics", "friend_groups", "contact_groups"} {
		if _, ok := m[key]; !ok {
			t.Errorf("summary.json lacks %q", key)
		}
	}
	var back Summary
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatal(err)
	}
	if back.Command != "validate" || !back.Started.Equal(start) || back.ExitCode != 3 || *back.Kinds[sources.Topics] != *s.Kinds[sources.Topics] {
		t.Fatalf("round trip: %+v", back)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// TestReportSummaryVerifyZeros: verify's counts are written even when zero, so that a script
// reads "missing": 0 instead of an absent key; other commands leave them out.
func TestReportSummaryVerifyZeros(t *testing.T) {
	for _, tc := range []struct {
		command string
		want    bool
	}{{"verify", true}, {"run", false}, {"validate", false}} {
		t.Run(tc.command, func(t *testing.T) {
			s := &Summary{Command: Command(tc.command), Kinds: map[sources.Kind]*KindSummary{
				sources.Topics: {Records: 2, Checked: 2, Equal: 2}}}
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]map[string]any
			json.Unmarshal(b, &m) //nolint:errcheck // the head's scalars do not fit; the kinds do
			for _, k := range sources.Kinds {
				for _, key := range []string{"checked", "equal", "missing", "extra", "differs"} {
					if _, ok := m[string(k)][key]; ok != tc.want && (key == "missing" || k != sources.Topics) {
						t.Errorf("%s: %s.%s present %v, want %v", tc.command, k, key, ok, tc.want)
					}
				}
			}
			var back Summary
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if *back.Kinds[sources.Topics] != *s.Kinds[sources.Topics] {
				t.Fatalf("round trip: %+v", back.Kinds[sources.Topics])
			}
		})
	}
}
