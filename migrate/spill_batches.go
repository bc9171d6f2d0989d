package migrate

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// groupSet is one grouped kind's collected input, users in bytewise order: one batch held in
// memory, or the batches of a spill, read back from disk one at a time on every pass.
type groupSet[D any] struct {
	mem    *D
	spill  *batchFile
	decode func(blob []byte) (*D, error)
}

// each calls fn with every batch in order. A spilled batch is built afresh for each call, so
// passes may run at the same time.
func (s *groupSet[D]) each(ctx context.Context, fn func(*D) error) error {
	if s.spill == nil {
		return fn(s.mem)
	}
	return s.spill.each(ctx, func(blob []byte) error {
		d, err := s.decode(blob)
		if err != nil {
			return err
		}
		return fn(d)
	})
}

// close releases the spill's file, if any.
func (s *groupSet[D]) close() error {
	if s.spill == nil {
		return nil
	}
	return s.spill.close()
}

// batchFile holds the batches of a spill: each a uvarint length and its bytes. The file is
// unlinked once created, so it needs no removal however the process ends; its blocks are
// read with ReadAt, so that passes do not share a file offset.
type batchFile struct {
	f    *os.File
	w    *bufio.Writer
	size int64
}

func newBatchFile(dir string) (*batchFile, error) {
	f, err := os.CreateTemp(dir, ".chatmigrate-plan-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("spill: %w", err)
	}
	return &batchFile{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// write appends one batch.
func (b *batchFile) write(blob []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(blob)))
	if _, err := b.w.Write(hdr[:n]); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if _, err := b.w.Write(blob); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	b.size += int64(n + len(blob))
	return nil
}

// finish flushes what was written: each may be called from then on.
func (b *batchFile) finish() error {
	if err := b.w.Flush(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	b.w = nil
	return nil
}

// each calls fn with every batch in order; fn must not keep blob.
func (b *batchFile) each(ctx context.Context, fn func(blob []byte) error) error {
	r := bufio.NewReaderSize(io.NewSectionReader(b.f, 0, b.size), 256<<10)
	var blob []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("spill: read: %w", err)
		}
		if uint64(cap(blob)) < n {
			blob = make([]byte, n)
		}
		blob = blob[:n]
		if _, err := io.ReadFull(r, blob); err != nil {
			return fmt.Errorf("spill: read: %w", err)
		}
		if err := fn(blob); err != nil {
			return err
		}
	}
}

func (b *batchFile) close() error { return b.f.Close() }

// batchWriter encodes a batch: strings first (all their bytes in one run, so that reading
// them back costs one allocation), then fixed-order varint fields.
type batchWriter struct{ b []byte }

func (w *batchWriter) strs(ss []string) {
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.uint(uint64(len(s)))
	}
	for _, s := range ss {
		w.b = append(w.b, s...)
	}
}

func (w *batchWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *batchWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }

// batchReader decodes what batchWriter wrote; err is the first failure, after which every
// read returns zero.
type batchReader struct {
	b   []byte
	err error
}

func (r *batchReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *batchReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length that each element of at least min bytes must fit in what is left.
func (r *batchReader) count(min int) int {
	n := r.uint()
	if n > uint64(len(r.b)/min+1) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *batchReader) strs() []string {
	n := r.count(1)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		lens[i] = int(r.uint())
		total += lens[i]
	}
	if r.err != nil || total > len(r.b) || total < 0 {
		r.fail()
		return nil
	}
	all := string(r.b[:total])
	r.b = r.b[total:]
	ss := make([]string, n)
	for i, l := range lens {
		ss[i], all = all[:l], all[l:]
	}
	return ss
}

func (r *batchReader) fail() {
	if r.err == nil {
		r.err = errBadSpill
	}
	r.b = nil
}

// friendSet is the collected friend groups.
type friendSet struct{ groupSet[friendData] }

// users calls fn with each user's memberships and the batch holding them, users sorted by ID.
func (s *friendSet) users(ctx context.Context, fn func(d *friendData, ms []membership) error) error {
	return s.each(ctx, func(d *friendData) error {
		return d.users(ctx, func(ms []membership) error { return fn(d, ms) })
	})
}

// contactSet is the collected conversation groups.
type contactSet struct{ groupSet[contactData] }

// users calls fn with each user's operations in input order and the batch holding them,
// users sorted by ID.
func (s *contactSet) users(ctx context.Context, fn func(d *contactData, ops []cop) error) error {
	return s.each(ctx, func(d *contactData) error {
		return d.users(ctx, func(ops []cop) error { return fn(d, ops) })
	})
}
