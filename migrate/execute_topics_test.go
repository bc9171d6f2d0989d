package migrate

import (
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// topicIDsOf reads topic_ids.csv into GroupId/TopicName → TopicId.
func topicIDsOf(t *testing.T, out string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(readFileString(t, filepath.Join(out, TopicIDsFile)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ids := make(map[string]string, len(rows))
	for _, r := range rows[1:] {
		ids[r[0]+"/"+r[1]] = r[2]
	}
	return ids
}

// TestTopicsRerunWithoutCheckpoint: a second run with a new checkpoint and a new output
// directory finds every topic on the target: nothing imported twice, nothing failed, every
// topic skipped with the ID the first run gave it, the target as the first run left it. Under
// seeded faults (lost answers among them) too.
func TestTopicsRerunWithoutCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults chatsim.Faults
	}{
		{"clean", chatsim.Faults{}},
		{"faults", chatsim.Faults{TransientRate: 0.05, HTTP502Rate: 0.05, AmbiguousRate: 0.1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig := newExRig(t, chatsim.Config{Faults: tc.faults, Seed: 7}, "")
			in := genInputs(t, t.TempDir(), 60, 15)
			in.FriendGroups, in.ContactGroups = nil, nil
			p := mustPlan(t, in)
			first := newExecRun(t, rig.api)
			s1, err := first.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if ks := s1.Kinds[sources.Topics]; ks.Failed != 0 || ks.Succeeded != 60 {
				t.Fatalf("first run: %+v", ks)
			}
			before := rig.sim.Dump()
			imports := rig.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests

			second := newExecRun(t, rig.api) // a new checkpoint and a new --out
			s2, err := second.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if ks := s2.Kinds[sources.Topics]; ks.Failed != 0 || ks.Succeeded != 0 || ks.Skipped != 60 {
				t.Errorf("second run: %+v, want all 60 skipped", ks)
			}
			if got := rig.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests; got != imports {
				t.Errorf("the second run sent %d imports, want none", got-imports)
			}
			if after := rig.sim.Dump(); !reflect.DeepEqual(before.Topics, after.Topics) {
				t.Errorf("the second run changed the target's topics")
			}
			checkState(t, p, rig.sim.Dump())
			if a, b := topicIDsOf(t, first.out), topicIDsOf(t, second.out); !reflect.DeepEqual(a, b) || len(b) != 60 {
				t.Errorf("topic_ids.csv of the second run differs from the first's:\n%v\n%v", a, b)
			}
			if got := readFileString(t, filepath.Join(second.out, FailuresFile)); strings.Count(got, "\n") != 1 {
				t.Errorf("failures.csv of the second run:\n%s", got)
			}
		})
	}
}

// TestTopicsFoundOnTarget: topics the target holds before the first run are matched by
// TopicId (same name: skipped; another name: 10021, not sent), else by TopicName and
// CreateTime; a topic of the same name but another CreateTime is imported.
func TestTopicsFoundOnTarget(t *testing.T) {
	const g = "@TGS#_c"
	world := &chatsim.World{Lenient: true, Existing: &chatsim.State{Topics: map[string][]chatsim.Topic{g: {
		{TopicId: g + "@TOPIC#_same", TopicName: "same id", CreateTime: 1},
		{TopicId: g + "@TOPIC#_taken", TopicName: "someone else's", CreateTime: 1},
		{TopicId: g + "@TOPIC#_x1", TopicName: "by name", CreateTime: 1600000000},
		{TopicId: g + "@TOPIC#_x2", TopicName: "by name only", CreateTime: 5},
		{TopicId: g + "@TOPIC#_x3", TopicName: "other time", CreateTime: 7},
	}}}}
	rig := newExRig(t, chatsim.Config{World: world}, "")
	dir := t.TempDir()
	in := sources.Inputs{Topics: []string{writeFile(t, dir, "topics.csv", "GroupId,TopicId,TopicName,CreateTime\n"+
		g+","+g+"@TOPIC#_same,same id,\n"+
		g+","+g+"@TOPIC#_taken,mine,\n"+
		g+",,by name,1600000000\n"+
		g+",,by name only,\n"+
		g+",,other time,8\n"+
		g+",,new,\n")}}
	p := mustPlan(t, in)
	r := newExecRun(t, rig.api)
	s, err := r.run(t, context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if ks := s.Kinds[sources.Topics]; ks.Skipped != 3 || ks.Failed != 1 || ks.Succeeded != 2 {
		t.Errorf("summary %+v, want 3 skipped, 1 failed, 2 succeeded", ks)
	}
	if got := rig.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests; got != 2 {
		t.Errorf("%d imports, want 2 (other time, new)", got)
	}
	ids := topicIDsOf(t, r.out)
	for name, want := range map[string]string{"same id": g + "@TOPIC#_same", "by name": g + "@TOPIC#_x1", "by name only": g + "@TOPIC#_x2"} {
		if ids[g+"/"+name] != want {
			t.Errorf("topic_ids.csv: %q has %q, want %q", name, ids[g+"/"+name], want)
		}
	}
	if ids[g+"/other time"] == g+"@TOPIC#_x3" || ids[g+"/other time"] == "" {
		t.Errorf("topic_ids.csv: other time has %q, want a new topic's ID", ids[g+"/other time"])
	}
	failures := readFileString(t, filepath.Join(r.out, FailuresFile))
	if !strings.Contains(failures, ",mine,10021,") || strings.Count(failures, "\n") != 2 {
		t.Errorf("failures.csv:\n%s\nwant one 10021 row for mine", failures)
	}
	if n := len(rig.sim.Dump().Topics[g]); n != 7 {
		t.Errorf("%d topics on the target, want 7 (5 before, 2 imported)", n)
	}
}

// kept returns how many Communities k keeps.
func (k *knownTopics) kept() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.groups)
}

