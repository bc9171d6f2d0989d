package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/samples/golden"
)

// render reads r to the end and writes one line per record or error: records in Go syntax
// (so invisible and invalid bytes show), row errors by their Error text, then how it ended.
func render[T Topic | FriendGroup | ContactGroup](t testing.TB, r *Reader[T]) string {
	t.Helper()
	var b strings.Builder
	last := 0
	for i := 0; ; i++ {
		if i > 1e6 {
			t.Fatal("Next does not terminate")
		}
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			b.WriteString("EOF\n")
			break
		}
		line := 0
		var re *RowError
		switch {
		case err == nil:
			line = posOf(rec).Line
			fmt.Fprintf(&b, "%s\n", strings.ReplaceAll(fmt.Sprintf("%#v", rec), "sources.", ""))
		case errors.As(err, &re):
			line = re.Line
			fmt.Fprintf(&b, "row error: %v\n", err)
		default:
			fmt.Fprintf(&b, "fatal: %v\n", err)
			if _, again := r.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("fatal error not sticky: then %v", again)
			}
			return b.String()
		}
		if line < 1 || line < last {
			t.Errorf("line %d after line %d", line, last)
		}
		last = line
	}
	return b.String()
}

func posOf(rec any) Pos {
	switch v := rec.(type) {
	case Topic:
		return v.Pos
	case FriendGroup:
		return v.Pos
	case ContactGroup:
		return v.Pos
	}
	return Pos{}
}

// readAll opens data as kind k and renders it; an open error is rendered too.
func readAll(t testing.TB, k Kind, name string, data io.Reader, f Format, gz bool) string {
	t.Helper()
	var (
		out string
		err error
	)
	switch k {
	case Topics:
		var r *Reader[Topic]
		if r, err = NewTopics(name, data, f, gz); err == nil {
			out = render(t, r)
			err = r.Close()
		}
	case FriendGroups:
		var r *Reader[FriendGroup]
		if r, err = NewFriendGroups(name, data, f, gz); err == nil {
			out = render(t, r)
			err = r.Close()
		}
	case ContactGroups:
		var r *Reader[ContactGroup]
		if r, err = NewContactGroups(name, data, f, gz); err == nil {
			out = render(t, r)
			err = r.Close()
		}
	}
	if err != nil {
		var he *HeaderError
		if errors.As(err, &he) {
			return fmt.Sprintf("header error: %v\n", err)
		}
		return fmt.Sprintf("open error: %v\n", err)
	}
	return out
}

func TestReadersGolden(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
	}{
		{"topics.csv", Topics},
		{"topics_bom_crlf.csv", Topics},
		{"topics_subset.csv", Topics},
		{"topics_malformed.csv", Topics},
		{"topics_header_only.csv", Topics},
		{"topics_header_only_bom.csv", Topics},
		{"topics_empty.csv", Topics},
		{"topics_blank.csv", Topics},
		{"topics_missing_column.csv", Topics},
		{"topics_unknown_column.csv", Topics},
		{"topics_case_column.csv", Topics},
		{"topics_duplicate_column.csv", Topics},
		{"topics_bad_header_quote.csv", Topics},
		{"topics_invalid_utf8.csv", Topics},
		{"topics.jsonl", Topics},
		{"topics_bad.jsonl", Topics},
		{"topics_empty.csv", FriendGroups},
		{"friend_groups.csv", FriendGroups},
		{"friend_groups_reordered.csv", FriendGroups},
		{"friend_groups_malformed.csv", FriendGroups},
		{"friend_groups.jsonl", FriendGroups},
		{"friend_groups_bad.jsonl", FriendGroups},
		{"contact_groups.csv", ContactGroups},
		{"contact_groups_min.csv", ContactGroups},
		{"contact_groups.jsonl", ContactGroups},
		{"contact_groups_bad.jsonl", ContactGroups},
		// Each kind's header given to each other kind.
		{"friend_groups.csv", Topics},
		{"contact_groups.csv", Topics},
		{"topics.csv", FriendGroups},
		{"contact_groups.csv", FriendGroups},
		{"topics.csv", ContactGroups},
		{"friend_groups.csv", ContactGroups},
		{"contact_groups_min.csv", FriendGroups},
		// JSONL has no header: a line of another kind is a row error naming the key.
		{"friend_groups.jsonl", Topics},
		{"topics.jsonl", ContactGroups},
	}
	for _, tt := range tests {
		name := strings.TrimSuffix(tt.file, filepath.Ext(tt.file)) + "_" + strings.TrimPrefix(filepath.Ext(tt.file), ".")
		if !strings.HasPrefix(tt.file, string(tt.kind)) {
			name = string(tt.kind) + "_reads_" + name
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := FormatOf(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, tt.kind, tt.file, bytes.NewReader(data), f, false)
			golden.Check(t, filepath.Join("testdata", "golden", name+".golden"), []byte(got))
		})
	}
}
