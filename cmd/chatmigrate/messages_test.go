package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// TestCredentialMessages: a credential that is wrong is named as given (the file, or the
// variable), and a bad UserSig is the UserSig's fault, never the key's, which such a run
// does not have; nothing of the credential itself is shown.
func TestCredentialMessages(t *testing.T) {
	s := newSimServer(t, chatsim.Config{})
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.csv")
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("topics.csv", "GroupId,TopicName\n@TGS#_a,one\n")
	sig := func(app uint64, key, admin string, ttl int) string {
		s, err := tencentyun.GenUserSig(int(app), key, admin, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	app := strconv.Itoa(runApp)
	otherKey := sig(runApp, "another-key-entirely-0000000000", "administrator", 86400)
	emptyKey := write("empty.key", "\n")
	garbageSig := write("garbage.sig", "not a usersig at all\n")
	for _, tc := range []struct {
		name    string
		vars    map[string]string
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{"empty key file", map[string]string{"TIM_SDKAPPID": app}, []string{"--secret-key-file", emptyKey}, exitUsage,
			[]string{"--secret-key-file " + emptyKey + " is empty"}, []string{"no secret key"}},
		{"empty usersig file", map[string]string{"TIM_SDKAPPID": app}, []string{"--usersig-file", emptyKey}, exitUsage,
			[]string{"--usersig-file " + emptyKey + " is empty: it should hold the UserSig"}, nil},
		{"garbage TIM_USERSIG", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": "garbage"}, nil, exitUsage,
			[]string{"TIM_USERSIG does not hold a UserSig"}, []string{"secret key", "TIM_SECRET_KEY", "garbage"}},
		{"garbage usersig file", map[string]string{"TIM_SDKAPPID": app}, []string{"--usersig-file", garbageSig}, exitUsage,
			[]string{garbageSig + " does not hold a UserSig"}, []string{"secret key", "not a usersig at all"}},
		{"usersig of another app", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": sig(1400000001, runKey, "administrator", 86400)}, nil, exitUsage,
			[]string{"the UserSig in TIM_USERSIG is not for SDKAppID " + app}, []string{"secret key"}},
		{"usersig of another admin", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": sig(runApp, runKey, "bob", 86400)}, nil, exitUsage,
			[]string{"not for identifier administrator"}, []string{"secret key"}},
		{"expired usersig", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": sig(runApp, runKey, "administrator", -10)}, nil, exitUsage,
			[]string{"the UserSig in TIM_USERSIG has expired"}, nil},
		{"usersig the server refuses", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": otherKey}, nil, exitFatal,
			[]string{"The UserSig from TIM_USERSIG was refused"}, []string{"Check TIM_SECRET_KEY", "the secret key does not belong"}},
		{"key the server refuses", map[string]string{"TIM_SDKAPPID": app, "TIM_SECRET_KEY": "wrong-key-wrong-key-0000"}, nil, exitFatal,
			[]string{"the secret key does not belong to this SDKAppID"}, []string{"The UserSig from"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--endpoint", s.ts.URL, "--out", filepath.Join(t.TempDir(), "out"), "--topics", topics}, tc.args...)
			code, stdout, stderr := runCmd(t, tc.vars, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not hold %q:\n%s", w, stderr)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(stderr, w) {
					t.Errorf("stderr holds %q:\n%s", w, stderr)
				}
			}
			if v := tc.vars["TIM_USERSIG"]; len(v) > 20 && strings.Contains(stdout+stderr, v) {
				t.Error("the UserSig reached the output")
			}
		})
	}
}

// TestSimInterruptedNoResume: an interrupted --sim run does not promise a resume: the
// emulator's state went with the process.
func TestSimInterruptedNoResume(t *testing.T) {
	dir := t.TempDir()
	crashInputs(t, dir, 300, 30)
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // interrupt once the run is sending: its checkpoint is open by then
		for {
			if _, err := os.Stat(filepath.Join(out, SimCheckpoint)); err == nil {
				time.Sleep(200 * time.Millisecond)
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	e, stdout, stderr := testEnv(map[string]string{"TERM": "dumb"})
	code := run(ctx, []string{"run", "--sim", "--sim-latency", "5ms", "--rps", "50", "--out", out, dir}, e)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, stdout, stderr)
	}
	got := stderr.String()
	if !strings.Contains(got, "interrupted\n") || !strings.Contains(got, "there is nothing to resume") {
		t.Errorf("stderr does not say the rehearsal cannot be resumed:\n%s", got)
	}
	if strings.Contains(got, "to resume") && !strings.Contains(got, "nothing to resume") || strings.Contains(got, "checkpoint "+filepath.Join(out, SimCheckpoint)+" is saved") {
		t.Errorf("stderr promises a resume:\n%s", got)
	}
}

// TestVerifyInterruptedSaysHowFar: an interrupted verify says how much it read back of
// all, and its summary does not claim it read back everything.
func TestVerifyInterruptedSaysHowFar(t *testing.T) {
	srv := newSimServer(t, chatsim.Config{Faults: chatsim.Faults{LatencyMin: 5 * time.Millisecond, LatencyMax: 5 * time.Millisecond}})
	dir := t.TempDir()
	crashInputs(t, dir, 200, 60)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for srv.sim.Metrics().Total.Requests < 10 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	e, stdout, stderr := testEnv(credEnv(runKey))
	code := run(ctx, []string{"verify", "--endpoint", srv.ts.URL, "--rps", "100", "--concurrency", "2", "--out", filepath.Join(dir, "out"), dir}, e)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, stdout, stderr)
	}
	got := stderr.String()
	i := strings.Index(got, "interrupted after reading back ")
	if i < 0 {
		t.Fatalf("stderr does not say how far verify got:\n%s", got)
	}
	var done, total int
	if _, err := fmt.Sscanf(got[i:], "interrupted after reading back %d of %d groups and users", &done, &total); err != nil || done >= total || total == 0 {
		t.Errorf("interrupted after %d of %d (%v), want part of all:\n%s", done, total, err, got)
	}
	if strings.Contains(stdout.String(), "read back everything") || !strings.Contains(stdout.String(), "part of the input (interrupted)") {
		t.Errorf("the summary claims everything was read:\n%s", stdout)
	}
}

