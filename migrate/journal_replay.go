package migrate

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/sources"
)

// resumeState is what a resumed run learns from the journal's entries.
type resumeState struct {
	kinds map[sources.Kind]*resumeCounts
}

// resumeCounts are one kind's items finished by earlier runs.
type resumeCounts struct {
	skipped int // succeeded earlier
	failed  int // failed earlier, not retried now
}

// replayJournal learns from the journal what earlier runs did of plan p, and writes the rows
// of their finished units into rep.
//
// The journal knows units by content key (contentKey), so what counts is what p asks for:
// a planned unit the journal records as done is skipped and counted, one it records as failed
// (and retryFailed does not send again) has its failure rows rebuilt and is counted, and the
// records of units p no longer has (their rows were edited or removed since) count for
// nothing, except that every topic the journal records as imported keeps its topic_ids.csv
// row, since the target holds it whatever the input now says. For each unit only its last
// entry counts (a retried unit has several), so no row is written twice. A unit in doubt
// (Sent last) has no row yet: this run settles it.
//
// It is the start-up of a resumed run, so it is built for speed: the planned topics' states
// come from BuildPlan's own pass over them (PlanOptions.Journal), the failed units' entries
// are read where the journal saw them (checkpoint.Journal.Failures), and the imported topics'
// rows, which need a pass over the whole file, are written by a goroutine while the run
// sends: the returned replayRows says when they are all written. The order of topic_ids.csv
// rows is the order units finish in anyway. rep is in bulk mode meanwhile (rows buffered
// rather than written one by one); a crash loses nothing, since the next run writes the rows
// again from the journal.
func replayJournal(ctx context.Context, j *checkpoint.Journal, p *Plan, rep *Reports, retryFailed bool) (*resumeState, *replayRows, error) {
	rs := &resumeState{kinds: make(map[sources.Kind]*resumeCounts)}
	for _, k := range sources.Kinds {
		rs.kinds[k] = &resumeCounts{}
	}
	rows := &replayRows{done: make(chan struct{})}
	if j == nil || !j.Resumed() {
		close(rows.done)
		return rs, rows, nil
	}
	failed, err := rs.planned(ctx, j, p, retryFailed)
	if err != nil {
		return nil, nil, err
	}

	rep.beginBulk()
	w := newRowWriter(rep)
	err = j.Failures(func(e checkpoint.Entry) error {
		if !failed.has(e.Key) {
			return nil
		}
		k := contentKind(e.Key)
		var rec unitRecord
		if err := decodeRecord(e.Data, &rec); err != nil {
			return fmt.Errorf("checkpoint entry for unit %016x: %w", e.Key, err)
		}
		rs.add(k, &rec)
		if len(rec.Fail) == 0 && rec.Topic == nil {
			return nil
		}
		return w.add(k, &rec)
	})
	if err != nil {
		w.close()
		rep.endBulk()
		return nil, nil, err
	}
	go func() {
		defer close(rows.done)
		n := 0
		err := checkpoint.Scan(j.Path(), func(e checkpoint.Entry) error {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			// Every imported topic keeps its row; a unit is done once, so this is its last
			// entry.
			if e.State != checkpoint.Done || contentKind(e.Key) != sources.Topics {
				return nil
			}
			var rec unitRecord
			if err := decodeRecord(e.Data, &rec); err != nil {
				return fmt.Errorf("checkpoint entry for unit %016x: %w", e.Key, err)
			}
			if rec.Topic == nil {
				return nil
			}
			return w.add(sources.Topics, &rec)
		})
		rows.err = errors.Join(err, w.close(), rep.endBulk())
	}()
	return rs, rows, nil
}

// replayRows is the rebuilding of earlier runs' topic rows that replayJournal leaves to a
// goroutine.
type replayRows struct {
	done chan struct{}
	err  error // set before done is closed
}

// wait returns once every row is written, with the first error of writing them.
func (r *replayRows) wait() error {
	<-r.done
	return r.err
}

// add counts a failed unit's entry.
func (rs *resumeState) add(k sources.Kind, rec *unitRecord) {
	c := rs.kinds[k]
	c.skipped += max(rec.N, 1) - len(rec.Fail)
	c.failed += len(rec.Fail)
}

// keySets is the union of a few sets of content keys.
type keySets []*hashSet

