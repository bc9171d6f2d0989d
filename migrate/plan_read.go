package migrate

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/chatmigrate/chatmigrate/sources"
)

// record is what the sources readers yield.
type record interface {
	sources.Topic | sources.FriendGroup | sources.ContactGroup
}

// opener is one of sources.NewTopics, NewFriendGroups, NewContactGroups.
type opener[T record] func(name string, r io.Reader, f sources.Format, gz bool) (*sources.Reader[T], error)

// isHeaderError reports whether err ends one file only, so that the others are read on: a
// *sources.HeaderError, or a *sources.FileError (a truncated or corrupt gzip stream).
func isHeaderError(err error) bool {
	var (
		he *sources.HeaderError
		fe *sources.FileError
	)
	return errors.As(err, &he) || errors.As(err, &fe)
}

// readRecords streams one input file of kind k through fn: rec for each record, or rowErr for
// a malformed row (the reader goes on after it). When h is non-nil every byte of the file,
// including any the reader did not need, is hashed into h with the kind and name, for the
// plan's fingerprint. A *sources.HeaderError is returned as it is (the file is then skipped);
// other errors are wrapped with the file's name.
func readRecords[T record](ctx context.Context, k sources.Kind, name string, h hash.Hash, open opener[T],
	fn func(rec *T, rowErr *sources.RowError) error) (err error) {
	format, err := sources.FormatOf(name)
	if err != nil {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("open %s input: %w", k, err)
	}
	defer f.Close()
	var src io.Reader = f
	var counter *countWriter
	if h != nil {
		hashFileHeader(h, k, name)
		counter = &countWriter{w: h}
		src = io.TeeReader(f, counter)
	}
	rd, err := open(name, src, format, sources.Compressed(name))
	if err == nil {
		err = drain(ctx, rd, fn)
		if cerr := rd.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil && !isHeaderError(err) {
		return err
	}
	if h != nil {
		// The rest of the file (a gzip trailer, or all of it after a header error) still
		// belongs to the fingerprint.
		if _, cerr := io.Copy(counter, f); cerr != nil {
			return fmt.Errorf("read %s: %w", name, cerr)
		}
		fmt.Fprintf(h, "\x00%d\n", counter.n)
	}
	return err
}

// ctxCheckEvery is how many items a loop handles between checks of ctx: often enough to stop
// within milliseconds, rare enough to cost nothing.
const ctxCheckEvery = 1024

// collectFile reads one friend- or conversation-groups file into add, which validates a
// record and returns its problems: each record is counted into st and each problem reported.
func collectFile[T record](ctx context.Context, k sources.Kind, name string, h hash.Hash, open opener[T],
	add func(*T) []Problem, st *KindStats, report func(Problem)) error {
	return readRecords(ctx, k, name, h, open, func(r *T, re *sources.RowError) error {
		var probs []Problem
		if re != nil {
			probs = []Problem{rowProblem(k, re)}
		} else {
			probs = add(r)
		}
		countRecord(st, probs, true)
		for _, pr := range probs {
			report(pr)
		}
		return nil
	})
}

// Batches of the read-ahead in drain: records per batch, and batches decoded ahead of fn.
const (
	drainBatch = 256
	drainAhead = 4
)

// readItem is one result of a reader: a record, or a malformed row.
type readItem[T record] struct {
	rec T
	re  *sources.RowError
}

// readBatch is up to drainBatch results; err ends the file (io.EOF at its end).
type readBatch[T record] struct {
	items []readItem[T]
	err   error
}

// drain calls fn for every record or malformed row of rd until the end, in file order.
//
// The reader (gocsv, or JSON decoding) runs in a goroutine of its own, at most drainAhead
// batches ahead of fn, so that decoding and validation use two cores: they cost about the
// same, and validate+plan time is what an operator waits for before the first request. Memory
// stays bounded by the read-ahead. Batches are never reused, so fn may keep the pointer it
// is given. drain returns only after the goroutine has stopped: rd (and the fingerprint hash
// it feeds) belong to the caller again.
func drain[T record](ctx context.Context, rd *sources.Reader[T], fn func(*T, *sources.RowError) error) error {
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan readBatch[T], drainAhead)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(batches)
		for {
			b := readBatch[T]{items: make([]readItem[T], 0, drainBatch)}
			for len(b.items) < drainBatch && b.err == nil {
				rec, err := rd.Next()
				var re *sources.RowError
				switch {
				case errors.As(err, &re):
					b.items = append(b.items, readItem[T]{re: re})
				case err != nil:
					b.err = err
				default:
					b.items = append(b.items, readItem[T]{rec: rec})
				}
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil {
				return
			}
		}
	})
	defer func() {
		cancel() // unblocks the reader if fn failed
		wg.Wait()
	}()
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range b.items {
			it := &b.items[i]
			var err error
			if it.re != nil {
				err = fn(nil, it.re)
			} else {
				err = fn(&it.rec, nil)
			}
			if err != nil {
				return err
			}
		}
		if b.err == io.EOF {
			return nil
		}
		if b.err != nil {
			return b.err
		}
	}
	return ctx.Err() // the reader stopped early: ctx ended
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
