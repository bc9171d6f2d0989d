package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim/simtest"
)

const (
	runApp = 1400000099
	runKey = "run-test-secret-key-7f3a9c0d11e2b4"
)

// simServer is an emulator behind an httptest server.
type simServer struct {
	sim *chatsim.Server
	ts  *httptest.Server
}

func newSimServer(t *testing.T, cfg chatsim.Config) *simServer {
	t.Helper()
	cfg.SDKAppID, cfg.Key = runApp, runKey
	if cfg.RPS == 0 {
		cfg.RPS = -1
	}
	sim, err := chatsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &simServer{sim: sim, ts: ts}
}

// testEnv is the process environment of an in-process run.
func testEnv(vars map[string]string) (env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }}, &stdout, &stderr
}

// credEnv holds the test app's credentials.
func credEnv(key string) map[string]string {
	return map[string]string{"TIM_SECRET_KEY": key, "TIM_SDKAPPID": strconv.Itoa(runApp), "TERM": "dumb"}
}

// runCmd runs "chatmigrate run args..." in-process.
func runCmd(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	e, o, eb := testEnv(vars)
	code = run(context.Background(), append([]string{"run"}, args...), e)
	return code, o.String(), eb.String()
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// TestRunSamples: under every reading, a run of the samples leaves the same target state, no
// topic twice, no two conversation groups of one name, and true reports.
func TestRunSamples(t *testing.T) {
	same := simtest.NewSameTarget()
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		srv := newSimServer(t, chatsim.Config{Dialect: d})
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "../../samples")
		if code != exitOK {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		st := srv.sim.Dump()
		checkNoDuplicates(t, st)
		same.Check(t, st)
		topics := 0
		for _, ts := range st.Topics {
			topics += len(ts)
		}
		if topics != 18 || len(st.FriendGroups) == 0 || len(st.ContactGroups) == 0 {
			t.Fatalf("state after samples: %d topics, %d users with friend groups, %d with conversation groups",
				topics, len(st.FriendGroups), len(st.ContactGroups))
		}
		if n := countLines(t, filepath.Join(out, "topic_ids.csv")); n != 19 {
			t.Errorf("topic_ids.csv: %d lines, want 19", n)
		}
		var sum map[string]any
		readJSON(t, filepath.Join(out, "summary.json"), &sum)
		if sum["exit_code"] != 0.0 || sum["command"] != "run" || strings.Contains(fmt.Sprint(sum["target"]), runKey) {
			t.Errorf("summary.json: %v", sum)
		}
		if !strings.Contains(stdout, "topics") || !strings.Contains(stdout, "succeeded") {
			t.Errorf("no summary table on stdout:\n%s", stdout)
		}
		checkCrashReports(t, "../../samples", out, st)
		checkNoSpool(t, out)
	})
}

// TestRunSim: run --sim under each --sim-dialect preset sends what the plan estimates and
// saves the same emulator state.
func TestRunSim(t *testing.T) {
	same := simtest.NewSameTarget()
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCmd(t, map[string]string{}, "--sim", "--sim-dialect", spec, "--out", out, "../../samples")
		if code != exitOK {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stderr, "SIMULATION") || !strings.Contains(stderr, "nothing is sent to Tencent Cloud") {
			t.Errorf("no simulation banner on stderr:\n%s", stderr)
		}
		var st chatsim.State
		readJSON(t, filepath.Join(out, "sim_state.json"), &st)
		if len(st.Topics) == 0 {
			t.Error("sim_state.json holds no topics")
		}
		checkNoDuplicates(t, st)
		same.Check(t, st)
		var m chatsim.Metrics
		readJSON(t, filepath.Join(out, "sim_metrics.json"), &m)
		// The emulator starts empty: a clean run sends exactly the requests the plan estimates.
		var sum map[string]any
		readJSON(t, filepath.Join(out, "summary.json"), &sum)
		planned := 0.0
		for _, k := range []string{"topics", "friend_groups", "contact_groups"} {
			planned += sum[k].(map[string]any)["requests"].(float64)
		}
		if float64(m.Total.Requests) != planned || planned == 0 {
			t.Errorf("sim_metrics.json: %d requests, want the %v planned", m.Total.Requests, planned)
		}
		// The emulator's key is random and unknown here; no UserSig may show anywhere either.
		checkNoCredentials(t, "\x00no key to look for\x00", stdout+stderr, out)
	})
}

