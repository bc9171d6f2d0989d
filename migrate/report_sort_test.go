package migrate

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chatmigrate/chatmigrate/sources"
)

func TestWithMeaning(t *testing.T) {
	for _, tt := range []struct{ code, msg, want string }{
		{"32216", "not friend", "not friend (hint: not friends yet: import the friendships first)"},
		{"32216", "", "hint: not friends yet: import the friendships first"},
		{CodeInvalid, "GroupId: empty", "GroupId: empty"},
		{"transport", "connection reset", "connection reset"},
		{"http-502", "bad gateway", "bad gateway"},
		{"99999999", "who knows", "who knows"},
	} {
		if got := withMeaning(tt.code, tt.msg); got != tt.want {
			t.Errorf("withMeaning(%s, %q) = %q, want %q", tt.code, tt.msg, got, tt.want)
		}
	}
}

// TestFailuresSortedAndValid: failures.csv takes rows as they come, so that a killed run
// leaves every row whole; Close rewrites it ordered by kind, file and line, with the codes'
// meanings beside the vendor's texts and every byte valid UTF-8.
func TestFailuresSortedAndValid(t *testing.T) {
	dir := t.TempDir()
	r, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	item := func(file string, line int, group string) Item {
		return Item{Pos: sources.Pos{File: file, Line: line}, From_Account: "u", GroupName: group}
	}
	writes := []struct {
		kind sources.Kind
		it   Item
		code string
		msg  string
	}{
		{sources.ContactGroups, item("c.csv", 3, "chats"), "30001", "bad"},
		{sources.FriendGroups, item("f.csv", 12, "pals"), "32216", "not friend"},
		{sources.Topics, item("b.csv", 2, "t"), CodeInvalid, "TopicName: empty"},
		{sources.Topics, item("a.csv", 10, "t"), CodeInvalid, "TopicName: too long"},
		{sources.FriendGroups, item("f.csv", 2, "caf\xe9 latin-1"), CodeInvalid, "GroupName \"caf\xe9\": not UTF-8"},
		{sources.Topics, item("a.csv", 9, "t"), "transport", "connection reset"},
	}
	for _, w := range writes {
		if err := r.Failure(w.kind, w.it, w.code, w.msg); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, FailuresFile)
	before := readFailures(t, path) // what a run killed now would leave
	if len(before) != len(writes)+1 || before[1][0] != string(sources.ContactGroups) {
		t.Fatalf("before Close: %d rows, first %v; want every row, as written", len(before), before[1])
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readFailures(t, path)
	var order []string
	for _, row := range rows[1:] {
		order = append(order, row[0]+" "+row[1]+":"+row[2])
	}
	want := []string{"topics a.csv:9", "topics a.csv:10", "topics b.csv:2", "friend_groups f.csv:2",
		"friend_groups f.csv:12", "contact_groups c.csv:3"}
	if strings.Join(order, ", ") != strings.Join(want, ", ") {
		t.Errorf("rows after Close:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
	if rows[0][0] != "kind" || rows[0][10] != "message" {
		t.Errorf("header %v", rows[0])
	}
	if got := rows[5][10]; got != "not friend (hint: not friends yet: import the friendships first)" {
		t.Errorf("32216's message = %q, want the vendor's text with the hint beside it", got)
	}
	if got := rows[4]; got[5] != "caf\uFFFD latin-1" || !strings.Contains(got[10], "caf\uFFFD") {
		t.Errorf("latin-1 row = %q, want U+FFFD for the invalid byte", got)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(b) {
		t.Error("failures.csv is not valid UTF-8")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*sort*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func readFailures(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s is not valid CSV: %v", path, err)
	}
	return rows
}
