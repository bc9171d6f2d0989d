package migrate

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/sources"
)

// TestReportsBulk: rows written in bulk mode are buffered, and reach the files when bulk mode
// ends or the reports close; rows outside it reach the files at once.
func TestReportsBulk(t *testing.T) {
	topicRow := func(i int) Item {
		return Item{Pos: sources.Pos{File: "t.csv", Line: i}, GroupId: "@TGS#_g", TopicName: fmt.Sprintf("n%d", i)}
	}
	lines := func(t *testing.T, dir, name string) int {
		t.Helper()
		return strings.Count(readFile(t, filepath.Join(dir, name)), "\n")
	}
	tests := []struct {
		name string
		end  func(r *Reports) error
	}{
		{"endBulk", (*Reports).endBulk},
		{"Close", (*Reports).Close},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			r, err := OpenReports(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.TopicID(topicRow(1), "id1"); err != nil {
				t.Fatal(err)
			}
			r.beginBulk()
			const n = 100 // well under one buffer
			for i := range n {
				if err := r.TopicID(topicRow(i+2), "id"); err != nil {
					t.Fatal(err)
				}
				if err := r.Failure(sources.Topics, topicRow(i+2), "10004", "bad"); err != nil {
					t.Fatal(err)
				}
			}
			if got := lines(t, dir, TopicIDsFile); got != 2 {
				t.Errorf("topic_ids.csv has %d lines in bulk mode, want 2 (header, the row before)", got)
			}
			if got := lines(t, dir, FailuresFile); got != 1 {
				t.Errorf("failures.csv has %d lines in bulk mode, want the header only", got)
			}
			if err := tc.end(r); err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name string
				want int
			}{{TopicIDsFile, n + 2}, {FailuresFile, n + 1}, {FailedFile(sources.Topics), n}} {
				if got := lines(t, dir, f.name); got != f.want {
					t.Errorf("%s has %d lines, want %d", f.name, got, f.want)
				}
			}
			if tc.name == "Close" {
				return
			}
			// Bulk mode is over: every row reaches the file at once again.
			if err := r.TopicID(topicRow(1000), "id"); err != nil {
				t.Fatal(err)
			}
			if err := r.Failure(sources.Topics, topicRow(1000), "10004", "bad"); err != nil {
				t.Fatal(err)
			}
			if got := lines(t, dir, TopicIDsFile); got != n+3 {
				t.Errorf("topic_ids.csv has %d lines after bulk mode, want %d", got, n+3)
			}
			if got := lines(t, dir, FailedFile(sources.Topics)); got != n+1 {
				t.Errorf("failed_topics.jsonl has %d lines after bulk mode, want %d", got, n+1)
			}
		})
	}
}

// TestReplayJournalFlushesOnError: when replay stops at a bad entry, the rows before it are
// in the files all the same.
func TestReplayJournalFlushesOnError(t *testing.T) {
	const units = 4
	p := &Plan{Total: units, Fingerprint: "test", Stats: map[sources.Kind]*KindStats{
		sources.Topics: {Requests: units, Items: units}, sources.FriendGroups: {}, sources.ContactGroups: {}}}
	path := filepath.Join(t.TempDir(), "ck")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range units {
		data, err := marshalRecord(&unitRecord{Topic: &topicLine{GroupId: "@TGS#_g", TopicName: fmt.Sprintf("n%d", i),
			TopicId: "@TGS#_g@TOPIC#_x", File: "t.csv", Line: i + 2}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			data = []byte(`{"t":"not a topic record"}`)
		}
		if err := j.Append(checkpoint.Entry{Key: testTopicKey(i), State: checkpoint.Done, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if j, err = OpenJournal(path); err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	p.recorded = &recordedTopics{j: j, done: units}
	dir := t.TempDir()
	rep, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	_, rows, err := replayJournal(context.Background(), j, p, rep, false)
	if err == nil {
		err = rows.wait() // the damaged topic is found by the rows' goroutine
	}
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("unit %016x", testTopicKey(2))) {
		t.Fatalf("replay error %v, want one about unit 2", err)
	}
	want := "GroupId,TopicName,TopicId,source,line\n@TGS#_g,n0,@TGS#_g@TOPIC#_x,t.csv,2\n@TGS#_g,n1,@TGS#_g@TOPIC#_x,t.csv,3\n"
	if got := readFile(t, filepath.Join(dir, TopicIDsFile)); got != want {
		t.Errorf("topic_ids.csv before Close:\n%s\nwant:\n%s", got, want)
	}
	// The reports are out of bulk mode: a row now reaches the file at once.
	if err := rep.TopicID(Item{Pos: sources.Pos{File: "t.csv", Line: 9}, GroupId: "@TGS#_g", TopicName: "late"}, "id"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, TopicIDsFile)); !strings.HasSuffix(got, "late,id,t.csv,9\n") {
		t.Errorf("topic_ids.csv after replay:\n%s\nwant the late row last", got)
	}
}
