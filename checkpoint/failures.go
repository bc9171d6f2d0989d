package checkpoint

import (
	"bytes"
	"fmt"
	"os"
)

// keyBlockSize is the block of lines Open's replay hands to each of its parsing goroutines.
const keyBlockSize = 4 << 20

// Failures calls fn, in file order, with the last entry of each unit whose state was Failed
// when the journal was opened, its Data included: what a resumed run needs of the units that
// failed, without reading the whole file again. Open noted where those entries are, so that
// this costs a read per failed unit; a unit that failed and was then done, or failed twice,
// is passed once or not at all as its last entry says. An error from fn stops the calls and is
// returned as is.
func (j *Journal) Failures(fn func(Entry) error) error {
	offs := j.failedLast()
	if len(offs) == 0 {
		return nil
	}
	f, err := os.Open(j.path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for _, off := range offs {
		line, err := readLineAt(f, off, &buf)
		if err != nil {
			return fmt.Errorf("checkpoint %s: read the entry at offset %d: %w", j.path, off, err)
		}
		key, st, data, err := parseEntry(line)
		if err != nil || st != Failed {
			return &CorruptError{Path: j.path, Offset: off, Reason: "a failed entry changed since the file was opened"}
		}
		if err := fn(Entry{Key: key, State: st, Data: bytes.Clone(data)}); err != nil {
			return err
		}
	}
	return nil
}

// failedLast returns, in file order, the offsets of the Failed entries that are the last of
// their unit's entries.
func (j *Journal) failedLast() []int64 {
	var last []int64
	seen := make(map[uint64]struct{})
	for i := len(j.failedAt) - 1; i >= 0; i-- {
		fa := j.failedAt[i]
		if j.opened.get(fa.key) != Failed {
			continue // done since
		}
		if _, dup := seen[fa.key]; dup {
			continue // failed again later
		}
		seen[fa.key] = struct{}{}
		last = append(last, fa.off)
	}
	for i, k := 0, len(last)-1; i < k; i, k = i+1, k-1 {
		last[i], last[k] = last[k], last[i]
	}
	return last
}

// failedEntry is where Open saw a Failed entry.
type failedEntry struct {
	off int64
	key uint64
}

// readLineAt reads the line at off, without its newline, into *buf (grown as needed).
func readLineAt(f *os.File, off int64, buf *[]byte) ([]byte, error) {
	n := 0
	for {
		m, err := f.ReadAt((*buf)[n:], off+int64(n))
		if i := bytes.IndexByte((*buf)[n:n+m], '\n'); i >= 0 {
			return (*buf)[:n+i], nil
		}
		n += m
		if err != nil {
			return nil, err
		}
		if n == len(*buf) {
			*buf = append(*buf, make([]byte, len(*buf))...)
		}
	}
}
