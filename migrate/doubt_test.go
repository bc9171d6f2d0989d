package migrate

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim/simtest"
	"github.com/chatmigrate/chatmigrate/sources"
)

// isWrite reports whether endpoint changes the target.
func isWrite(endpoint string) bool {
	switch endpoint {
	case chatapi.PathImportTopic, chatapi.PathGroupAdd, chatapi.PathFriendUpdate, chatapi.PathCreateContactGroup, chatapi.PathUpdateContactGroup:
		return true
	}
	return false
}

// loseFirstAnswers returns a hook that loses the answer of the first, applied, call of every
// write request.
func loseFirstAnswers() func(string, any, error) error {
	var mu sync.Mutex
	seen := make(map[any]bool)
	return func(endpoint string, req any, err error) error {
		if err != nil || !isWrite(endpoint) {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if seen[req] {
			return err
		}
		seen[req] = true
		return lostAnswer(endpoint)
	}
}

// TestExecuteLostAnswers: under every reading, every write is applied and its answer lost
// once. Settling finds each one done: no topic twice, no create refused as existing, no rename
// refused, and the same state whichever reading.
func TestExecuteLostAnswers(t *testing.T) {
	same := simtest.NewSameTarget()
	in := genInputs(t, t.TempDir(), 40, 15)
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		rig := newExRig(t, chatsim.Config{Dialect: d}, "")
		p := mustPlan(t, in)
		r := newExecRun(t, &hookAPI{API: rig.api, after: loseFirstAnswers()})
		s, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkContactGroups(t, p, rig.sim.Dump())
		same.Check(t, rig.sim.Dump())
		checkCounts(t, p, s)
		for _, k := range sources.Kinds {
			if s.Kinds[k].Failed != 0 {
				t.Errorf("%s: %d failed", k, s.Kinds[k].Failed)
			}
		}
		if n := strings.Count(readFileString(t, filepath.Join(r.out, TopicIDsFile)), "\n"); n != 41 {
			t.Errorf("topic_ids.csv: %d lines, want 41", n)
		}
		m := rig.sim.Metrics()
		if m.Endpoints[chatapi.PathGetTopic].Requests == 0 || m.Endpoints[chatapi.PathGetContactGroup].Requests == 0 {
			t.Errorf("no lookups settled the topics without ID or the renames: %+v", m.Endpoints)
		}
	})
}

// TestExecuteResumeInDoubt: under every reading, the first run's answers are all lost and it
// is interrupted, so its journal holds units in doubt. The rerun settles them: the same end
// state as a clean run, every row once.
func TestExecuteResumeInDoubt(t *testing.T) {
	same := simtest.NewSameTarget()
	in := genInputs(t, t.TempDir(), 40, 15)
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		rig := newExRig(t, chatsim.Config{Dialect: d}, "")
		p := mustPlan(t, in)
		ctx, cancel := context.WithCancel(context.Background())
		var lost atomic.Int32
		lose := loseFirstAnswers()
		r := newExecRun(t, &hookAPI{API: rig.api, after: func(endpoint string, req any, err error) error {
			herr := lose(endpoint, req, err)
			if herr != err && lost.Add(1) == 25 {
				cancel() // a crash right after a request went out
			}
			return herr
		}})
		if _, err := r.run(t, ctx, p); err == nil {
			t.Fatal("the interrupted run returned no error")
		}
		sent := 0
		j, err := OpenJournal(r.journal)
		if err != nil {
			t.Fatal(err)
		}
		sent = j.Counts()[checkpoint.Sent]
		j.Close()
		if sent == 0 {
			t.Fatal("no unit in doubt after the interrupted run")
		}

		r.opt.API = rig.api
		s, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkContactGroups(t, p, rig.sim.Dump())
		same.Check(t, rig.sim.Dump())
		checkCounts(t, p, s)
		ids := readFileString(t, filepath.Join(r.out, TopicIDsFile))
		if n := strings.Count(ids, "\n"); n != 41 {
			t.Errorf("topic_ids.csv: %d lines, want 41:\n%s", n, ids)
		}
		if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1 {
			t.Errorf("failures.csv:\n%s", got)
		}
	})
}