// countingTopics answers get_topic with one topic per Community and counts reads per group.
type countingTopics struct {
	API
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingTopics) GetTopic(_ context.Context, req *chatapi.GetTopicRequest) (*chatapi.GetTopicResponse, error) {
	c.mu.Lock()
	c.reads[req.GroupId]++
	c.mu.Unlock()
	return &chatapi.GetTopicResponse{TopicAndSelfInfo: []chatapi.TopicAndSelfInfo{
		{TopicInfo: chatapi.TopicInfo{TopicId: req.GroupId + "@TOPIC#_a", TopicName: "a"}}}}, nil
}

// TestKnownTopicsBounded: whatever the order of Communities, knownTopics keeps those with
// topics in flight and at most idleMax others, reads a Community once while it is kept, and
// matches against what it read.
func TestKnownTopicsBounded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		order     func(i int) int // the Community of the i-th topic
		groups    int
		wantReads int
	}{
		{"sorted", func(i int) int { return i / 10 }, 50, 50},
		{"interleaved within the bound", func(i int) int { return i % 4 }, 4, 4},
		{"interleaved past the bound", func(i int) int { return i % 50 }, 50, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &countingTopics{reads: map[string]int{}}
			k := newKnownTopics(topicReads{pacer.New(pacer.Options{RPS: 1e9}), api}, exAdmin, 8)
			ctx := context.Background()
			peak := 0
			for i := range 500 {
				gid := fmt.Sprintf("@TGS#_%d", tc.order(i))
				k.want(ctx, gid)
				m, err := k.lookup(ctx, &chatapi.ImportTopicRequest{GroupId: gid, TopicName: "a"})
				if err != nil || m.id != gid+"@TOPIC#_a" {
					t.Fatalf("lookup %s: %+v, %v", gid, m, err)
				}
				k.release(gid)
				peak = max(peak, k.kept())
			}
			k.wait()
			total := 0
			for _, n := range api.reads {
				total += n
			}
			if total != tc.wantReads || len(api.reads) != tc.groups {
				t.Errorf("%d reads of %d Communities, want %d of %d", total, len(api.reads), tc.wantReads, tc.groups)
			}
			if peak > 8 {
				t.Errorf("kept %d Communities at most, want at most 8", peak)
			}
		})
	}
}

// TestRerunAllKindsWithoutCheckpoint: run; lose the checkpoint and the reports; run again.
// The second run imports no topic, fails nothing, and leaves the target as the first left
// it, which is what plan p intends (checkState: a clean run's state); under seeded faults,
// lost answers among them, too.
func TestRerunAllKindsWithoutCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults chatsim.Faults
	}{
		{"clean", chatsim.Faults{}},
		{"faults", chatsim.Faults{TransientRate: 0.05, HTTP502Rate: 0.03, AmbiguousRate: 0.05}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig := newExRig(t, chatsim.Config{Faults: tc.faults, Seed: 11}, "")
			p := mustPlan(t, genInputs(t, t.TempDir(), 40, 12))
			if _, err := newExecRun(t, rig.api).run(t, context.Background(), p); err != nil {
				t.Fatal(err)
			}
			checkState(t, p, rig.sim.Dump())
			first := rig.sim.Dump()
			imports := rig.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests

			r := newExecRun(t, rig.api)
			s, err := r.run(t, context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range sources.Kinds {
				if ks := s.Kinds[k]; ks.Failed != 0 {
					t.Errorf("%s: the second run failed %d items", k, ks.Failed)
				}
			}
			if got := rig.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests; got != imports {
				t.Errorf("the second run sent %d imports", got-imports)
			}
			if ks := s.Kinds[sources.Topics]; ks.Skipped != p.Stats[sources.Topics].Items {
				t.Errorf("topics: %+v, want every one skipped", ks)
			}
			if !reflect.DeepEqual(first, rig.sim.Dump()) {
				t.Errorf("the second run changed the target")
			}
			checkState(t, p, rig.sim.Dump())
		})
	}
}
