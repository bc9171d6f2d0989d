package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// The input of TestRerunAfterEdit, before and after the user's edit: one invalid topic row
// fixed, two new topics (one at the top of the file, so that every later row moves down a
// line, one at the end, in a new Community), one imported topic's row removed; friend groups
// and conversation groups with users changed, added and left alone.
var (
	resumeTopicsBefore = "GroupId,TopicName,Introduction\n" +
		"@TGS#_r1,alpha,a\n" +
		"@TGS#_r1,bravo,b\n" +
		"not-a-group,charlie,c\n" +
		"@TGS#_r2,delta,d\n" +
		"@TGS#_r2,echo,e\n"
	resumeTopicsAfter = "GroupId,TopicName,Introduction\n" +
		"@TGS#_r2,foxtrot,f\n" +
		"@TGS#_r1,alpha,a\n" +
		"@TGS#_r1,charlie,c\n" +
		"@TGS#_r2,delta,d\n" +
		"@TGS#_r2,echo,e\n" +
		"@TGS#_r3,golf,g\n"
	resumeFriendsBefore = "From_Account,GroupName,To_Account\n" +
		"u1,family,u2\n" +
		"u1,family,u3\n" +
		"u2,work,u1\n" +
		"u5,solo,u1\n"
	// u1 loses a row (the target keeps what the input no longer mentions), u2 gains one, u4
	// is new, u5 is as it was.
	resumeFriendsAfter = "From_Account,GroupName,To_Account\n" +
		"u4,pals,u1\n" +
		"u1,family,u2\n" +
		"u2,work,u1\n" +
		"u2,work,u3\n" +
		"u5,solo,u1\n"
	resumeContactsBefore = "From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n" +
		"u1,chats,1,u2,,,\n" +
		"u2,chats,1,u3,,,\n"
	resumeContactsAfter = "From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n" +
		"u3,chats,1,u1,,,\n" +
		"u1,chats,1,u2,,,\n" +
		"u2,chats,1,u3,,,\n"
)