func (s keySets) has(k uint64) bool {
	for _, set := range s {
		if set.has(k) {
			return true
		}
	}
	return false
}

// planned counts the items of p's units that j records as done, and returns the content keys
// of those it records as failed, unless retryFailed sends them again. The topics' part is
// BuildPlan's when it was given j; otherwise, and for the other kinds (held in memory), the
// units are built again.
func (rs *resumeState) planned(ctx context.Context, j *checkpoint.Journal, p *Plan, retryFailed bool) (keySets, error) {
	failed := new(hashSet)
	sets := keySets{failed}
	for _, k := range sources.Kinds {
		if rt := p.recorded; k == sources.Topics && rt != nil && rt.j == j {
			rs.kinds[k].skipped += rt.done
			if !retryFailed {
				sets = append(sets, &rt.failed)
			}
			continue
		}
		if p.Stats[k].Units == 0 {
			continue
		}
		err := p.Units(ctx, k, func(u *Unit) error {
			switch j.State(u.Content) {
			case checkpoint.Done:
				rs.kinds[k].skipped += len(u.Items)
			case checkpoint.Failed:
				if !retryFailed {
					failed.add(u.Content)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return sets, nil
}

// recordedTopics is what BuildPlan's pass over the topics learned from the journal a run
// resumes (PlanOptions.Journal): a count and, for the few that failed, their keys, so that
// the run's start-up need not read the topics once more.
type recordedTopics struct {
	j      *checkpoint.Journal
	done   int     // planned topics the journal records as done
	failed hashSet // content keys of the planned topics it records as failed
}

// newRecordedTopics returns the recorder of j's topics, nil when there is nothing to learn.
func newRecordedTopics(j *checkpoint.Journal) *recordedTopics {
	if j == nil || !j.Resumed() {
		return nil
	}
	return &recordedTopics{j: j}
}

// note looks the valid topic t up in the journal.
func (rt *recordedTopics) note(t *sources.Topic) {
	if rt == nil {
		return
	}
	switch key := topicContentKey(t); rt.j.State(key) {
	case checkpoint.Done:
		rt.done++
	case checkpoint.Failed:
		rt.failed.add(key)
	}
}

// writeRecordRows writes a finished unit's report rows.
func writeRecordRows(rep *Reports, k sources.Kind, rec *unitRecord) error {
	if rep == nil {
		return nil
	}
	if rec.Topic != nil {
		if rec.Found {
			rep.noteFoundTopic()
		}
		if err := rep.topic(rec.Topic); err != nil {
			return err
		}
	}
	for _, f := range rec.Fail {
		if err := rep.Failure(k, f.Item.item(), f.Code, f.Msg); err != nil {
			return err
		}
	}
	return nil
}

// rowWriter writes report rows from a goroutine of its own, in batches handed over a channel.
type rowWriter struct {
	batch []keyedRecord
	ch    chan []keyedRecord
	done  chan struct{}
	err   atomic.Pointer[error] // the first write error
}

type keyedRecord struct {
	kind sources.Kind
	rec  *unitRecord
}

const rowBatch = 512

func newRowWriter(rep *Reports) *rowWriter {
	w := &rowWriter{ch: make(chan []keyedRecord, 8), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for b := range w.ch {
			if w.err.Load() != nil {
				continue // drain: the scan stops at its next add
			}
			for _, r := range b {
				if err := writeRecordRows(rep, r.kind, r.rec); err != nil {
					w.err.Store(&err)
					break
				}
			}
		}
	}()
	return w
}

// add queues a record's rows. Once a write failed it returns that error, so the scan stops.
func (w *rowWriter) add(k sources.Kind, rec *unitRecord) error {
	if err := w.err.Load(); err != nil {
		return *err
	}
	w.batch = append(w.batch, keyedRecord{k, rec})
	if len(w.batch) == rowBatch {
		w.ch <- w.batch
		w.batch = make([]keyedRecord, 0, rowBatch)
	}
	return nil
}

// close writes what is queued and returns the first write error.
func (w *rowWriter) close() error {
	if len(w.batch) > 0 {
		w.ch <- w.batch
	}
	close(w.ch)
	<-w.done
	if err := w.err.Load(); err != nil {
		return *err
	}
	return nil
}
