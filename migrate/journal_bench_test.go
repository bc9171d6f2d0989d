package migrate

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/sources"
)

// testTopicKey is a topic unit's content key, for journals written by hand.
func testTopicKey(i int) uint64 {
	return contentKey(sources.Topics, "@TGS#_g", []Item{{GroupId: "@TGS#_g", TopicName: fmt.Sprintf("topic number %d", i)}})
}

// benchResumeUnits sizes BenchmarkResumeReplay's checkpoint, in finished units (one request
// each): 1M by default; the memory issue's 10M-request run is -bench-resume-units=10000000.
var benchResumeUnits = flag.Int("bench-resume-units", 1_000_000, "BenchmarkResumeReplay: finished topic imports in the checkpoint")

// BenchmarkResumeReplay: the start-up of a resumed run over a checkpoint of 1M finished topic
// imports (or -bench-resume-units): opening the journal and learning what is done, until the
// run may send (startup_s; targets: ≤ 2 s at 1M, ≤ 5 s at 10M), and then the rebuilding of
// topic_ids.csv from it, which goes on beside the sending (rows_after_s). The plan's topics were looked up in the journal by BuildPlan
// (PlanOptions.Journal), as a resumed run does; that costs BuildPlan a content key per topic
// (BenchmarkContentKey), not the start-up.
func BenchmarkResumeReplay(b *testing.B) {
	units := *benchResumeUnits
	p := &Plan{Total: units, Fingerprint: "bench", Stats: map[sources.Kind]*KindStats{
		sources.Topics: {Units: units, Requests: units, Items: units}, sources.FriendGroups: {}, sources.ContactGroups: {}}}
	path := filepath.Join(b.TempDir(), "ck")
	j, err := OpenJournal(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := range units {
		g := fmt.Sprintf("@TGS#_@TGS#cGROUP%05d", i/100)
		rec := unitRecord{Topic: &topicLine{GroupId: g, TopicName: fmt.Sprintf("topic number %d", i),
			TopicId: g + "@TOPIC#_@TOPIC#cABCDEFGHIJK", File: "exports/topics.csv", Line: i + 2}}
		data, _ := marshalRecord(&rec)
		key := testTopicKey(i)
		if err := j.Append(checkpoint.Entry{Key: key, State: checkpoint.Sent}); err != nil {
			b.Fatal(err)
		}
		if err := j.Append(checkpoint.Entry{Key: key, State: checkpoint.Done, Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var open, replay, rowsDone time.Duration
	for b.Loop() {
		t0 := time.Now()
		j, err := OpenJournal(path)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		p.recorded = &recordedTopics{j: j, done: units} // BuildPlan's part
		rep, err := OpenReports(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		rs, rows, err := replayJournal(context.Background(), j, p, rep, false)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now() // the run sends from here on
		if err := rows.wait(); err != nil {
			b.Fatal(err)
		}
		rowsDone += time.Since(t2)
		replay += t2.Sub(t1)
		open += t1.Sub(t0)
		if rs.kinds[sources.Topics].skipped != units {
			b.Fatalf("skipped %d", rs.kinds[sources.Topics].skipped)
		}
		rep.Close()
		j.Close()
	}
	b.ReportMetric((open+replay).Seconds()/float64(b.N), "startup_s")
	b.ReportMetric(rowsDone.Seconds()/float64(b.N), "rows_after_s")
	b.ReportMetric(open.Seconds()/float64(b.N), "open_s")
	b.ReportMetric(replay.Seconds()/float64(b.N), "replay_s")
	b.ReportMetric(float64(info.Size())/float64(units), "file_B/unit")
}

// BenchmarkContentKey: what PlanOptions.Journal costs BuildPlan per topic, and every run's
// topic pass per unit: a topic's content key.
func BenchmarkContentKey(b *testing.B) {
	t := &sources.Topic{GroupId: "@TGS#_@TGS#cGROUP00042", TopicName: "topic number 4242", TopicId: "@TGS#_@TGS#cGROUP00042@TOPIC#_x",
		From_Account: "admin", Introduction: "an introduction of a typical length for a topic", CreateTime: "1700000000"}
	for b.Loop() {
		topicContentKey(t)
	}
}