// TestRerunAfterEdit is issue 13's first case and its Done-when flow, end to end against the
// emulator: run, edit the input, rerun with the same --out and checkpoint and no --force. The
// rerun sends exactly what is new or changed (counted per endpoint), every item is on the
// target once, what the edit left alone is as it was, the reports are right, and it exits 0.
// A third run of the same input sends nothing.
func TestRerunAfterEdit(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	write := func(name, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(want int) (delta map[string]int64, sum migrate.Summary) {
		t.Helper()
		before := srv.sim.Metrics()
		code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out,
			"--topics", filepath.Join(dir, "topics.csv"), "--friend-groups", filepath.Join(dir, "friend_groups.csv"),
			"--contact-groups", filepath.Join(dir, "contact_groups.csv"))
		if code != want {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, stdout, stderr)
		}
		after := srv.sim.Metrics()
		delta = make(map[string]int64)
		for ep, m := range after.Endpoints {
			if n := m.Requests - before.Endpoints[ep].Requests; n != 0 {
				delta[ep] = n
			}
		}
		b, err := os.ReadFile(filepath.Join(out, migrate.SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		return delta, sum
	}

	write("topics.csv", resumeTopicsBefore)
	write("friend_groups.csv", resumeFriendsBefore)
	write("contact_groups.csv", resumeContactsBefore)
	_, sum := run(exitPartial) // the invalid row
	if ks := sum.Kinds[sources.Topics]; ks.Succeeded != 4 || ks.Invalid != 1 {
		t.Fatalf("first run: topics %+v", ks)
	}
	firstIDs := topicIDRows(t, out)

	write("topics.csv", resumeTopicsAfter)
	write("friend_groups.csv", resumeFriendsAfter)
	write("contact_groups.csv", resumeContactsAfter)
	delta, sum := run(exitOK)
	// Topics: charlie (fixed), foxtrot and golf (new), each Community touched read once; nothing
	// else. Friend groups: the read of u1, u2 and u4 (changed or new), not of u5, and the writes
	// of u2's new member and u4's group. Conversation groups: u3 alone.
	want := map[string]int64{
		chatapi.PathImportTopic:        3,
		chatapi.PathGetTopic:           3,
		chatapi.PathGroupGet:           3,
		chatapi.PathGetContactGroup:    1,
		chatapi.PathCreateContactGroup: 1,
	}
	writes := delta[chatapi.PathGroupAdd] + delta[chatapi.PathFriendUpdate]
	delete(delta, chatapi.PathGroupAdd)
	delete(delta, chatapi.PathFriendUpdate)
	if !mapsEqual(delta, want) || writes < 2 || writes > 3 {
		t.Errorf("rerun sent %v and %d friend-group writes, want %v and 2 or 3 (u2's member, u4's group)", delta, writes, want)
	}
	// Friend groups: u5's row is skipped by the checkpoint; u1 and u2 changed, so their units
	// run again and find the rows the first run wrote on the target: skipped too.
	for k, w := range map[sources.Kind]migrate.KindSummary{
		sources.Topics:        {Records: 6, Succeeded: 3, Skipped: 3},
		sources.FriendGroups:  {Records: 5, Succeeded: 2, Skipped: 3},
		sources.ContactGroups: {Records: 3, Succeeded: 1, Skipped: 2},
	} {
		ks := sum.Kinds[k]
		if ks.Records != w.Records || ks.Invalid != 0 || ks.Succeeded != w.Succeeded || ks.Failed != 0 || ks.Skipped != w.Skipped {
			t.Errorf("rerun summary of %s: %+v, want records %d, ok %d, skip %d, no failure", k, *ks, w.Records, w.Succeeded, w.Skipped)
		}
	}

	// The target: every topic once, bravo (its row removed) left as it was.
	st := srv.sim.Dump()
	wantTopics := map[string][]string{"@TGS#_r1": {"alpha", "bravo", "charlie"}, "@TGS#_r2": {"delta", "echo", "foxtrot"}, "@TGS#_r3": {"golf"}}
	for g, names := range wantTopics {
		var got []string
		for _, tp := range st.Topics[g] {
			got = append(got, tp.TopicName)
		}
		slices.Sort(got)
		if !slices.Equal(got, names) {
			t.Errorf("target's topics of %s: %v, want %v", g, got, names)
		}
	}
	wantFriends := map[string]map[string][]string{
		"u1": {"family": {"u2", "u3"}}, "u2": {"work": {"u1", "u3"}}, "u4": {"pals": {"u1"}}, "u5": {"solo": {"u1"}},
	}
	for user, groups := range wantFriends {
		for g, members := range groups {
			if got := st.FriendGroups[user][g]; !slices.Equal(got, members) {
				t.Errorf("target's friend group %s of %s: %v, want %v", g, user, got, members)
			}
		}
	}
	for _, user := range []string{"u1", "u2", "u3"} {
		if gs := st.ContactGroups[user]; len(gs) != 1 || gs[0].GroupName != "chats" || len(gs[0].Contacts) != 1 {
			t.Errorf("target's conversation groups of %s: %+v, want one group with one conversation", user, gs)
		}
	}

	// topic_ids.csv: the first run's rows as they were, and one row for each new topic.
	ids := topicIDRows(t, out)
	for _, r := range firstIDs {
		if !slices.Contains(ids, r) {
			t.Errorf("topic_ids.csv lost the first run's row %q:\n%s", r, strings.Join(ids, "\n"))
		}
	}
	if len(ids) != 7 {
		t.Errorf("topic_ids.csv has %d rows, want 7, one per topic:\n%s", len(ids), strings.Join(ids, "\n"))
	}
	if got := readFile(t, filepath.Join(out, migrate.FailuresFile)); strings.Count(got, "\n") != 1 {
		t.Errorf("failures.csv after the fix holds more than its header:\n%s", got)
	}

	// The same input once more: everything is done, nothing is sent.
	delta, sum = run(exitOK)
	if len(delta) != 0 {
		t.Errorf("third run sent %v, want nothing", delta)
	}
	if ks := sum.Kinds[sources.Topics]; ks.Skipped != 6 || ks.Succeeded != 0 {
		t.Errorf("third run: topics %+v, want all 6 skipped", ks)
	}
	if got := topicIDRows(t, out); !slices.Equal(got, ids) {
		t.Errorf("third run changed topic_ids.csv:\n%s\nwas:\n%s", strings.Join(got, "\n"), strings.Join(ids, "\n"))
	}
}

// topicIDRows returns the rows of topic_ids.csv in out, without the header, sorted.
func topicIDRows(t *testing.T, out string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(readFile(t, filepath.Join(out, migrate.TopicIDsFile)), "\n"), "\n")
	rows := slices.Clone(lines[1:])
	slices.Sort(rows)
	return rows
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRerunAfterFieldEdit: a topic already imported whose other fields are edited is a unit of
// new content; the rerun finds it on the target (no import), and topic_ids.csv keeps one row
// for it.
func TestRerunAfterFieldEdit(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	topics := filepath.Join(dir, "topics.csv")
	for i, s := range []string{
		"GroupId,TopicName,Introduction\n@TGS#_f1,alpha,first words\n@TGS#_f1,bravo,b\n",
		"GroupId,TopicName,Introduction\n@TGS#_f1,alpha,second thoughts\n@TGS#_f1,bravo,b\n",
	} {
		if err := os.WriteFile(topics, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		before := srv.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests
		code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "--topics", topics)
		if code != exitOK {
			t.Fatalf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, code, stdout, stderr)
		}
		imports := srv.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests - before
		if want := []int64{2, 0}[i]; imports != want {
			t.Errorf("run %d: %d imports, want %d", i+1, imports, want)
		}
	}
	if rows := topicIDRows(t, out); len(rows) != 2 {
		t.Errorf("topic_ids.csv has %d rows, want one per topic:\n%s", len(rows), strings.Join(rows, "\n"))
	}
	if n := len(srv.sim.Dump().Topics["@TGS#_f1"]); n != 2 {
		t.Errorf("target holds %d topics, want 2", n)
	}
}

