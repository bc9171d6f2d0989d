package migrate

import (
	"context"
	"hash"

	"github.com/chatmigrate/chatmigrate/sources"
)

// spillCodec turns one record of a grouped kind into a sortable string and back: encode
// appends the record's sort key (appendSortKey) and its payload; decode rebuilds the record
// of user at pos from the payload. Decoded strings may be substrings of the record's string.
type spillCodec[T record] struct {
	encode func(b []byte, file int, r *T) []byte
	decode func(user string, pos sources.Pos, payload string) (T, error)
}

// batchCollector is a friend or conversation collector as a spill drives it: records go in
// user by user, and flush ends a batch, returns it encoded, and starts the next one afresh.
type batchCollector[T record] interface {
	add(r *T) []Problem
	held() int // memberships or operations collected so far in this batch
	flush() []byte
}

// spillJob is one grouped kind to spill.
type spillJob[T record] struct {
	kind    sources.Kind
	files   []string
	open    opener[T]
	codec   spillCodec[T]
	c       batchCollector[T]
	st      *KindStats
	report  func(Problem)
	header  func(error) error // keeps a header error (returns nil), returns any other
	sizing  spillSizing
	dir     string
	onCount func(n int) // records handled, now and then; may be nil
}

// run reads every file into the sort (a malformed row is reported at once), then feeds the
// sorted records to the collector, ending a batch at the first user boundary after
// sizing.batch memberships. The batches are written to a new batchFile in dir.
func (j *spillJob[T]) run(ctx context.Context, h hash.Hash) (*batchFile, error) {
	bf, err := newBatchFile(j.dir)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			bf.close()
		}
	}()
	n := 0
	tick := func() {
		if n++; j.onCount != nil && n%j.sizing.progress == 0 {
			j.onCount(n)
		}
	}
	send := func(put func(string) error) error {
		var buf []byte
		for i, name := range j.files {
			err := readRecords(ctx, j.kind, name, h, j.open, func(r *T, re *sources.RowError) error {
				if re != nil {
					tick()
					pr := rowProblem(j.kind, re)
					countRecord(j.st, []Problem{pr}, true)
					j.report(pr)
					return nil
				}
				buf = j.codec.encode(buf[:0], i, r)
				return put(string(buf))
			})
			if err := j.header(err); err != nil {
				return err
			}
		}
		return nil
	}
	var user string // the sort key's user part of the user being collected
	each := func(rec string) error {
		tick()
		u, key, file, line, payload, err := splitSortKey(rec)
		if err != nil || file >= len(j.files) {
			return errBadSpill
		}
		if key != user {
			if j.c.held() >= j.sizing.batch {
				if err := bf.write(j.c.flush()); err != nil {
					return err
				}
			}
			user = key
		}
		r, err := j.codec.decode(u, sources.Pos{File: j.files[file], Line: line}, payload)
		if err != nil {
			return err
		}
		probs := j.c.add(&r)
		countRecord(j.st, probs, true)
		for _, pr := range probs {
			j.report(pr)
		}
		return nil
	}
	if err := sortSpill(ctx, j.dir, j.sizing.chunk, send, each); err != nil {
		return nil, err
	}
	if j.c.held() > 0 {
		if err := bf.write(j.c.flush()); err != nil {
			return nil, err
		}
	}
	if err := bf.finish(); err != nil {
		return nil, err
	}
	ok = true
	return bf, nil
}
