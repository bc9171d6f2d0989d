package migrate

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"os"
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
// leaves them unsorted but every row whole; the sorted file replaces it in one rename.
func sortFailures(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sort %s: %w", path, err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		return fmt.Errorf("sort %s: %w", path, err)
	}
	if len(rows) < 3 { // a header and at most one row: nothing to sort
		return nil
	}
	body := rows[1:]
	slices.SortStableFunc(body, compareFailureRows)
	err = atomicfile.Write(path, func(w io.Writer) error { return csv.NewWriter(w).WriteAll(rows) })
	if err != nil {
		return fmt.Errorf("sort %s: %w", path, err)
	}
	return nil
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