// TestEmptyInputWarns: every command warns of an input file that holds no record, by name.
func TestEmptyInputWarns(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "topics.csv"), []byte("GroupId,TopicName\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "friend_groups.jsonl"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "contact_groups.csv"), []byte("From_Account,GroupName,Type,To_Account,ToGroupId\nu,g,1,v,\n"), 0o644)
	for _, cmd := range []string{"validate", "run"} {
		t.Run(cmd, func(t *testing.T) {
			args := []string{cmd, dir, "--out", filepath.Join(t.TempDir(), "out")}
			if cmd == "run" {
				args = append(args, "--sim")
			}
			e, _, stderr := testEnv(map[string]string{"TERM": "dumb"})
			run(context.Background(), args, e)
			got := stderr.String()
			for _, f := range []string{"topics.csv", "friend_groups.jsonl"} {
				if !strings.Contains(got, "warning: "+filepath.Join(dir, f)+" holds no ") {
					t.Errorf("no warning names %s:\n%s", f, got)
				}
			}
			if strings.Contains(got, "contact_groups.csv holds no") {
				t.Errorf("a file with a record is warned of:\n%s", got)
			}
		})
	}
}

// TestGenRefusesOverwrite: gen keeps files already in --out unless --force.
func TestGenRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	gen := func(extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"gen", "--out", dir, "--topics", "20", "--friend-memberships", "30", "--contact-memberships", "20"}, extra...)
		code := run(context.Background(), args, env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
		return code, stderr.String()
	}
	if code, stderr := gen(); code != exitOK {
		t.Fatalf("first gen: exit %d\n%s", code, stderr)
	}
	path := filepath.Join(dir, "topics.csv")
	if err := os.WriteFile(path, []byte("GroupId,TopicName\n@TGS#_mine,kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stderr := gen("--seed", "2")
	if code != exitUsage || !strings.Contains(stderr, path) || !strings.Contains(stderr, "already exists: pass --force") {
		t.Fatalf("second gen: exit %d, want %d naming %s\n%s", code, exitUsage, path, stderr)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "kept") {
		t.Fatal("the refused gen changed topics.csv")
	}
	if code, stderr := gen("--seed", "2", "--force"); code != exitOK {
		t.Fatalf("gen --force: exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "kept") {
		t.Error("gen --force did not overwrite topics.csv")
	}
	// A format whose files are not there yet is no overwrite.
	if code, stderr := gen("--format", "jsonl"); code != exitOK {
		t.Fatalf("gen --format jsonl beside the CSV files: exit %d\n%s", code, stderr)
	}
}
