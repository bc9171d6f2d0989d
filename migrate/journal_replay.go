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
	pick := &entryPicker{j: j, total: p.Total, retryFailed: retryFailed, seen: make([]uint64, (p.Total+63)/64)}
	if err := pick.findLast(); err != nil {
		return nil, err
	}
	kinds := newKindOffsets(p)

	rep.beginBulk()
	w := newRowWriter(rep)
	err := checkpoint.Scan(j.Path(), func(e checkpoint.Entry) error {
		if !pick.counts(e) {
			return nil
		}
		var rec unitRecord
		if err := decodeRecord(e.Data, &rec); err != nil {
			return fmt.Errorf("checkpoint entry for unit %d: %w", e.Ord, err)
		}
		k := kinds.of(e.Ord)
		rs.add(k, e, &rec)
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

// add counts a unit's finished entry.
func (rs *resumeState) add(k sources.Kind, e checkpoint.Entry, rec *unitRecord) {
	c := rs.kinds[k]
	c.skipped += max(rec.N, 1) - len(rec.Fail)
	c.failed += len(rec.Fail)
	if rec.Block && e.State == checkpoint.Failed && len(rec.Fail) > 0 {
		rs.blocked[e.Ord] = blockCode(rec.Fail[0])
	}
}

// entryPicker picks, as the journal's entries are read in order, the ones whose rows count:
// each finished unit's last entry, once, and none of the failed ones a retryFailed run does
// again.
type entryPicker struct {
	j           *checkpoint.Journal
	total       int
	retryFailed bool
	last        []int32  // unit → the index of its last entry; nil: see findLast
	seen        []uint64 // bitmap of the units picked
	n           int32    // entries read so far
}

// findLast fills last, when needed. Every unit has at most one Done entry (a finished unit is
// never sent again), so one pass is enough unless a unit may have failed twice (an earlier run
// retried the failed ones): then a first pass finds each unit's last entry, at four bytes per
// unit.
func (f *entryPicker) findLast() error {
	if f.retryFailed || f.j.Counts()[checkpoint.Failed] == 0 {
		return nil
	}
	f.last = make([]int32, f.total)
	var n int32
	err := checkpoint.Scan(f.j.Path(), func(e checkpoint.Entry) error {
		if e.Ord < len(f.last) {
			f.last[e.Ord] = n
		}
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("read checkpoint: %w", err)
	}
	return nil
}

// counts reports whether e, the next entry of the journal, is the one that counts for its
// unit. It must see every entry, in order.
func (f *entryPicker) counts(e checkpoint.Entry) bool {
	i := f.n
	f.n++
	switch {
	case e.State < checkpoint.Done || e.Ord >= f.total || f.j.State(e.Ord) != e.State:
		return false // in doubt, or superseded by a later entry
	case e.State == checkpoint.Failed && f.retryFailed:
		return false // this run does it again
	case f.last != nil && f.last[e.Ord] != i:
		return false
	case f.seen[e.Ord/64]&(1<<(e.Ord%64)) != 0:
		return false
	}
	f.seen[e.Ord/64] |= 1 << (e.Ord % 64)
	return true
}

// kindOffsets are the first Ords of the plan's kinds, in sources.Kinds order.
type kindOffsets [3]int

func newKindOffsets(p *Plan) kindOffsets {
	var o kindOffsets
	for i, k := range sources.Kinds {
		o[i] = p.Offset(k)
	}
	return o
}

// of returns the kind of the unit ord.
func (o *kindOffsets) of(ord int) sources.Kind {
	for i := len(o) - 1; i > 0; i-- {
		if ord >= o[i] {
			return sources.Kinds[i]
		}
	}
	return sources.Kinds[0]
}

// writeRecordRows writes a finished unit's report rows.
func writeRecordRows(rep *Reports, k sources.Kind, rec *unitRecord) error {
	if rep == nil {
		return nil
	}
	if rec.Topic != nil {
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
