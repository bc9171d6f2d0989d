package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim/simtest"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// execRun is one Execute with a journal and reports in fresh (or given) places.
type execRun struct {
	journal string // checkpoint path
	out     string // reports directory
	opt     ExecOptions
}

func newExecRun(t *testing.T, api API) *execRun {
	dir := t.TempDir()
	return &execRun{journal: filepath.Join(dir, "ck.journal"), out: filepath.Join(dir, "out"),
		opt: ExecOptions{API: api, Call: pacer.Options{Concurrency: 8, Timeout: 2 * time.Second,
			BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond}, Admin: exAdmin}}
}

// run executes p, opening and closing the journal and the reports around it.
func (r *execRun) run(t *testing.T, ctx context.Context, p *Plan) (*Summary, error) {
	t.Helper()
	j, err := OpenJournal(r.journal)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := OpenReports(r.out)
	if err != nil {
		t.Fatal(err)
	}
	opt := r.opt
	opt.Journal, opt.Reports = j, rep
	opt.Summary = &Summary{Command: "run", Started: time.Now()}
	s, err := Execute(ctx, p, opt)
	if cerr := j.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if cerr := rep.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	return s, err
}

// TestExecuteClean: under every reading, a run onto an empty target sends what the plan
// estimates and leaves the same state; a rerun with its checkpoint sends nothing.
func TestExecuteClean(t *testing.T) {
	same := simtest.NewSameTarget()
	in := genInputs(t, t.TempDir(), 60, 15)
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		rig := newExRig(t, chatsim.Config{Dialect: d}, "")
		p := mustPlan(t, in)
		r := newExecRun(t, rig.api)
		s, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkContactGroups(t, p, rig.sim.Dump())
		checkCounts(t, p, s)
		same.Check(t, rig.sim.Dump())
		for _, k := range sources.Kinds {
			if ks := s.Kinds[k]; ks.Failed != 0 || ks.Skipped != 0 || ks.Succeeded == 0 {
				t.Errorf("%s: %+v", k, ks)
			}
		}
		if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1 {
			t.Errorf("failures.csv of a clean run:\n%s", got)
		}
		ids := readFileString(t, filepath.Join(r.out, TopicIDsFile))
		if n := strings.Count(ids, "\n"); n != 61 {
			t.Errorf("topic_ids.csv has %d lines, want 61", n)
		}
		m := rig.sim.Metrics()
		planned := 0
		for _, k := range sources.Kinds {
			planned += p.Stats[k].Requests
		}
		if int(m.Total.Requests) != planned {
			t.Errorf("%d requests, the plan says %d: a clean run on an empty target sends what it plans", m.Total.Requests, planned)
		}

		// A second run with the same checkpoint sends nothing and rebuilds the same reports.
		s2, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if got := rig.sim.Metrics().Total.Requests; got != m.Total.Requests {
			t.Errorf("a finished checkpoint sent %d more requests", got-m.Total.Requests)
		}
		checkCounts(t, p, s2)
		if s2.Kinds[sources.Topics].Skipped != 60 {
			t.Errorf("rerun: %+v, want 60 topics skipped", s2.Kinds[sources.Topics])
		}
		if got := readFileString(t, filepath.Join(r.out, TopicIDsFile)); got != ids {
			t.Errorf("rebuilt topic_ids.csv differs:\n%s\nwant\n%s", got, ids)
		}
	})
}