// TestRefeedCopyIntoSameOut is issue 13's refeed flow with resume by content: run's own
// failed_topics.jsonl is refused as an input of the same --out (run replaces that file), and
// the copy the refusal asks for runs into that same --out and checkpoint: the copy is kept
// byte for byte, the first run's topic_ids.csv rows stay, and only the fixed topic is sent,
// once.
func TestRefeedCopyIntoSameOut(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	in, out := filepath.Join(dir, "topics.csv"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, []byte("GroupId,TopicName\n@TGS#_g1,first\n@TGS#_g1,\n@TGS#_g1,second\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := credEnv(runKey)
	if code, stdout, stderr := runCmd(t, vars, "--endpoint", srv.ts.URL, "--out", out, "--topics", in); code != exitPartial {
		t.Fatalf("first run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	firstIDs := topicIDRows(t, out)
	if len(firstIDs) != 2 {
		t.Fatalf("first run's topic_ids.csv: %v", firstIDs)
	}
	failed := filepath.Join(out, migrate.FailedFile(sources.Topics))
	edited := `{"GroupId":"@TGS#_g1","TopicName":"fixed"}` + "\n"
	if err := os.WriteFile(failed, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, vars, "--endpoint", srv.ts.URL, "--out", out, "--topics", failed)
	if code != exitUsage || !strings.Contains(stderr, "with this --out or another") {
		t.Fatalf("refeed of run's own file: exit %d, want 2 saying the copy may use this --out\n%s", code, stderr)
	}

	fixed := filepath.Join(dir, "fixed_topics.jsonl")
	if err := os.WriteFile(fixed, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	imports := srv.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests
	code, stdout, stderr := runCmd(t, vars, "--endpoint", srv.ts.URL, "--out", out, "--topics", fixed)
	if code != exitOK {
		t.Fatalf("refeed of the copy into the same --out: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := srv.sim.Metrics().Endpoints[chatapi.PathImportTopic].Requests - imports; n != 1 {
		t.Errorf("the refeed sent %d imports, want 1 (the fixed topic)", n)
	}
	if got := readFile(t, fixed); got != edited {
		t.Errorf("the user's copy changed: %q", got)
	}
	ids := topicIDRows(t, out)
	for _, r := range firstIDs {
		if !slices.Contains(ids, r) {
			t.Errorf("topic_ids.csv lost the first run's row %q:\n%s", r, strings.Join(ids, "\n"))
		}
	}
	if len(ids) != 3 {
		t.Errorf("topic_ids.csv: %d rows, want 3:\n%s", len(ids), strings.Join(ids, "\n"))
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

// TestRerunFailedByContent: a failed unit is known by its content too. The same input again
// sends nothing and rebuilds the failure; --retry-failed tries it again (the read of its
// Community answers 11000 again, so no import is needed to fail it); once the row is
// fixed, the fixed topic is sent and the old failure, of content no longer in the input, is
// gone from the reports and the summary.
func TestRerunFailedByContent(t *testing.T) {
	world := &chatsim.World{Communities: []chatsim.Community{{GroupId: "@TGS#_on", Topics: true}, {GroupId: "@TGS#_off"}}}
	srv := newSimServer(t, chatsim.Config{World: world})
	dir := t.TempDir()
	in, out := filepath.Join(dir, "topics.csv"), filepath.Join(dir, "out")
	broken := "GroupId,TopicName\n@TGS#_on,good\n@TGS#_off,moved\n"
	fixed := "GroupId,TopicName\n@TGS#_on,good\n@TGS#_on,moved\n"
	for _, step := range []struct {
		name    string
		input   string
		args    []string
		code    int
		imports int64 // import_topic requests; -1: some topic request, an import or a read
		failed  int   // summary
		skipped int
		rows    int // failures.csv rows
	}{
		{"first run", broken, nil, exitPartial, 2, 1, 0, 1},
		{"same input", broken, nil, exitPartial, 0, 1, 1, 1},
		{"retry", broken, []string{"--retry-failed"}, exitPartial, -1, 1, 1, 1},
		{"fixed", fixed, nil, exitOK, 1, 0, 1, 0},
	} {
		if err := os.WriteFile(in, []byte(step.input), 0o644); err != nil {
			t.Fatal(err)
		}
		m0 := srv.sim.Metrics()
		args := append([]string{"--endpoint", srv.ts.URL, "--out", out, "--topics", in}, step.args...)
		code, stdout, stderr := runCmd(t, credEnv(runKey), args...)
		if code != step.code {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", step.name, code, step.code, stdout, stderr)
		}
		m1 := srv.sim.Metrics()
		imports := m1.Endpoints[chatapi.PathImportTopic].Requests - m0.Endpoints[chatapi.PathImportTopic].Requests
		reads := m1.Endpoints[chatapi.PathGetTopic].Requests - m0.Endpoints[chatapi.PathGetTopic].Requests
		switch {
		case step.imports < 0 && imports+reads == 0:
			t.Errorf("%s: no topic request, want the failed topic tried again", step.name)
		case step.imports >= 0 && imports != step.imports:
			t.Errorf("%s: %d imports, want %d", step.name, imports, step.imports)
		case step.imports == 0 && reads != 0:
			t.Errorf("%s: %d reads of topics, want none", step.name, reads)
		}
		var sum migrate.Summary
		readJSON(t, filepath.Join(out, migrate.SummaryFile), &sum)
		if ks := sum.Kinds[sources.Topics]; ks.Failed != step.failed || ks.Skipped != step.skipped {
			t.Errorf("%s: summary %+v, want failed %d, skipped %d", step.name, *ks, step.failed, step.skipped)
		}
		failures := readFile(t, filepath.Join(out, migrate.FailuresFile))
		if n := strings.Count(failures, "\n") - 1; n != step.rows || (n > 0 && !strings.Contains(failures, ",11000,")) {
			t.Errorf("%s: failures.csv, want %d rows of 11000:\n%s", step.name, step.rows, failures)
		}
	}
}
