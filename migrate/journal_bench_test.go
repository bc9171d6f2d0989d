package migrate

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/sources"
)

// BenchmarkResumeReplay: the start-up of a resumed run over a checkpoint of 1M finished topic
// imports: opening the journal, then rebuilding topic_ids.csv from it (target: the whole
// start-up ≤ 2 s).
func BenchmarkResumeReplay(b *testing.B) {
	const units = 1_000_000
	p := &Plan{Total: units, Fingerprint: "bench", Stats: map[sources.Kind]*KindStats{
		sources.Topics: {Requests: units, Items: units}, sources.FriendGroups: {}, sources.ContactGroups: {}}}
	path := filepath.Join(b.TempDir(), "ck")
	j, err := OpenJournal(path, p, false)
	if err != nil {
		b.Fatal(err)
	}
	for i := range units {
		g := fmt.Sprintf("@TGS#_@TGS#cGROUP%05d", i/100)
		rec := unitRecord{Topic: &topicLine{GroupId: g, TopicName: fmt.Sprintf("topic number %d", i),
			TopicId: g + "@TOPIC#_@TOPIC#cABCDEFGHIJK", File: "exports/topics.csv", Line: i + 2}}
		data, _ := marshalRecord(&rec)
		if err := j.Append(checkpoint.Entry{Ord: i, State: checkpoint.Sent}); err != nil {
			b.Fatal(err)
		}
		if err := j.Append(checkpoint.Entry{Ord: i, State: checkpoint.Done, Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var open, replay time.Duration
	for b.Loop() {
		t0 := time.Now()
		j, err := OpenJournal(path, p, false)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		rep, err := OpenReports(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		rs, err := replayJournal(j, p, rep, false)
		if err != nil {
			b.Fatal(err)
		}
		replay += time.Since(t1)
		open += t1.Sub(t0)
		if rs.kinds[sources.Topics].skipped != units {
			b.Fatalf("skipped %d", rs.kinds[sources.Topics].skipped)
		}
		rep.Close()
		j.Close()
	}
	b.ReportMetric(open.Seconds()/float64(b.N), "open_s")
	b.ReportMetric(replay.Seconds()/float64(b.N), "replay_s")
}
