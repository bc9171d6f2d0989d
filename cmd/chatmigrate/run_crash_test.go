package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// crashInputs writes an input of every kind into dir: topics (half with a TopicId, every one
// with a CreateTime, so that two emulators agree on everything but generated IDs), friend
// groups and conversation groups with removes and renames.
func crashInputs(t *testing.T, dir string, topics, users int) {
	t.Helper()
	var tb, fb, cb strings.Builder
	tb.WriteString("GroupId,TopicId,TopicName,From_Account,CreateTime\n")
	for i := range topics {
		g := fmt.Sprintf("@TGS#_crash%d", i%9)
		id := ""
		if i%2 == 1 {
			id = fmt.Sprintf("%s@TOPIC#_t%d", g, i)
		}
		fmt.Fprintf(&tb, "%s,%s,topic %d,u%d,%d\n", g, id, i, i%users, 1650000000+i)
	}
	fb.WriteString("From_Account,GroupName,To_Account\n")
	cb.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n")
	for u := range users {
		for g := range 1 + u%3 {
			for f := range 1 + (u*7+g)%6 {
				fmt.Fprintf(&fb, "u%d,friends %d,u%d\n", u, g, (u+f*3+1)%users)
			}
			for c := range 1 + (u+g)%5 {
				fmt.Fprintf(&cb, "u%d,chats %d,1,u%d,,,\n", u, g, (u+c+2)%users)
			}
		}
		if u%4 == 0 {
			fmt.Fprintf(&fb, "u%d,empty,\n", u)
			fmt.Fprintf(&cb, "u%d,chats 0,1,u%d,,remove,\n", u, (u+2)%users)
			fmt.Fprintf(&cb, "u%d,chats 0,,,,rename,archive\n", u)
			fmt.Fprintf(&cb, "u%d,archive,2,,@TGS#_crash%d,,\n", u, u%9)
		}
	}
	for name, s := range map[string]string{"topics.csv": tb.String(), "friend_groups.csv": fb.String(), "contact_groups.csv": cb.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// normalState is an emulator state with generated TopicIds blanked and topics sorted by
// name: two runs of the same input compare equal however their IDs were generated.
func normalState(st chatsim.State) chatsim.State {
	for g, ts := range st.Topics {
		for i := range ts {
			if strings.Contains(ts[i].TopicId, chatapi.TopicMarker+"@TOPIC#c") {
				ts[i].TopicId = ""
			}
		}
		slices.SortFunc(ts, func(a, b chatsim.Topic) int { return strings.Compare(a.TopicName, b.TopicName) })
		st.Topics[g] = ts
	}
	return st
}

// TestRunCrash kills the real binary (SIGKILL) at several points of a run against an
// emulator with faults (lost answers among them), under every reading, reruns it until it
// finishes, and checks the result against one clean run under the default reading: the same
// state, nothing twice, nothing missing, true reports. Each rerun either resumes with the same
// checkpoint, or has lost it (a new --out each time): then it must read what the target holds
// instead of writing it again.
func TestRunCrash(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL semantics")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "chatmigrate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	crashInputs(t, in, 300, 60)

	// The reference: a clean in-process run against a fault-free emulator.
	ref := newSimServer(t, chatsim.Config{})
	if code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", ref.ts.URL, "--out", filepath.Join(dir, "ref"), in); code != exitOK {
		t.Fatalf("reference run: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Under each reading, the same input against an emulator with faults, killed and resumed.
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		for _, lost := range []bool{false, true} {
			name := "same_checkpoint"
			if lost {
				name = "checkpoint_lost"
			}
			t.Run(name, func(t *testing.T) { crashAndRerun(t, bin, in, ref, d, lost) })
		}
	})
}

// crashAndRerun is one case of TestRunCrash: kills and reruns under dialect d, each rerun with
// the same --out and checkpoint, or (lost) with a new one.
func crashAndRerun(t *testing.T, bin, in string, ref *simServer, d chatsim.Dialect, lost bool) {
	srv := newSimServer(t, chatsim.Config{Seed: 3, Dialect: d, Faults: chatsim.Faults{TransientRate: 0.05, AmbiguousRate: 0.03,
		LatencyMin: time.Millisecond, LatencyMax: 3 * time.Millisecond}})
	base := t.TempDir()
	runs := 0
	out := filepath.Join(base, "out")
	environ := []string{"TIM_SECRET_KEY=" + runKey, "TIM_SDKAPPID=" + strconv.Itoa(runApp), "TERM=dumb", "PATH=" + os.Getenv("PATH")}
	var outputs bytes.Buffer
	start := func() (*exec.Cmd, chan int) {
		if runs++; lost {
			out = filepath.Join(base, "out"+strconv.Itoa(runs))
		}
		args := []string{"run", "--endpoint", srv.ts.URL, "--out", out, "--rps", "250", "--concurrency", "16", in}
		cmd := exec.Command(bin, args...)
		cmd.Env = environ
		cmd.Stdout, cmd.Stderr = &outputs, &outputs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan int, 1)
		go func() {
			cmd.Wait()
			done <- cmd.ProcessState.ExitCode()
		}()
		return cmd, done
	}

	// Kill points: as soon as anything was sent, then after every further 120 requests.
	kills := 0
	for _, step := range []int64{1, 120, 120, 120} {
		cmd, done := start()
		target := srv.sim.Metrics().Total.Requests + step
		killed := false
	wait:
		for {
			select {
			case code := <-done:
				if !killed && code != exitOK {
					t.Fatalf("run exited %d on its own:\n%s", code, outputs.String())
				}
				break wait
			case <-time.After(time.Millisecond):
				if !killed && srv.sim.Metrics().Total.Requests >= target {
					cmd.Process.Kill()
					killed = true
				}
			}
		}
		if killed {
			kills++
		}
	}
	t.Logf("%d runs killed, %d answers lost", kills, srv.sim.Metrics().Total.Faults[chatsim.FaultAmbiguous])
	if kills < 2 {
		t.Fatalf("only %d of the runs were killed: the input is too small to test anything", kills)
	}
	finished := false
	for range 3 {
		_, done := start()
		if code := <-done; code == exitOK {
			finished = true
			break
		}
	}
	if !finished {
		t.Fatalf("the reruns did not finish:\n%s", outputs.String())
	}

	got, want := normalState(srv.sim.Dump()), normalState(ref.sim.Dump())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state after %d kills differs from a clean run's", kills)
		for g := range want.Topics {
			if !reflect.DeepEqual(got.Topics[g], want.Topics[g]) {
				t.Errorf("group %s: %d topics, want %d", g, len(got.Topics[g]), len(want.Topics[g]))
			}
		}
	}
	if srv.sim.Metrics().Total.Faults[chatsim.FaultAmbiguous] == 0 {
		t.Error("no answer was lost: the run proves nothing about settling requests in doubt")
	}
	checkNoDuplicates(t, srv.sim.Dump())
	checkCrashReports(t, in, out, srv.sim.Dump())
	checkNoCredentials(t, runKey, outputs.String(), out)
}

