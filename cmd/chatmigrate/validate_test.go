package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/samples/golden"
)

// runValidate runs "chatmigrate validate args..." in-process with --out in a temporary
// directory, and returns the exit code, stdout, stderr and that directory.
func runValidate(t *testing.T, args ...string) (code int, stdout, stderr, out string) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "out")
	var o, e bytes.Buffer
	code = run(context.Background(), append([]string{"validate", "--out", out}, args...),
		env{stdout: &o, stderr: &e, getenv: func(string) string { return "" }})
	return code, o.String(), e.String(), out
}

func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oneBad := write("topics.csv", "GroupId,TopicName\n@TGS#_a,fine\nnot-a-group,bad row\n@TGS#_a,also fine\n")
	badHeader := write("h_topics.csv", "GroupId,Name\n@TGS#_a,x\n")
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string // a piece stderr must hold
	}{
		{"samples", []string{"../../samples"}, exitOK, ""},
		{"samples jsonl", []string{"../../samples/jsonl"}, exitOK, ""},
		{"samples bad", []string{"--topics", "../../samples/bad/topics.csv"}, exitPartial, "samples/bad/topics.csv:"},
		{"one bad row", []string{"--topics", oneBad}, exitPartial, oneBad + ":3: GroupId: not a Community group ID"},
		{"header error", []string{"--topics", badHeader, "--topics", oneBad}, exitUsage, `header column "Name"`},
		{"no input", nil, exitUsage, "no input"},
		{"bad rps", []string{"--topics", oneBad, "--rps", "0"}, exitUsage, "--rps"},
		{"missing file", []string{"--topics", filepath.Join(dir, "none.csv")}, exitUsage, "none.csv"},
		{"unknown flag", []string{"--nope"}, exitUsage, "nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr, _ := runValidate(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Fatalf("exit %d, want %d; stderr must hold %q:\n%s\nstdout:\n%s", code, c.code, c.stderr, stderr, stdout)
			}
		})
	}
}

func TestValidateReports(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "topics.csv")
	if err := os.WriteFile(path, []byte("GroupId,TopicName\n@TGS#_a,fine\n@TGS#_a,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, _, out := runValidate(t, "--topics", path)
	if code != exitPartial {
		t.Fatalf("exit %d", code)
	}
	failures, err := os.ReadFile(filepath.Join(out, "validate_failures.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "topics," + path + ",3,,@TGS#_a,,,,,invalid,TopicName: required\n"; !strings.HasSuffix(string(failures), want) {
		t.Fatalf("validate_failures.csv:\n%s\nwant it to end with:\n%s", failures, want)
	}
	// validate writes only its own files (docs/contract.md, "Output"): run's stay as they were.
	for _, name := range []string{"failed_topics.jsonl", "failures.csv", "summary.json", "topic_ids.csv"} {
		if _, err := os.Stat(filepath.Join(out, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("validate wrote run's %s (%v)", name, err)
		}
	}
	var sum map[string]any
	b, err := os.ReadFile(filepath.Join(out, "validate_summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	topics := sum["topics"].(map[string]any)
	if sum["command"] != "validate" || sum["exit_code"] != float64(exitPartial) || topics["records"] != 2.0 ||
		topics["invalid"] != 1.0 || topics["valid"] != 1.0 || topics["warnings"] != 0.0 ||
		topics["requests"] != 2.0 { // the import and the read of its Community
		t.Fatalf("validate_summary.json: %s", b)
	}
}

func TestValidateTableGolden(t *testing.T) {
	code, stdout, stderr, out := runValidate(t, "testdata/validate/input", "--rps", "2")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	got := strings.ReplaceAll(stdout, out, "OUT") + "-- stderr --\n" + stderr
	golden.Check(t, filepath.Join("testdata", "validate", "table.golden"), []byte(got))
}
