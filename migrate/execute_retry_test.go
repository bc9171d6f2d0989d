package migrate

import (
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// TestExecuteRetryFailed: under every reading, a rerun keeps an earlier run's failures (rows
// rebuilt once, nothing sent); when failed units are sent again, once the cause is fixed, they
// succeed, partly failed creates included.
func TestExecuteRetryFailed(t *testing.T) {
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		world := &chatsim.World{
			Users:   []string{"alice", "bob", "carol", "dave"},
			Friends: map[string][]string{"alice": {"bob"}},
			Groups:  []string{"@TGS#2yes"},
		}
		rig := newExRig(t, chatsim.Config{World: world, Dialect: d}, "")
		dir := t.TempDir()
		in := sources.Inputs{
			FriendGroups: []string{writeFile(t, dir, "friend_groups.csv", "From_Account,GroupName,To_Account\nalice,g,bob\nalice,g,carol\n")},
			ContactGroups: []string{writeFile(t, dir, "contact_groups.csv",
				"From_Account,GroupName,Type,To_Account,ToGroupId\ndave,x,1,alice,\ndave,x,2,,@TGS#2yes\ndave,x,2,,@TGS#2later\n")},
		}
		p := mustPlan(t, in)
		r := newExecRun(t, rig.api)
		s, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if s.Kinds[sources.FriendGroups].Failed != 1 || s.Kinds[sources.ContactGroups].Failed != 1 {
			t.Fatalf("first run: %+v %+v", s.Kinds[sources.FriendGroups], s.Kinds[sources.ContactGroups])
		}
		failures := readFileString(t, filepath.Join(r.out, FailuresFile))

		// A plain rerun sends nothing and rebuilds the same failure rows, once.
		sent := rig.sim.Metrics().Total.Requests
		s, err = r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if got := rig.sim.Metrics().Total.Requests; got != sent {
			t.Errorf("a rerun without RetryFailed sent %d requests", got-sent)
		}
		if got := readFileString(t, filepath.Join(r.out, FailuresFile)); got != failures {
			t.Errorf("rebuilt failures.csv:\n%s\nwant\n%s", got, failures)
		}
		checkCounts(t, p, s)

		// RetryFailed before the causes are fixed: they fail again, and a plain rerun still
		// lists each failure once (the unit now has two Failed entries; the last one counts).
		r.opt.RetryFailed = true
		if _, err := r.run(t, context.Background(), p); err != nil {
			t.Fatal(err)
		}
		r.opt.RetryFailed = false
		if _, err := r.run(t, context.Background(), p); err != nil {
			t.Fatal(err)
		}
		// The retry run's kinds finish in any order, so the rebuilt rows may too: compare as sets.
		// The retry finds alice's group made and sends carol with friend_update, not group_add:
		// the same code, in the words of another endpoint, so messages are left out.
		if got := readFileString(t, filepath.Join(r.out, FailuresFile)); sortedLines(withoutMessages(t, got)) != sortedLines(withoutMessages(t, failures)) {
			t.Errorf("failures.csv after a failed retry:\n%s\nwant (in any order)\n%s", got, failures)
		}

		// The causes fixed (a new emulator with the old state and a better world), the failed
		// items go through.
		fixed := &chatsim.World{Users: world.Users, Friends: map[string][]string{"alice": {"bob", "carol"}},
			Groups: []string{"@TGS#2yes", "@TGS#2later"}}
		rig2 := newExRig(t, chatsim.Config{World: fixed, Dialect: d}, "")
		old := rig.sim.Dump()
		rig2.sim.Tamper(func(s *chatsim.State) { *s = old })
		r.opt.API, r.opt.RetryFailed = rig2.api, true
		s, err = r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkContactGroups(t, p, rig2.sim.Dump())
		checkCounts(t, p, s)
		for _, k := range sources.Kinds {
			if s.Kinds[k].Failed != 0 {
				t.Errorf("%s: %d failed after RetryFailed", k, s.Kinds[k].Failed)
			}
		}
		if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1 {
			t.Errorf("failures.csv after a successful retry:\n%s", got)
		}
	})
}

// withoutMessages drops the message column of failures.csv text.
func withoutMessages(t *testing.T, csvText string) string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, row := range rows {
		w.Write(row[:len(row)-1])
	}
	w.Flush()
	return b.String()
}
