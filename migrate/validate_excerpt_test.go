package migrate

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/sources"
)

// TestExcerptOneWay pins that failures.csv shows a value one way, whether a reader refused
// its row or validation refused the record: quotes as they are, a newline and invalid bytes
// escaped, a long value cut to 40 runes. The value goes through validation as a CSV row's
// CreateTime; a reader's refusal is the JSONL reader's own where the value is a line it
// refuses whole, and else a *sources.RowError as every reader builds one.
func TestExcerptOneWay(t *testing.T) {
	long := strings.Repeat("界", 60)
	for _, tc := range []struct {
		name, value, want string
		jsonl             bool // the value is a JSONL line the reader refuses whole
	}{
		{"quote", `say "hi"`, `say "hi"`, false},
		{"newline", "two\nlines", `two\nlines`, false},
		{"invalid UTF-8", "bad\xff\xfe", `bad\xff\xfe`, false},
		{"long", long, strings.Repeat("界", 39) + "…", false},
		{"all at once", `"q"` + "\n\xff" + long, `"q"\n\xff` + strings.Repeat("界", 30) + "…", false},
		{"read by the JSONL reader", "\xff{\"GroupId\":\"say \"hi\"" + long,
			`\xff{"GroupId":"say "hi"` + strings.Repeat("界", 15) + "…", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := sources.Inputs{Topics: []string{filepath.Join(dir, "topics.csv")}}
			row := "@TGS#_g,name,\"" + strings.ReplaceAll(tc.value, `"`, `""`) + "\"\n"
			writeTestFile(t, in.Topics[0], "GroupId,TopicName,CreateTime\n"+row)
			var readErr *sources.RowError
			if tc.jsonl {
				path := filepath.Join(dir, "topics.jsonl")
				writeTestFile(t, path, tc.value+"\n")
				in.Topics = append(in.Topics, path)
				readErr = firstRowError(t, path)
			} else {
				readErr = &sources.RowError{File: "topics.jsonl", Line: 1, Field: "CreateTime",
					Excerpt: sources.Excerpt(tc.value), Reason: "want a number, got an object"}
			}
			if got, want := readErr.Error(), ` (excerpt "`+tc.want+`")`; !strings.HasSuffix(got, want) {
				t.Errorf("reader's error %q does not end in %q", got, want)
			}

			rep, err := OpenReports(filepath.Join(dir, "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer rep.Close()
			var repErr error
			record := func(p Problem) { repErr = errors.Join(repErr, rep.Problem(p)) }
			opt := PlanOptions{Now: func() time.Time { return testNow }, OnProblem: record}
			if _, err := BuildPlan(context.Background(), in, opt); err != nil {
				t.Fatal(err)
			}
			if !tc.jsonl {
				record(rowProblem(sources.Topics, readErr))
			}
			if err := errors.Join(repErr, rep.Close()); err != nil {
				t.Fatal(err)
			}

			rows := readCSV(t, filepath.Join(dir, "out", FailuresFile))
			if len(rows) != 3 {
				t.Fatalf("failures.csv has %d rows, want a header, a validation row and a reader row: %q", len(rows), rows)
			}
			for _, r := range rows[1:] {
				if msg, want := r[len(r)-1], " ["+tc.want+"]"; !strings.HasSuffix(msg, want) {
					t.Errorf("%s line %s: message %q does not end in %q", r[1], r[2], msg, want)
				}
			}
		})
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// firstRowError returns the error the reader gives for the first line of a topics file.
func firstRowError(t *testing.T, path string) *sources.RowError {
	t.Helper()
	r, err := sources.OpenTopics(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.Next()
	var re *sources.RowError
	if !errors.As(err, &re) {
		t.Fatalf("reader: got %v, want a *sources.RowError", err)
	}
	return re
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