func TestRunUsage(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.csv")
	if err := os.WriteFile(topics, []byte("GroupId,TopicName\n@TGS#_a,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other_topics.csv")
	if err := os.WriteFile(other, []byte("GroupId,TopicName\n@TGS#_a,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(dir, "ck")
	noKey := credEnv("")
	tests := []struct {
		name   string
		vars   map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no target", credEnv(runKey), []string{"--topics", topics}, exitUsage, "--sim"},
		{"two targets", credEnv(runKey), []string{"--topics", topics, "--sim", "--endpoint", srv.ts.URL}, exitUsage, "only one"},
		{"no key", noKey, []string{"--topics", topics, "--endpoint", srv.ts.URL}, exitUsage, "TIM_SECRET_KEY"},
		{"no sdkappid", map[string]string{"TIM_SECRET_KEY": runKey}, []string{"--topics", topics, "--endpoint", srv.ts.URL}, exitUsage, "TIM_SDKAPPID"},
		{"bad region", credEnv(runKey), []string{"--topics", topics, "--region", "atlantis"}, exitUsage, "region"},
		{"plain http afar", credEnv(runKey), []string{"--topics", topics, "--endpoint", "http://example.com"}, exitUsage, "http"},
		{"bad rps", credEnv(runKey), []string{"--topics", topics, "--sim", "--rps", "-1"}, exitUsage, "--rps"},
		{"bad concurrency", credEnv(runKey), []string{"--topics", topics, "--sim", "--concurrency", "0"}, exitUsage, "--concurrency"},
		{"first run", credEnv(runKey), []string{"--topics", topics, "--endpoint", srv.ts.URL, "--checkpoint", ck}, exitOK, ""},
		// Any input resumes a checkpoint (it knows units by content); --force is a no-op now.
		{"changed input", credEnv(runKey), []string{"--topics", other, "--endpoint", srv.ts.URL, "--checkpoint", ck}, exitOK, "resuming from"},
		{"forced", credEnv(runKey), []string{"--topics", other, "--endpoint", srv.ts.URL, "--checkpoint", ck, "--force"}, exitOK, "--force is no longer needed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--out", filepath.Join(dir, "out")}, tt.args...)
			code, stdout, stderr := runCmd(t, tt.vars, args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr must hold %q:\n%s\nstdout:\n%s", code, tt.code, tt.stderr, stderr, stdout)
			}
		})
	}
}