// checkCrashReports checks the reports of a finished, resumed run: no failure, one
// topic_ids.csv row per topic with the ID the target holds, and a summary accounting for
// every planned item.
func checkCrashReports(t *testing.T, in, out string, st chatsim.State) {
	t.Helper()
	if n := countLines(t, filepath.Join(out, "failures.csv")); n != 1 {
		t.Errorf("failures.csv has %d lines, want the header only", n)
	}
	f, err := os.Open(filepath.Join(out, "topic_ids.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	held := make(map[string]string) // GroupId + name → TopicId in the target
	for g, ts := range st.Topics {
		for _, tp := range ts {
			held[g+"\x00"+tp.TopicName] = tp.TopicId
		}
	}
	seen := make(map[string]bool)
	for _, r := range rows[1:] {
		k := r[0] + "\x00" + r[1]
		if seen[k] {
			t.Errorf("topic_ids.csv lists %s %q twice", r[0], r[1])
		}
		seen[k] = true
		if held[k] != r[2] {
			t.Errorf("topic_ids.csv: %s %q has ID %s, the target %s", r[0], r[1], r[2], held[k])
		}
	}
	if len(seen) != len(held) {
		t.Errorf("topic_ids.csv has %d topics, the target %d", len(seen), len(held))
	}

	var inputs sources.Inputs
	if err := inputs.AddDir(in); err != nil {
		t.Fatal(err)
	}
	p, err := migrate.BuildPlan(context.Background(), inputs, migrate.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sum migrate.Summary
	readJSON(t, filepath.Join(out, "summary.json"), &sum)
	for _, k := range sources.Kinds {
		ks := sum.Kinds[k]
		if ks.Failed != 0 || ks.Succeeded+ks.Skipped != p.Stats[k].Items {
			t.Errorf("%s: summary %+v does not account for %d items", k, ks, p.Stats[k].Items)
		}
	}
}