// TestExecuteFaults: under every reading, with lost answers of both kinds among transient
// faults and throttling, the run ends in the state a clean run leaves, nothing failed.
func TestExecuteFaults(t *testing.T) {
	same := simtest.NewSameTarget()
	in := genInputs(t, t.TempDir(), 80, 20)
	eachReading(t, true, func(t *testing.T, d chatsim.Dialect) {
		rig := newExRig(t, chatsim.Config{RPS: 150, Burst: 2, Seed: 7, Dialect: d, Faults: chatsim.Faults{
			TransientRate: 0.10, HTTP502Rate: 0.02, AmbiguousRate: 0.02,
			LatencyMin: time.Millisecond, LatencyMax: 5 * time.Millisecond}}, "")
		p := mustPlan(t, in)
		r := newExecRun(t, rig.api)
		r.opt.Call.RPS = 600 // four times the emulator's: throttle answers, then AIMD
		s, err := r.run(t, context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkContactGroups(t, p, rig.sim.Dump())
		checkCounts(t, p, s)
		same.Check(t, rig.sim.Dump())
		retries, throttled := 0, 0
		for _, k := range sources.Kinds {
			ks := s.Kinds[k]
			if ks.Failed != 0 {
				t.Errorf("%s: %d failed", k, ks.Failed)
			}
			retries += ks.Retries
			throttled += ks.Throttled
		}
		m := rig.sim.Metrics()
		if retries == 0 || throttled == 0 || m.Total.Faults[chatsim.FaultAmbiguous] == 0 {
			t.Errorf("the faults did not happen: retries %d, throttled %d, metrics %+v", retries, throttled, m.Total)
		}
		if got := readFileString(t, filepath.Join(r.out, FailuresFile)); strings.Count(got, "\n") != 1 {
			t.Errorf("failures.csv:\n%s", got)
		}
	})
}

func TestExecuteWrongKey(t *testing.T) {
	rig := newExRig(t, chatsim.Config{Faults: chatsim.Faults{LatencyMin: time.Millisecond, LatencyMax: 3 * time.Millisecond}},
		"not-the-key-of-this-app-0000000000")
	p := mustPlan(t, genInputs(t, t.TempDir(), 100, 30))
	r := newExecRun(t, rig.api)
	r.opt.Call.Concurrency = 3
	_, err := r.run(t, context.Background(), p)
	var fe *pacer.FatalError
	if !errors.As(err, &fe) || fe.Err.Code != chatapi.CodeSigWrongKey || fe.Outage != 0 {
		t.Fatalf("err %v, want a FatalError 70014", err)
	}
	if n := rig.sim.Metrics().Total.Requests; n > 3 {
		t.Fatalf("%d requests reached the server, want at most --concurrency 3", n)
	}
	// Nothing is recorded as failed: the rerun with the right key does it all.
	var failed int
	checkpoint.Scan(r.journal, func(e checkpoint.Entry) error {
		if e.State == checkpoint.Failed {
			failed++
		}
		return nil
	})
	if failed != 0 {
		t.Fatalf("%d units recorded failed after a fatal answer", failed)
	}
}

// recorder is a testing.TB that keeps its errors, to test the test helpers.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}

// TestCheckStateCatches: the state comparison sees a duplicate topic, a missing friend and
// an extra conversation.
func TestCheckStateCatches(t *testing.T) {
	rig := newExRig(t, chatsim.Config{}, "")
	p := mustPlan(t, genInputs(t, t.TempDir(), 10, 6))
	if _, err := newExecRun(t, rig.api).run(t, context.Background(), p); err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(s *chatsim.State){
		"duplicate topic": func(s *chatsim.State) {
			tp := s.Topics["@TGS#_g1"][0]
			tp.TopicId += "dup"
			s.Topics["@TGS#_g1"] = append(s.Topics["@TGS#_g1"], tp)
		},
		"missing friend": func(s *chatsim.State) {
			for name, fs := range s.FriendGroups["u1"] {
				if len(fs) > 0 {
					s.FriendGroups["u1"][name] = fs[1:]
					return
				}
			}
		},
		"extra conversation": func(s *chatsim.State) {
			g := &s.ContactGroups["u2"][0]
			g.Contacts = append(g.Contacts, chatapi.ContactItem{Type: 1, To_Account: "zzz"})
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			st := rig.sim.Dump()
			edit(&st)
			rec := &recorder{TB: t}
			checkState(rec, p, st)
			if len(rec.errs) == 0 {
				t.Fatal("checkState saw no difference")
			}
		})
	}
}

// TestExecuteSummaryAsItGoes: summary.json is rewritten while the run goes, marked running.
func TestExecuteSummaryAsItGoes(t *testing.T) {
	rig := newExRig(t, chatsim.Config{}, "")
	p := mustPlan(t, genInputs(t, t.TempDir(), 5, 3))
	var r *execRun
	var seen atomic.Pointer[Summary]
	r = newExecRun(t, &hookAPI{API: rig.api, after: func(_ string, _ any, err error) error {
		for deadline := time.Now().Add(5 * time.Second); seen.Load() == nil && time.Now().Before(deadline); {
			var s Summary
			if b, rerr := os.ReadFile(filepath.Join(r.out, SummaryFile)); rerr == nil && json.Unmarshal(b, &s) == nil {
				seen.Store(&s)
			}
			time.Sleep(5 * time.Millisecond)
		}
		return err
	}})
	r.opt.SummaryEvery = 10 * time.Millisecond
	if _, err := r.run(t, context.Background(), p); err != nil {
		t.Fatal(err)
	}
	s := seen.Load()
	if s == nil || s.ExitCode != SummaryRunning || s.Command != "run" {
		t.Fatalf("summary.json during the run: %+v", s)
	}
}
