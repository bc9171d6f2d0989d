package htmlreport

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// The page shows a few examples per code, and at most maxCodes codes: a file with more
// distinct codes (unlikely: codes are the vendor's) puts the rest under "other".
const (
	maxExamples = 3
	maxCodes    = 40
	codeOther   = "other"
)

// csvRows calls fn for each row of a CSV file after its header, with a lookup of a column by
// name ("" when the file has no such column). Columns are found by name, so that a column
// added later (or one missing) does not shift the others. A row that does not parse ends the
// reading with an error naming its line; the rows before it were handed to fn.
func csvRows(path string, required []string, fn func(col func(string) string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short row is read by its columns; what is absent is ""
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	idx := make(map[string]int, len(header))
	for i, h := range header {
		idx[h] = i
	}
	for _, r := range required {
		if _, ok := idx[r]; !ok {
			return fmt.Errorf("header has no column %q", r)
		}
	}
	var rec []string
	col := func(name string) string {
		if i, ok := idx[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w (rows after it not read)", err)
		}
		fn(col)
	}
}

// readFailures groups failures.csv's rows by code.
func readFailures(path string) (Failures, error) {
	var fs Failures
	byCode := map[string]*CodeCount{}
	err := csvRows(path, []string{"kind", "code"}, func(col func(string) string) {
		fs.Total++
		code := col("code")
		c := byCode[code]
		if c == nil {
			if len(byCode) >= maxCodes {
				code = codeOther
				c = byCode[code]
			}
			if c == nil {
				c = &CodeCount{Code: code, ByKind: map[string]int{}}
				byCode[code] = c
			}
		}
		c.Count++
		kind := col("kind")
		c.ByKind[kind]++
		if len(c.Examples) < maxExamples {
			line, _ := strconv.Atoi(col("line"))
			c.Examples = append(c.Examples, Failure{Kind: kind, Source: col("source"), Line: line,
				Item: itemKey(col), Message: col("message")})
		}
	})
	for _, c := range byCode {
		fs.Codes = append(fs.Codes, *c)
	}
	sortCodes(fs.Codes)
	return fs, err
}

// sortCodes orders codes by count, most first, then by code.
func sortCodes(cs []CodeCount) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Count != cs[j].Count {
			return cs[i].Count > cs[j].Count
		}
		return cs[i].Code < cs[j].Code
	})
}

// itemKeyColumns are the columns that name a failed item, in the order the page shows them.
var itemKeyColumns = []string{"From_Account", "GroupId", "GroupName", "To_Account", "ToGroupId", "TopicName"}

// itemKey names a row's item by its non-empty key columns.
func itemKey(col func(string) string) string {
	var b strings.Builder
	for _, name := range itemKeyColumns {
		if v := col(name); v != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(name + "=" + v)
		}
	}
	return b.String()
}

// readDiffs counts diff.csv's rows by kind and status, in the order of first appearance
// within each kind's report order.
func readDiffs(path string) ([]StatusCount, error) {
	type key struct{ kind, status string }
	byKey := map[key]*StatusCount{}
	var order []key
	err := csvRows(path, []string{"kind", "status"}, func(col func(string) string) {
		k := key{col("kind"), col("status")}
		s := byKey[k]
		if s == nil {
			s = &StatusCount{Kind: k.kind, Status: k.status}
			byKey[k] = s
			order = append(order, k)
		}
		s.Count++
		if len(s.Examples) < maxExamples {
			s.Examples = append(s.Examples, Diff{From_Account: col("From_Account"), GroupId: col("GroupId"),
				GroupName: col("GroupName"), Member: col("member"), Field: col("field"), Want: col("want"), Got: col("got")})
		}
	})
	sort.SliceStable(order, func(i, j int) bool { return kindRank(order[i].kind) < kindRank(order[j].kind) })
	out := make([]StatusCount, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out, err
}
