package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// onlineWorld is a strict World with missing prerequisites and target state, in JSON: a
// Community without topics, a user not imported, a missing friendship and membership, a user
// with 31 friend groups, one with 20 conversation groups, one with 1000 conversations, and
// topics already there.
func onlineWorld(t *testing.T, dir string) string {
	users := []string{"u1", "u2", "u3", "u5", "newguy"}
	var big []map[string]any
	for i := range 1000 {
		users = append(users, fmt.Sprintf("x%d", i))
		big = append(big, map[string]any{"Type": 1, "To_Account": fmt.Sprintf("x%d", i)})
	}
	groups := map[string][]string{}
	for i := range 31 {
		groups[fmt.Sprintf("e%d", i)] = []string{}
	}
	var twenty []map[string]any
	for i := range 20 {
		twenty = append(twenty, map[string]any{"GroupName": fmt.Sprintf("k%d", i)})
	}
	w := map[string]any{
		"Communities":  []map[string]any{{"GroupId": "@TGS#_a", "Topics": true}, {"GroupId": "@TGS#_b"}},
		"Groups":       []string{"team"},
		"GroupMembers": map[string]any{"team": map[string]any{"Owner": "u1"}},
		"Users":        users,
		"NotImported":  []string{"u4"},
		"Friends":      map[string][]string{"u1": {"u2"}},
		"Existing": map[string]any{
			"Topics": map[string]any{"@TGS#_a": []map[string]any{
				{"TopicId": "@TGS#_a@TOPIC#_x", "TopicName": "x", "CreateTime": 1},
				{"TopicId": "@TGS#_a@TOPIC#_y", "TopicName": "other", "CreateTime": 1}}},
			"FriendGroups":  map[string]any{"u1": groups},
			"ContactGroups": map[string]any{"u3": []map[string]any{{"GroupName": "big", "Contacts": big}}, "u5": twenty},
		},
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "world.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeInputs writes files into a fresh input directory.
func writeInputs(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// failureRows reads a failures file as "kind,source,line,code" rows, sorted, and its messages.
func failureRows(t *testing.T, path string) (keys, messages []string) {
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
	for _, r := range rows[1:] {
		keys = append(keys, strings.Join([]string{r[0], filepath.Base(r[1]), r[2], r[9]}, ","))
		messages = append(messages, r[10])
	}
	slices.Sort(keys)
	return keys, messages
}

// TestValidateOnlinePredictsRun: end to end against the emulator, validate --online predicts
// every failure the following run reports (same kind, source, line and code) and nothing that
// succeeds; validate_summary.json counts them as predicted and what is there as present.
func TestValidateOnlinePredictsRun(t *testing.T) {
	world := onlineWorld(t, t.TempDir())
	in := writeInputs(t, map[string]string{
		"topics.csv": "GroupId,TopicId,TopicName\n@TGS#_a,@TGS#_a@TOPIC#_x,x\n@TGS#_a,@TGS#_a@TOPIC#_y,mine\n" +
			"@TGS#_a,,new\n@TGS#_b,,t\n@TGS#_gone,,t\n",
		"friend_groups.csv": "From_Account,GroupName,To_Account\nu1,g1,u2\nu1,g2,u2\nu1,g1,u3\nu4,g,u1\nu2,h,u1\n",
		"contact_groups.csv": "From_Account,GroupName,Type,To_Account,ToGroupId\nu1,c1,2,,team\nu2,c1,2,,team\n" +
			"u2,c1,1,u1,\nu4,c,1,u1,\nu3,c,1,newguy,\nu3,big,1,x5,\nu5,cnew,1,u1,\n",
	})
	code, stdout, stderr, vout := runValidate(t, in, "--online", "--sim", "--sim-world", world)
	if code != exitPartial {
		t.Fatalf("validate --online: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "online check:") || !strings.Contains(stderr, "SIMULATION") {
		t.Errorf("validate --online printed:\n%s\n%s", stdout, stderr)
	}
	predicted, messages := failureRows(t, filepath.Join(vout, "validate_failures.csv"))
	for _, m := range messages {
		if !strings.HasPrefix(m, "predicted: ") {
			t.Errorf("message %q does not start with predicted:", m)
		}
	}
	var sum map[string]map[string]any
	b, err := os.ReadFile(filepath.Join(vout, "validate_summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &sum) // the head's scalars do not fit the map: only the kinds are read
	for kind, want := range map[string][2]float64{"topics": {3, 1}, "friend_groups": {3, 0}, "contact_groups": {4, 1}} {
		if sum[kind]["predicted"] != want[0] || sum[kind]["present"] != want[1] {
			t.Errorf("%s: predicted %v, present %v; want %v", kind, sum[kind]["predicted"], sum[kind]["present"], want)
		}
	}

	rout := filepath.Join(t.TempDir(), "run")
	code, _, stderr = runCmd(t, nil, in, "--sim", "--sim-world", world, "--out", rout)
	if code != exitPartial {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	failed, _ := failureRows(t, filepath.Join(rout, "failures.csv"))
	if !slices.Equal(predicted, failed) {
		t.Errorf("predicted:\n%s\nthe run failed:\n%s", strings.Join(predicted, "\n"), strings.Join(failed, "\n"))
	}
}

// TestValidateOnlineExitCodes: 0 when nothing is predicted to fail; 2 for connection flags
// without --online, or --online without a target.
func TestValidateOnlineExitCodes(t *testing.T) {
	in := writeInputs(t, map[string]string{"topics.csv": "GroupId,TopicName\n@TGS#_a,fine\n"})
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"all clear", []string{in, "--online", "--sim"}, exitOK},
		{"connection without --online", []string{in, "--sim"}, exitUsage},
		{"--online without a target", []string{in, "--online"}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, stdout, stderr, _ := runValidate(t, tc.args...); code != tc.want {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tc.want, stdout, stderr)
			}
		})
	}
}
