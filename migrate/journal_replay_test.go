package migrate

import (
	"context"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// TestReplayPlanLookup: BuildPlan's look-up of the topics in the journal (PlanOptions.Journal)
// and the replay's own pass over the units, without it, learn the same: after an edit, the
// topics the journal records as done or failed count only when the input still has them.
func TestReplayPlanLookup(t *testing.T) {
	world := &chatsim.World{Communities: []chatsim.Community{{GroupId: "@TGS#_on", Topics: true}, {GroupId: "@TGS#_off"}}}
	rig := readingRig(t, "default", "", chatsim.Faults{}, world)
	dir := t.TempDir()
	first := sources.Inputs{Topics: []string{writeFile(t, dir, "a.csv", "GroupId,TopicName\n@TGS#_on,a\n@TGS#_on,b\n@TGS#_off,c\n@TGS#_off,d\n")}}
	r := newExecRun(t, rig.api)
	if _, err := r.run(t, context.Background(), mustPlan(t, first)); err != nil {
		t.Fatal(err)
	}
	// b is removed and d fixed (a new content); a and c are as they were.
	edited := sources.Inputs{Topics: []string{writeFile(t, dir, "b.csv", "GroupId,TopicName\n@TGS#_on,new\n@TGS#_on,a\n@TGS#_off,c\n@TGS#_on,d\n")}}
	for _, retry := range []bool{false, true} {
		var got [2]resumeCounts
		for i, lookup := range []bool{true, false} {
			j, err := OpenJournal(r.journal)
			if err != nil {
				t.Fatal(err)
			}
			opt := PlanOptions{}
			if lookup {
				opt.Journal = j
			}
			p, err := BuildPlan(context.Background(), edited, opt)
			if err != nil {
				t.Fatal(err)
			}
			if lookup != (p.recorded != nil) {
				t.Fatalf("lookup %v: recorded %v", lookup, p.recorded)
			}
			rep, err := OpenReports(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			rs, rows, err := replayJournal(context.Background(), j, p, rep, retry)
			if err == nil {
				err = rows.wait()
			}
			if err != nil {
				t.Fatal(err)
			}
			got[i] = *rs.kinds[sources.Topics]
			rep.Close()
			j.Close()
		}
		want := resumeCounts{skipped: 1, failed: 1} // a done, c failed
		if retry {
			want.failed = 0 // c is sent again
		}
		if got[0] != want || got[1] != want {
			t.Errorf("retry %v: with BuildPlan's look-up %+v, without %+v, want %+v", retry, got[0], got[1], want)
		}
	}
}
