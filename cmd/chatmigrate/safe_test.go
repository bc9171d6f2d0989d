package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// The end-to-end cases of issue 13 that stand alone: each runs the commands as a user would,
// in-process against an emulator, and checks what happened to the files.

// cmdIn runs "chatmigrate args..." in-process.
func cmdIn(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	e, o, eb := testEnv(vars)
	code = run(context.Background(), args, e)
	return code, o.String(), eb.String()
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fileSnap returns the content of the named files of dir.
func fileSnap(t *testing.T, dir string, names ...string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, n := range names {
		m[n] = string(readBytes(t, filepath.Join(dir, n)))
	}
	return m
}

// TestRefeedFailedIntoSameOut (case 2): feeding run's own failed_topics.jsonl back into the
// same --out is refused before anything is touched, the user's edit and the first run's
// topic_ids.csv kept byte for byte; the copy the message asks for, run into another --out,
// imports the fixed topic once.
func TestRefeedFailedIntoSameOut(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	in, out := filepath.Join(dir, "topics.csv"), filepath.Join(dir, "out")
	writeFile(t, in, "GroupId,TopicName\n@TGS#_g1,first\n@TGS#_g1,\n@TGS#_g1,second\n")
	vars := credEnv(runKey)
	if code, stdout, stderr := cmdIn(t, vars, "run", "--endpoint", srv.ts.URL, "--out", out, "--topics", in); code != exitPartial {
		t.Fatalf("first run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	failed := filepath.Join(out, "failed_topics.jsonl")
	edited := `{"GroupId":"@TGS#_g1","TopicName":"fixed"}` + "\n"
	writeFile(t, failed, edited)
	before := fileSnap(t, out, "topic_ids.csv", "failures.csv", "summary.json")

	code, _, stderr := cmdIn(t, vars, "run", "--endpoint", srv.ts.URL, "--out", out, "--topics", failed)
	if code != exitUsage || !strings.Contains(stderr, "one of the files run writes in --out") || !strings.Contains(stderr, "cp ") {
		t.Fatalf("refeed into the same --out: exit %d, want 2 with what to do instead\n%s", code, stderr)
	}
	if got := string(readBytes(t, failed)); got != edited {
		t.Errorf("the user's failed_topics.jsonl changed: %q", got)
	}
	for name, b := range fileSnap(t, out, "topic_ids.csv", "failures.csv", "summary.json") {
		if b != before[name] {
			t.Errorf("%s changed by a refused run:\n%s\nwas\n%s", name, b, before[name])
		}
	}

	fixed := filepath.Join(dir, "fixed_topics.jsonl")
	writeFile(t, fixed, edited)
	if code, stdout, stderr := cmdIn(t, vars, "run", "--endpoint", srv.ts.URL, "--out", out+"2", "--topics", fixed); code != exitOK {
		t.Fatalf("run of the copy: exit %d\n%s\n%s", code, stdout, stderr)
	}
	names := map[string]int{}
	for _, ts := range srv.sim.Dump().Topics {
		for _, tp := range ts {
			names[tp.TopicName]++
		}
	}
	if names["fixed"] != 1 || names["first"] != 1 || names["second"] != 1 || len(names) != 3 {
		t.Errorf("topics on the target: %v, want first, second and fixed once each", names)
	}
}

// TestOutShared (case 3 and the lock): validate and verify started during a run into the
// same --out write only their own files and leave the run's intact; a second run, or a run
// --retry-failed, into that --out is refused at once, naming the holder.
func TestOutShared(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{Faults: chatsim.Faults{LatencyMin: 2 * time.Millisecond}})
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.Mkdir(in, 0o755)
	crashInputs(t, in, 300, 60)
	vars := credEnv(runKey)

	var wg sync.WaitGroup
	var runCode int
	var runOut, runErr string
	ended := make(chan struct{})
	wg.Go(func() {
		defer close(ended)
		runCode, runOut, runErr = cmdIn(t, vars, "run", "--endpoint", srv.ts.URL, "--out", out, "--rps", "200", in)
	})
	for srv.sim.Metrics().Total.Requests < 20 { // the run is sending
		select {
		case <-ended:
			t.Fatalf("run ended before it sent 20 requests: exit %d\n%s\n%s", runCode, runOut, runErr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	for _, args := range [][]string{{"run"}, {"run", "--retry-failed"}} {
		code, _, stderr := cmdIn(t, vars, append(args, "--endpoint", srv.ts.URL, "--out", out, in)...)
		if code != exitUsage || !strings.Contains(stderr, "is in use by chatmigrate run (pid "+fmt.Sprint(os.Getpid())) {
			t.Errorf("%v during a run: exit %d, want 2 naming the run\n%s", args, code, stderr)
		}
	}
	if code, stdout, stderr := cmdIn(t, vars, "validate", "--out", out, in); code != exitOK {
		t.Errorf("validate during a run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr := cmdIn(t, vars, "verify", "--endpoint", srv.ts.URL, "--out", out, in)
	if code != exitPartial && code != exitOK {
		t.Errorf("verify during a run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	wg.Wait()
	if runCode != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", runCode, runOut, runErr)
	}
	ids := readBytes(t, filepath.Join(out, "topic_ids.csv"))
	if bytes.IndexByte(ids, 0) >= 0 || bytes.Count(ids, []byte("\n")) != 301 {
		t.Errorf("topic_ids.csv: %d lines, NUL at %d; want 301 lines, no NUL", bytes.Count(ids, []byte("\n")), bytes.IndexByte(ids, 0))
	}
	var sum map[string]any
	readJSON(t, filepath.Join(out, "summary.json"), &sum)
	if sum["command"] != "run" {
		t.Errorf("summary.json is %v's", sum["command"])
	}
	for _, name := range []string{"validate_summary.json", "validate_failures.csv", "verify_summary.json", "diff.csv"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// After the run, validate and verify in its --out still leave its files as they are.
	before := fileSnap(t, out, "topic_ids.csv", "failures.csv", "summary.json")
	cmdIn(t, vars, "validate", "--out", out, in)
	if code, stdout, stderr := cmdIn(t, vars, "verify", "--endpoint", srv.ts.URL, "--out", out, in); code != exitOK {
		t.Errorf("verify after the run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for name, b := range fileSnap(t, out, "topic_ids.csv", "failures.csv", "summary.json") {
		if b != before[name] {
			t.Errorf("%s changed by validate or verify", name)
		}
	}
}

// TestVerifyWritesAllMissing (case 4): verify writes missing_<kind>.jsonl for all three
// kinds, empty when nothing is missing, so that the refill run reads all three.
func TestVerifyWritesAllMissing(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	vars := credEnv(runKey)
	// Only the topics are migrated: the groups are all missing, the topics none.
	if code, stdout, stderr := cmdIn(t, vars, "run", "--endpoint", srv.ts.URL, "--out", out, "--topics", "../../samples/topics.csv"); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := cmdIn(t, vars, "verify", "--endpoint", srv.ts.URL, "--out", out, "--topics", "../../samples/topics.csv"); code != exitOK {
		t.Fatalf("verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var refill []string
	for _, k := range []string{"topics", "friend_groups", "contact_groups"} {
		p := filepath.Join(out, "missing_"+k+".jsonl")
		if fi, err := os.Stat(p); err != nil || fi.Size() != 0 {
			t.Fatalf("%s: %v, want an empty file", p, err)
		}
		refill = append(refill, "--"+strings.ReplaceAll(k, "_", "-"), p)
	}
	code, stdout, stderr := cmdIn(t, vars, append([]string{"run", "--endpoint", srv.ts.URL, "--out", filepath.Join(dir, "refill")}, refill...)...)
	if code != exitOK {
		t.Fatalf("the refill run: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestNonRegularInput (case 5, in-process part): a FIFO no one writes to is refused at once,
// naming it, by every command, instead of hanging.
func TestNonRegularInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "topics.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	srv := newSimServer(t, chatsim.Config{})
	for _, args := range [][]string{
		{"validate"}, {"run", "--endpoint", srv.ts.URL}, {"verify", "--endpoint", srv.ts.URL},
	} {
		done := make(chan struct{})
		var code int
		var stderr string
		go func() {
			code, _, stderr = cmdIn(t, credEnv(runKey), append(args, "--out", filepath.Join(dir, "out"), "--topics", fifo)...)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s with a FIFO input hangs", args[0])
		}
		if code != exitUsage || !strings.Contains(stderr, fifo+": not a regular file (a FIFO)") {
			t.Errorf("%s: exit %d, want 2 naming the FIFO\n%s", args[0], code, stderr)
		}
	}
	sub := filepath.Join(dir, "sub.csv")
	os.Mkdir(sub, 0o755)
	if code, _, stderr := cmdIn(t, nil, "validate", "--out", filepath.Join(dir, "out"), "--topics", sub); code != exitUsage ||
		!strings.Contains(stderr, "a directory, not a file") {
		t.Errorf("a directory as a file: exit %d\n%s", code, stderr)
	}
}

// TestCSVRecordBound (case 6): a stray quote that makes a record longer than 16 MiB is one
// invalid row at its line, and the records after it are read on.
func TestCSVRecordBound(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "topics.csv")
	var b strings.Builder
	b.WriteString("GroupId,TopicName,Introduction\n@TGS#_g1,before,\n@TGS#_g1,stray,\"oops\n")
	line := "@TGS#_g1,lost," + strings.Repeat("x", 100) + "\n"
	for range (17 << 20) / len(line) {
		b.WriteString(line)
	}
	b.WriteString("\"\n@TGS#_g1,after,\n")
	writeFile(t, in, b.String())
	out := filepath.Join(dir, "out")
	code, stdout, stderr := cmdIn(t, nil, "validate", "--out", out, "--topics", in)
	if code != exitPartial {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	failures := string(readBytes(t, filepath.Join(out, "validate_failures.csv")))
	if !strings.Contains(failures, "topics,"+in+",3,") || !strings.Contains(failures, "record longer than 16 MiB") ||
		strings.Count(failures, "\n") != 2 {
		t.Errorf("validate_failures.csv:\n%.500s", failures)
	}
	var sum map[string]any
	readJSON(t, filepath.Join(out, "validate_summary.json"), &sum)
	if topics := sum["topics"].(map[string]any); topics["records"] != 3.0 || topics["invalid"] != 1.0 {
		t.Errorf("validate_summary.json topics: %v, want before, the bad record and after", sum["topics"])
	}
}

// TestInputsOnce (case 7): the same file given twice is refused; a directory gives only the
// exact names, says which files it ignored and why, and every command lists what it reads.
func TestInputsOnce(t *testing.T) {
	dir := t.TempDir()
	samples := filepath.Join(dir, "samples")
	os.Mkdir(samples, 0o755)
	for _, n := range []string{"topics.csv", "friend_groups.csv", "contact_groups.csv"} {
		writeFile(t, filepath.Join(samples, n), string(readBytes(t, filepath.Join("../../samples", n))))
	}
	writeFile(t, filepath.Join(samples, "friend_groups.2019-backup.csv"), "From_Account,GroupName,To_Account\nold,old,old\n")
	writeFile(t, filepath.Join(samples, "topics.old.csv"), "GroupId,TopicName\n@TGS#_old,old\n")
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{samples, samples},
		{samples, "--topics", filepath.Join(samples, "topics.csv")},
		{"--topics", filepath.Join(samples, "topics.csv"), "--friend-groups", filepath.Join(samples, ".", "topics.csv")},
	} {
		code, _, stderr := cmdIn(t, nil, append([]string{"validate", "--out", out}, args...)...)
		if code != exitUsage || !strings.Contains(stderr, "given twice") {
			t.Errorf("validate %v: exit %d, want 2 saying a file is given twice\n%s", args, code, stderr)
		}
	}
	srv := newSimServer(t, chatsim.Config{})
	reading := "reading: " + filepath.Join(samples, "topics.csv") + " (topics), " + filepath.Join(samples, "friend_groups.csv") +
		" (friend_groups), " + filepath.Join(samples, "contact_groups.csv") + " (contact_groups)\n"
	for _, args := range [][]string{{"validate"}, {"run", "--endpoint", srv.ts.URL}, {"verify", "--endpoint", srv.ts.URL}} {
		code, stdout, stderr := cmdIn(t, credEnv(runKey), append(args, "--out", out, samples)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s\n%s", args[0], code, stdout, stderr)
		}
		for _, want := range []string{reading, "ignoring " + filepath.Join(samples, "friend_groups.2019-backup.csv") + ": a backup-like name",
			"ignoring " + filepath.Join(samples, "topics.old.csv") + ": a backup-like name"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", args[0], want, stderr)
			}
		}
	}
	var sum map[string]any
	readJSON(t, filepath.Join(out, "validate_summary.json"), &sum)
	if topics := sum["topics"].(map[string]any); topics["records"] != 18.0 || topics["invalid"] != 0.0 {
		t.Errorf("validate_summary.json topics: %v, want the 18 of topics.csv alone", sum["topics"])
	}
}

// TestExitMapping (case 9): an unwritable --out and an unreadable input are 2 for every
// command, naming the directory or file; a broken gzip file says how, and the other files'
// problems are still reported.
func TestExitMapping(t *testing.T) {
	dir := t.TempDir()
	srv := newSimServer(t, chatsim.Config{})
	notDir := filepath.Join(dir, "plain")
	writeFile(t, notDir, "")
	for _, args := range [][]string{{"validate"}, {"run", "--endpoint", srv.ts.URL}, {"verify", "--endpoint", srv.ts.URL}} {
		for _, out := range []string{notDir, filepath.Join(notDir, "out")} {
			code, _, stderr := cmdIn(t, credEnv(runKey), append(args, "--out", out, "../../samples")...)
			if code != exitUsage || !strings.Contains(stderr, "--out "+out) || strings.Contains(stderr, ".problems-") {
				t.Errorf("%s --out %s: exit %d, want 2 naming the directory\n%s", args[0], out, code, stderr)
			}
		}
	}

	var full bytes.Buffer
	zw := gzip.NewWriter(&full)
	zw.Write(readBytes(t, "../../samples/topics.csv"))
	zw.Close()
	truncated := filepath.Join(dir, "topics.csv.gz")
	os.WriteFile(truncated, full.Bytes()[:full.Len()/2], 0o644)
	corrupt := filepath.Join(dir, "more_topics.csv.gz")
	os.WriteFile(corrupt, []byte("GroupId,TopicName\nnot gzip at all\n"), 0o644)
	friends := filepath.Join(dir, "friend_groups.csv")
	writeFile(t, friends, "From_Account,GroupName,To_Account\nu1,,u2\n")
	for _, args := range [][]string{{"validate"}, {"run", "--endpoint", srv.ts.URL}, {"verify", "--endpoint", srv.ts.URL}} {
		out := filepath.Join(dir, "out-"+args[0])
		code, _, stderr := cmdIn(t, credEnv(runKey), append(args, "--out", out, "--topics", truncated, "--topics", corrupt, "--friend-groups", friends)...)
		want := []string{truncated + ": truncated after " + fmt.Sprint(full.Len()/2) + " bytes", corrupt + ": not a valid gzip stream"}
		if code != exitUsage {
			t.Errorf("%s: exit %d, want 2\n%s", args[0], code, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr lacks %q\n%s", args[0], w, stderr)
			}
		}
		if args[0] == "validate" {
			failures := string(readBytes(t, filepath.Join(out, "validate_failures.csv")))
			if !strings.Contains(failures, "friend_groups,"+friends+",2,") {
				t.Errorf("the other file's problems are not reported:\n%s", failures)
			}
		}
	}
}
