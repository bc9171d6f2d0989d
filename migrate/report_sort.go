package migrate

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/internal/atomicfile"
	"github.com/chatmigrate/chatmigrate/sources"
)

// withMeaning returns failures.csv's message for an API code: the vendor's text, and beside
// it, for a code chatapi knows, what it means in plain words and what to do.
func withMeaning(code, msg string) string {
	n, err := strconv.Atoi(code)
	if err != nil {
		return msg
	}
	m := chatapi.Meaning(n)
	switch {
	case m == "":
		return msg
	case msg == "":
		return "hint: " + m
	}
	return msg + " (hint: " + m + ")"
}

// validUTF8 returns row with every invalid byte sequence replaced by U+FFFD: an input's
// broken encoding or a server's odd answer must not make failures.csv unreadable to tools
// that insist on UTF-8.
func validUTF8(row []string) []string {
	for i, s := range row {
		row[i] = strings.ToValidUTF8(s, "\uFFFD")
	}
	return row
}

// sortFailures rewrites the failures file at path with its rows ordered by kind (in
// sources.Kinds order), source file and line, as a person reads it; rows of equal keys keep
// their order. The rows are written as they come while the command runs, so a killed run
// leaves them unsorted but every row whole; the sorted file replaces it in one rename. A file
// of more than failuresInMemory bytes (a run with a million failures) is sorted on disk beside
// it instead of in memory, so that the end of a run keeps to the memory budget too.
func sortFailures(path string) error {
	info, err := os.Stat(path)
	if err == nil && info.Size() > failuresInMemory {
		err = sortFailuresOnDisk(path)
	} else if err == nil {
		err = sortFailuresInMemory(path)
	}
	if err != nil {
		return fmt.Errorf("sort %s: %w", path, err)
	}
	return nil
}

// failuresInMemory is the largest failures file sorted in memory (it costs about three times
// its size there); failuresChunk the rows a chunk of the sort on disk holds (about 8 MiB of
// rows of a typical length).
const (
	failuresInMemory = 16 << 20
	failuresChunk    = 32 << 10
)

func sortFailuresInMemory(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		return err
	}
	if len(rows) < 3 { // a header and at most one row: nothing to sort
		return nil
	}
	body := rows[1:]
	slices.SortStableFunc(body, compareFailureRows)
	return atomicfile.Write(path, func(w io.Writer) error { return csv.NewWriter(w).WriteAll(rows) })
}

// sortFailuresOnDisk sorts through the external sort of the grouped input (sortSpill): each
// row goes in as its sort key (failureSortKey) followed by the row as CSV, and comes out as
// that CSV, in key order.
func sortFailuresOnDisk(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	header, err := r.Read()
	if err != nil {
		return err
	}
	header = slices.Clone(header)
	r.ReuseRecord = true
	send := func(put func(string) error) error {
		var key []byte
		var row bytes.Buffer
		w := csv.NewWriter(&row)
		for seq := uint64(0); ; seq++ {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			row.Reset()
			w.Write(rec)
			w.Flush()
			key = append(failureSortKey(key[:0], rec, seq), row.Bytes()...)
			if err := put(string(key)); err != nil {
				return err
			}
		}
	}
	return atomicfile.Write(path, func(out io.Writer) error {
		bw := bufio.NewWriterSize(out, 64<<10)
		w := csv.NewWriter(bw)
		w.Write(header)
		w.Flush()
		err := sortSpill(context.Background(), filepath.Dir(path), failuresChunk, send, func(rec string) error {
			row, err := sortedFailureRow(rec)
			if err == nil {
				_, err = bw.WriteString(row)
			}
			return err
		})
		if err != nil {
			return err
		}
		return bw.Flush()
	})
}

// failureSortKey appends the key that sorts rec as compareFailureRows does, ties broken by
// seq (the row's place in the file, which keeps the sort stable): the kind's rank, the kind
// and the file escaped as the grouped input's users are (appendEscaped), the line's rank and
// seq, big-endian.
func failureSortKey(b []byte, rec []string, seq uint64) []byte {
	var kind, file, line string
	if len(rec) >= 3 {
		kind, file, line = rec[0], rec[1], rec[2]
	}
	b = append(b, byte(kindRank(kind)))
	b = appendEscaped(b, kind)
	b = appendEscaped(b, file)
	b = binary.BigEndian.AppendUint64(b, uint64(lineRank(line)))
	return binary.BigEndian.AppendUint64(b, seq)
}

// sortedFailureRow returns the CSV row after a failureSortKey.
func sortedFailureRow(rec string) (string, error) {
	i := 1
	for range 2 {
		end := strings.Index(rec[i:], string([]byte{keyEscape, keyEnd}))
		if end < 0 {
			return "", errBadSpill
		}
		i += end + 2
	}
	if len(rec) < i+16 {
		return "", errBadSpill
	}
	return rec[i+16:], nil
}

// compareFailureRows orders failures.csv rows (failuresHeader's columns) by kind, source
// and line; a line that is not a number sorts after those that are.
func compareFailureRows(a, b []string) int {
	if len(a) < 3 || len(b) < 3 {
		return cmp.Compare(len(a), len(b))
	}
	return cmp.Or(cmp.Compare(kindRank(a[0]), kindRank(b[0])), strings.Compare(a[0], b[0]),
		strings.Compare(a[1], b[1]), cmp.Compare(lineRank(a[2]), lineRank(b[2])))
}

func kindRank(k string) int {
	if i := slices.Index(sources.Kinds, sources.Kind(k)); i >= 0 {
		return i
	}
	return len(sources.Kinds)
}

func lineRank(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return int(^uint(0) >> 1)
	}
	return n
}
