package migrate

import (
	"fmt"
	"sync/atomic"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/sources"
)

// resumeState is what a resumed run learns from the journal's entries.
type resumeState struct {
	blocked map[int]string // Block units not retried → the code their dependents fail with
	kinds   map[sources.Kind]*resumeCounts
}

// resumeCounts are one kind's items finished by earlier runs.
type resumeCounts struct {
	skipped int // succeeded earlier
	failed  int // failed earlier, not retried now
}

// replayJournal reads the journal's entries and writes their rows into rep: for each unit
// only its last entry counts (a retried unit has several), so no row is written twice, and
// with retryFailed the failed units are left out since this run does them again. A unit in
// doubt (Sent last) has no row yet: this run settles it.
//
// It is the start-up of a resumed run, so it is built for speed: one pass over the file in
// the common case, the rows written by a goroutine of their own while the file is read, and
// rep in bulk mode meanwhile (rows buffered rather than written one by one).
func replayJournal(j *checkpoint.Journal, p *Plan, rep *Reports, retryFailed bool) (*resumeState, error) {
	rs := &resumeState{blocked: make(map[int]string), kinds: make(map[sources.Kind]*resumeCounts)}
	for _, k := range sources.Kinds {
		rs.kinds[k] = &resumeCounts{}
	}
	if j == nil || !j.Resumed() {
		return rs, nil
	}
	// Every unit has at most one Done entry (a finished unit is never sent again), so one
	// pass is enough unless a unit may have failed twice (an earlier --retry-failed run):
	// then a first pass finds each unit's last entry, at four bytes per unit.
	var last []int32
	if !retryFailed && j.Counts()[checkpoint.Failed] > 0 {
		last = make([]int32, p.Total)
		var n int32
		err := checkpoint.Scan(j.Path(), func(e checkpoint.Entry) error {
			if e.Ord < len(last) {
				last[e.Ord] = n
			}
			n++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read checkpoint: %w", err)
		}
	}
	var offsets [3]int
	for i, k := range sources.Kinds {
		offsets[i] = p.Offset(k)
	}
	kindOf := func(ord int) sources.Kind {
		for i := len(offsets) - 1; i > 0; i-- {
			if ord >= offsets[i] {
				return sources.Kinds[i]
			}
		}
		return sources.Kinds[0]
	}

	rep.beginBulk()
	w := newRowWriter(rep)
	seen := make([]uint64, (p.Total+63)/64)
	var n int32
	err := checkpoint.Scan(j.Path(), func(e checkpoint.Entry) error {
		i := n
		n++
		switch {
		case e.State < checkpoint.Done || e.Ord >= p.Total || j.State(e.Ord) != e.State:
			return nil // in doubt, or superseded by a later entry
		case e.State == checkpoint.Failed && retryFailed:
			return nil // this run does it again
		case last != nil && last[e.Ord] != i:
			return nil
		case seen[e.Ord/64]&(1<<(e.Ord%64)) != 0:
			return nil
		}
		seen[e.Ord/64] |= 1 << (e.Ord % 64)
		var rec unitRecord
		if err := decodeRecord(e.Data, &rec); err != nil {
			return fmt.Errorf("checkpoint entry for unit %d: %w", e.Ord, err)
		}
		k := kindOf(e.Ord)
		c := rs.kinds[k]
		c.skipped += max(rec.N, 1) - len(rec.Fail)
		c.failed += len(rec.Fail)
		if rec.Block && e.State == checkpoint.Failed && len(rec.Fail) > 0 {
			rs.blocked[e.Ord] = blockCode(rec.Fail[0])
		}
		if rec.Topic == nil && len(rec.Fail) == 0 {
			return nil
		}
		return w.add(k, &rec)
	})
	if werr := w.close(); err == nil {
		err = werr
	}
	if ferr := rep.endBulk(); err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	return rs, nil
}

// writeRecordRows writes a finished unit's report rows.
func writeRecordRows(rep *Reports, k sources.Kind, rec *unitRecord) error {
	if rep == nil {
		return nil
	}
	if t := rec.Topic; t != nil {
		it := Item{Pos: sources.Pos{File: t.File, Line: t.Line}, GroupId: t.GroupId, TopicName: t.TopicName}
		if err := rep.TopicID(it, t.TopicId); err != nil {
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
