package migrate

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/chatmigrate/chatmigrate/sources"
)

// record is what the sources readers yield.
type record interface {
	sources.Topic | sources.FriendGroup | sources.ContactGroup
}

// opener is one of sources.NewTopics, NewFriendGroups, NewContactGroups.
type opener[T record] func(name string, r io.Reader, f sources.Format, gz bool) (*sources.Reader[T], error)

// ctxCheckEvery is how many records are read between checks of ctx: often enough to stop
// within milliseconds, rare enough to cost nothing.
const ctxCheckEvery = 1024

// isHeaderError reports whether err is (or wraps) a *sources.HeaderError.
func isHeaderError(err error) bool {
	var he *sources.HeaderError
	return errors.As(err, &he)
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

// drain calls fn for every record or malformed row of rd until the end.
func drain[T record](ctx context.Context, rd *sources.Reader[T], fn func(*T, *sources.RowError) error) error {
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		var re *sources.RowError
		switch {
		case errors.As(err, &re):
			err = fn(nil, re)
		case err != nil:
			return err
		default:
			err = fn(&rec, nil)
		}
		if err != nil {
			return err
		}
	}
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
