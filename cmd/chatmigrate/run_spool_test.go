package main

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// snapshot returns every file under dir with its bytes.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// checkNoSpool fails the test when a problem spool is left in out.
func checkNoSpool(t *testing.T, out string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(out, ".problems-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("problem spool left behind: %v", left)
	}
}

// topicsWithInvalid writes a topics file with valid rows and invalid ones (not a Community
// group ID), named by tag so that two files differ.
func topicsWithInvalid(t *testing.T, path, tag string, valid, invalid int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("GroupId,TopicName\n")
	for i := range valid {
		fmt.Fprintf(&b, "@TGS#_spool,%s %d\n", tag, i)
	}
	for i := range invalid {
		fmt.Fprintf(&b, "not-a-group-%s,%s bad %d\n", tag, tag, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunRefusedCheckpointKeepsReports: a rerun whose checkpoint cannot be resumed (one an
// earlier version wrote, in the format that named requests by position) is refused (exit 2)
// before it writes anything, so the earlier run's reports, the invalid rows of failures.csv
// and failed_topics.jsonl included, stay byte for byte as they were, although the new input
// has invalid rows of its own.
func TestRunRefusedCheckpointKeepsReports(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.csv")
	out := filepath.Join(dir, "out")
	topicsWithInvalid(t, topics, "first", 3, 2)
	code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "--topics", topics)
	if code != exitPartial {
		t.Fatalf("first run: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitPartial, stdout, stderr)
	}
	writeFormat1Checkpoint(t, filepath.Join(out, DefaultCheckpoint))
	before := snapshot(t, out)
	for _, name := range []string{migrate.FailuresFile, migrate.FailedFile(sources.Topics), migrate.TopicIDsFile, "summary.json"} {
		if len(before[name]) == 0 {
			t.Fatalf("the first run left no %s to keep", name)
		}
	}
	if !bytes.Contains(before[migrate.FailuresFile], []byte("not-a-group-first")) {
		t.Fatalf("the first run's failures.csv lacks its invalid rows:\n%s", before[migrate.FailuresFile])
	}

	topicsWithInvalid(t, topics, "second", 4, 3)
	code, stdout, stderr = runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "--topics", topics)
	if code != exitUsage || !strings.Contains(stderr, "earlier version") || !strings.Contains(stderr, "new --checkpoint") {
		t.Fatalf("rerun with an old checkpoint: exit %d, want %d and advice naming --checkpoint\nstdout:\n%s\nstderr:\n%s",
			code, exitUsage, stdout, stderr)
	}
	if strings.Contains(stderr, "not-a-group-second") {
		t.Errorf("the refused run listed its invalid rows as if it went on:\n%s", stderr)
	}
	after := snapshot(t, out)
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed:\n%s\nwas:\n%s", name, after[name], b)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("the refused run wrote %s", name)
		}
	}
	checkNoSpool(t, out)
}

// TestRunSpoolReachesFailures: on a run that goes ahead, every invalid row the spool held
// reaches failures.csv and failed_topics.jsonl, the first few are listed on stderr, and the
// spool is gone afterwards.
func TestRunSpoolReachesFailures(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.csv")
	out := filepath.Join(dir, "out")
	const invalid = maxRunListed + 3
	topicsWithInvalid(t, topics, "t", 2, invalid)
	code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "--topics", topics)
	if code != exitPartial {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitPartial, stdout, stderr)
	}
	failures, err := os.ReadFile(filepath.Join(out, migrate.FailuresFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := range invalid {
		// Rows 2 and 3 are the valid ones; the invalid rows follow from line 4.
		want := fmt.Sprintf("topics,%s,%d,,not-a-group-t,,,,t bad %d,invalid,", topics, 4+i, i)
		if !strings.Contains(string(failures), want) {
			t.Errorf("failures.csv lacks %q:\n%s", want, failures)
		}
	}
	if n := countLines(t, filepath.Join(out, migrate.FailedFile(sources.Topics))); n != invalid {
		t.Errorf("failed_topics.jsonl has %d lines, want %d", n, invalid)
	}
	if n := strings.Count(stderr, "not-a-group-t"); n != maxRunListed {
		t.Errorf("stderr lists %d invalid rows, want the first %d:\n%s", n, maxRunListed, stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("... and %d more invalid items", invalid-maxRunListed),
		fmt.Sprintf("%d invalid items are left out", invalid),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := countLines(t, filepath.Join(out, migrate.TopicIDsFile)); n != 3 {
		t.Errorf("topic_ids.csv: %d lines, want the header and the 2 valid topics", n)
	}
	checkNoSpool(t, out)
}

// TestProblemSpool: the spool keeps the invalid records (not the warnings) in order and
// hands them on whole; it is unlinked from the start, so nothing is left in the directory
// whether or not it is replayed.
func TestProblemSpool(t *testing.T) {
	probs := []migrate.Problem{
		{Kind: sources.Topics, Pos: sources.Pos{File: "a.csv", Line: 2}, Field: "GroupId", Excerpt: "x", Reason: "not a Community group ID",
			Item: migrate.Item{GroupId: "x", TopicName: "one"}},
		{Kind: sources.Topics, Pos: sources.Pos{File: "a.csv", Line: 3}, Reason: "merged duplicate", Warning: true},
		{Kind: sources.FriendGroups, Pos: sources.Pos{File: "f.csv", Line: 9}, Field: "To_Account", Reason: "required",
			Item: migrate.Item{From_Account: "alice", GroupName: "g"}},
	}
	t.Run("replayed", func(t *testing.T) {
		dir := t.TempDir()
		s, err := newProblemSpool(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		for _, p := range probs {
			s.add(p)
		}
		checkNoSpool(t, dir)
		rep, err := migrate.OpenReports(dir)
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		if err := s.replay(rep, &stderr); err != nil {
			t.Fatal(err)
		}
		if err := rep.Close(); err != nil {
			t.Fatal(err)
		}
		if want := probs[0].String() + "\n" + probs[2].String() + "\n" +
			"2 invalid items are left out (see failures.csv); the valid ones are migrated\n"; stderr.String() != want {
			t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), want)
		}
		// The same problems written straight into reports of their own give the same files.
		direct := t.TempDir()
		drep, err := migrate.OpenReports(direct)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []migrate.Problem{probs[0], probs[2]} {
			if err := drep.Problem(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := drep.Close(); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{migrate.FailuresFile, migrate.FailedFile(sources.Topics), migrate.FailedFile(sources.FriendGroups)} {
			got, _ := os.ReadFile(filepath.Join(dir, name))
			want, _ := os.ReadFile(filepath.Join(direct, name))
			if len(want) == 0 || !bytes.Equal(got, want) {
				t.Errorf("%s through the spool:\n%s\nwritten directly:\n%s", name, got, want)
			}
		}
		s.close()
		checkNoSpool(t, dir)
	})
	t.Run("closed unreplayed", func(t *testing.T) {
		dir := t.TempDir()
		s, err := newProblemSpool(dir)
		if err != nil {
			t.Fatal(err)
		}
		s.add(probs[0])
		s.close()
		checkNoSpool(t, dir)
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%d files left in the directory", len(entries))
		}
	})
	t.Run("no directory", func(t *testing.T) {
		_, err := newProblemSpool(filepath.Join(t.TempDir(), "gone"))
		if err == nil || !strings.Contains(err.Error(), "problem spool") {
			t.Fatalf("newProblemSpool in a missing directory: %v", err)
		}
	})
}

// writeFormat1Checkpoint replaces the checkpoint at path with one in format 1, as an earlier
// version wrote it: a header naming a plan, then entries naming ordinals.
func writeFormat1Checkpoint(t *testing.T, path string) {
	t.Helper()
	var b []byte
	for _, js := range []string{
		`{"version":1,"fingerprint":"sha256:abc","units":3,"created":"2026-01-02T03:04:05Z","tool":"chatmigrate"}`,
		`{"o":0,"s":2}`,
	} {
		b = fmt.Appendf(b, "%08x %s\n", crc32.Checksum([]byte(js), crc32.MakeTable(crc32.Castagnoli)), js)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