func TestRunWrongKey(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{})
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, credEnv("the-wrong-key-0123456789abcdef"), "--endpoint", srv.ts.URL,
		"--out", out, "--concurrency", "5", "../../samples")
	if code != exitFatal {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"70009", "secret key", "TIM_SECRET_KEY", "--checkpoint", filepath.Join(out, DefaultCheckpoint)} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := srv.sim.Metrics().Total.Requests; n > 5 {
		t.Errorf("%d requests after a wrong key, want at most --concurrency 5", n)
	}
	var sum map[string]any
	readJSON(t, filepath.Join(out, "summary.json"), &sum)
	if sum["exit_code"] != float64(exitFatal) {
		t.Errorf("summary.json exit_code %v", sum["exit_code"])
	}
	checkNoSpool(t, out)

	// The same command with the right key resumes and finishes.
	code, stdout, stderr = runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "../../samples")
	if code != exitOK {
		t.Fatalf("rerun: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// failWorld is a strict world in which some sample-like rows fail at the API.
func failWorld(t *testing.T, dir string) string {
	w := chatsim.World{
		Communities: []chatsim.Community{{GroupId: "@TGS#_ok", Topics: true}, {GroupId: "@TGS#_flat"}},
		Users:       []string{"alice", "bob", "carol"},
		Friends:     map[string][]string{"alice": {"bob"}},
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "world.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunFailuresReadBack: under every reading, items the API refuses land in failures.csv and
// failed_<kind>.jsonl with their line and code, and failed_topics.jsonl is an input again.
func TestRunFailuresReadBack(t *testing.T) {
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		dir := t.TempDir()
		world, err := chatsim.LoadWorld(failWorld(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		srv := newSimServer(t, chatsim.Config{World: world, Dialect: d})
		topics := filepath.Join(dir, "topics.csv")
		friends := filepath.Join(dir, "friend_groups.csv")
		os.WriteFile(topics, []byte("GroupId,TopicName\n@TGS#_ok,fine\n@TGS#_flat,no topics here\n"), 0o644)
		os.WriteFile(friends, []byte("From_Account,GroupName,To_Account\nalice,g,bob\nalice,g,carol\n"), 0o644)
		out := filepath.Join(dir, "out")
		code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out,
			"--topics", topics, "--friend-groups", friends)
		if code != exitPartial {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		failures, _ := os.ReadFile(filepath.Join(out, "failures.csv"))
		for _, want := range []string{
			"topics," + topics + ",3,,@TGS#_flat,,,,no topics here,11000,",
			"friend_groups," + friends + ",3,alice,,g,carol,,,32216,",
		} {
			if !strings.Contains(string(failures), want) {
				t.Errorf("failures.csv lacks %q:\n%s", want, failures)
			}
		}
		failedTopics := filepath.Join(out, "failed_topics.jsonl")
		if got, _ := os.ReadFile(failedTopics); string(got) != `{"GroupId":"@TGS#_flat","TopicName":"no topics here"}`+"\n" {
			t.Errorf("failed_topics.jsonl: %q", got)
		}
		if got, _ := os.ReadFile(filepath.Join(out, "failed_friend_groups.jsonl")); string(got) != `{"From_Account":"alice","GroupName":"g","To_Account":["carol"]}`+"\n" {
			t.Errorf("failed_friend_groups.jsonl: %q", got)
		}

		out2 := filepath.Join(dir, "out2")
		code, stdout, stderr = runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out2, "--topics", failedTopics)
		if code != exitPartial {
			t.Fatalf("read back: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		failures, _ = os.ReadFile(filepath.Join(out2, "failures.csv"))
		if want := "topics," + failedTopics + ",1,,@TGS#_flat,,,,no topics here,11000,"; !strings.Contains(string(failures), want) {
			t.Errorf("read back failures.csv lacks %q:\n%s", want, failures)
		}
		var sum map[string]map[string]any
		b, _ := os.ReadFile(filepath.Join(out2, "summary.json"))
		json.Unmarshal(b, &sum)
		if sum["topics"]["records"] != 1.0 || sum["topics"]["failed"] != 1.0 {
			t.Errorf("read back summary: %s", b)
		}
	})
}

// TestRunInterrupted: under every reading, Ctrl-C (ctx cancelled) stops new work, lets
// requests in flight finish, writes the summary and exits 130; the same command then finishes
// the job.
func TestRunInterrupted(t *testing.T) {
	same := simtest.NewSameTarget()
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		srv := newSimServer(t, chatsim.Config{Dialect: d, Faults: chatsim.Faults{LatencyMin: 2 * time.Millisecond, LatencyMax: 4 * time.Millisecond}})
		dir := t.TempDir()
		crashInputs(t, dir, 200, 40)
		out := filepath.Join(dir, "out")
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for srv.sim.Metrics().Total.Requests < 40 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		e, stdout, stderr := testEnv(credEnv(runKey))
		code := run(ctx, []string{"run", "--endpoint", srv.ts.URL, "--out", out, "--rps", "100", dir}, e)
		if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, stdout, stderr)
		}
		var sum map[string]any
		readJSON(t, filepath.Join(out, "summary.json"), &sum)
		if sum["exit_code"] != float64(exitInterrupted) {
			t.Errorf("summary.json exit_code %v", sum["exit_code"])
		}
		code, so, se := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, dir)
		if code != exitOK {
			t.Fatalf("rerun: exit %d\n%s\n%s", code, so, se)
		}
		checkNoDuplicates(t, srv.sim.Dump())
		same.Check(t, srv.sim.Dump())
		checkCrashReports(t, dir, out, srv.sim.Dump())
		if n := countLines(t, filepath.Join(out, "topic_ids.csv")); n != 201 {
			t.Errorf("topic_ids.csv: %d lines, want 201", n)
		}
	})
}
