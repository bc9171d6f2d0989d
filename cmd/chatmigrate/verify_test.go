package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim/simtest"
)

const (
	verifyApp = 1400000123
	verifyKey = "verify-cmd-test-key-0a1b2c3d4e5f"
)

// verifyEnv runs chatmigrate commands in-process against one emulator.
type verifyEnv struct {
	sim  *chatsim.Server
	url  string
	vars map[string]string
}

func newVerifyEnv(t *testing.T) *verifyEnv {
	t.Helper()
	return newVerifyEnvUnder(t, chatsim.Dialect{})
}

// newVerifyEnvUnder is newVerifyEnv with an emulator that follows dialect d.
func newVerifyEnvUnder(t *testing.T, d chatsim.Dialect) *verifyEnv {
	t.Helper()
	sim, err := chatsim.New(chatsim.Config{SDKAppID: verifyApp, Key: verifyKey, RPS: -1, PageSize: 3, Dialect: d})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &verifyEnv{sim: sim, url: ts.URL, vars: map[string]string{
		"TIM_SECRET_KEY": verifyKey, "TIM_SDKAPPID": strconv.Itoa(verifyApp), "TERM": "dumb"}}
}

// cmd runs "chatmigrate args..." and returns the exit code and both outputs.
func (v *verifyEnv) cmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	e := env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return v.vars[k] }}
	code := run(context.Background(), args, e)
	return code, stdout.String(), stderr.String()
}

// verifySummary is the part of verify_summary.json verify fills.
type verifySummary struct {
	Command  string `json:"command"`
	ExitCode int    `json:"exit_code"`
	Topics   struct {
		Checked, Equal, Missing, Extra, Differs int
	} `json:"topics"`
	FriendGroups struct {
		Checked, Equal, Missing, Extra, Differs int
	} `json:"friend_groups"`
}

func readVerifySummary(t *testing.T, dir string) verifySummary {
	t.Helper()
	var s verifySummary
	b, err := os.ReadFile(filepath.Join(dir, "verify_summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

const samplesDir = "../../samples"

// TestVerifyCommandRoundTrip: under every reading, verify after run finds everything equal;
// after tampering it finds what changed, and run of its missing files fills the gaps, to the
// same state whichever reading.
func TestVerifyCommandRoundTrip(t *testing.T) {
	same := simtest.NewSameTarget()
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		v := newVerifyEnvUnder(t, d)
		out := t.TempDir()
		if code, _, stderr := v.cmd("run", samplesDir, "--endpoint", v.url, "--out", out); code != exitOK {
			t.Fatalf("run: exit %d\n%s", code, stderr)
		}
		code, stdout, stderr := v.cmd("verify", samplesDir, "--endpoint", v.url, "--out", out)
		if code != exitOK {
			t.Fatalf("verify after run: exit %d\n%s\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "all equal") || !strings.Contains(stdout, "checked") {
			t.Errorf("stdout lacks the table or the verdict:\n%s", stdout)
		}
		s := readVerifySummary(t, out)
		if s.Command != "verify" || s.ExitCode != 0 || s.Topics.Checked == 0 || s.Topics.Equal != s.Topics.Checked ||
			s.FriendGroups.Equal != s.FriendGroups.Checked {
			t.Errorf("verify_summary.json: %+v", s)
		}
		// verify shares run's --out without touching run's reports.
		if _, err := os.Stat(filepath.Join(out, "topic_ids.csv")); err != nil {
			t.Errorf("run's topic_ids.csv: %v", err)
		}

		// Behind the migration's back: a topic and a friend group disappear, a field changes.
		const community = "@TGS#_@TGS#cQVLVHIM62CJ"
		v.sim.Tamper(func(s *chatsim.State) {
			s.Topics[community] = slices.DeleteFunc(s.Topics[community], func(tp chatsim.Topic) bool {
				return strings.HasSuffix(tp.TopicId, "@TOPIC#_general")
			})
			for i := range s.Topics[community] {
				if strings.HasSuffix(s.Topics[community][i].TopicId, "@TOPIC#_announce") {
					s.Topics[community][i].Notification = "changed"
				}
			}
			delete(s.FriendGroups["li.wei"], "家人")
		})
		code, stdout, stderr = v.cmd("verify", samplesDir, "--endpoint", v.url, "--out", out)
		if code != exitPartial {
			t.Fatalf("verify after tampering: exit %d, want %d\n%s\n%s", code, exitPartial, stdout, stderr)
		}
		s = readVerifySummary(t, out)
		if s.ExitCode != exitPartial || s.Topics.Missing != 1 || s.Topics.Differs != 1 || s.FriendGroups.Missing != 1 {
			t.Errorf("verify_summary.json after tampering: %+v", s)
		}
		diff, err := os.ReadFile(filepath.Join(out, "diff.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(diff, []byte("\n")); n != 4 { // header + 3 rows
			t.Errorf("diff.csv has %d lines, want 4:\n%s", n, diff)
		}

		// The missing files, fed to run, fill the gaps; the changed field stays a difference.
		out2 := t.TempDir()
		code, _, stderr = v.cmd("run", "--endpoint", v.url, "--out", out2,
			"--topics", filepath.Join(out, "missing_topics.jsonl"),
			"--friend-groups", filepath.Join(out, "missing_friend_groups.jsonl"))
		if code != exitOK {
			t.Fatalf("run of the missing files: exit %d\n%s", code, stderr)
		}
		v.sim.Tamper(func(s *chatsim.State) {
			for i := range s.Topics[community] {
				if s.Topics[community][i].Notification == "changed" {
					s.Topics[community][i].Notification = "每周五发布更新日志"
				}
			}
		})
		if code, stdout, stderr = v.cmd("verify", samplesDir, "--endpoint", v.url, "--out", out); code != exitOK {
			t.Fatalf("verify after refilling: exit %d\n%s\n%s", code, stdout, stderr)
		}
		checkNoDuplicates(t, v.sim.Dump())
		same.Check(t, v.sim.Dump())
	})
}

// TestVerifyCommandSim: verify --sim after run --sim, under each --sim-dialect preset, checks
// the emulator's saved state and finds it equal.
func TestVerifyCommandSim(t *testing.T) {
	eachReading(t, func(t *testing.T, spec string, d chatsim.Dialect) {
		v := newVerifyEnvUnder(t, d)
		out := t.TempDir()
		if code, _, stderr := v.cmd("run", samplesDir, "--sim", "--sim-dialect", spec, "--out", out); code != exitOK {
			t.Fatalf("run --sim: exit %d\n%s", code, stderr)
		}
		code, stdout, stderr := v.cmd("verify", samplesDir, "--sim", "--sim-dialect", spec, "--out", out)
		if code != exitOK {
			t.Fatalf("verify --sim after run --sim: exit %d\n%s\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stderr, "SIMULATION") || !strings.Contains(stderr, "emulator loaded from") {
			t.Errorf("stderr does not say it verifies the emulator's saved state:\n%s", stderr)
		}
		// Without run's state the emulator is empty: everything is missing.
		code, _, _ = v.cmd("verify", samplesDir, "--sim", "--sim-dialect", spec, "--out", t.TempDir())
		if code != exitPartial {
			t.Errorf("verify --sim on an empty emulator: exit %d, want %d", code, exitPartial)
		}
	})
}

func TestVerifyCommandErrors(t *testing.T) {
	v := newVerifyEnv(t)
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		vars map[string]string
		want int
	}{
		{"sample zero", []string{"--sample", "0"}, nil, exitUsage},
		{"sample above one", []string{"--sample", "1.5"}, nil, exitUsage},
		{"sample NaN", []string{"--sample", "NaN"}, nil, exitUsage},
		{"topic IDs file missing", []string{"--topic-ids", filepath.Join(out, "nope.csv")}, nil, exitUsage},
		{"no target", []string{"--endpoint", ""}, nil, exitUsage},
		{"wrong key is fatal", nil, map[string]string{"TIM_SECRET_KEY": "not-the-key-of-this-app-000000"}, exitFatal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := v.vars
			v.vars = map[string]string{}
			for k, val := range saved {
				v.vars[k] = val
			}
			for k, val := range tc.vars {
				v.vars[k] = val
			}
			defer func() { v.vars = saved }()
			args := append([]string{"verify", samplesDir, "--endpoint", v.url, "--out", out}, tc.args...)
			if code, stdout, stderr := v.cmd(args...); code != tc.want {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tc.want, stdout, stderr)
			}
		})
	}
}

// TestVerifyFlags: verify declares only the flags it reads. Those of run's that only a
// migration uses are unknown to it (exit 2), and its -h does not offer them.
func TestVerifyFlags(t *testing.T) {
	v := newVerifyEnv(t)
	code, _, help := v.cmd("verify", "-h")
	if code != exitOK {
		t.Fatalf("verify -h: exit %d\n%s", code, help)
	}
	for _, tc := range []struct{ flag, value string }{
		{"checkpoint", "ck.journal"},
		{"topic-path", "million_group_open_http_svc/import_topic"},
		{"retry-failed", ""},
		{"force", ""},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			if strings.Contains(help, "-"+tc.flag+" ") || strings.Contains(help, "-"+tc.flag+"\n") {
				t.Errorf("verify -h offers -%s:\n%s", tc.flag, help)
			}
			args := []string{"verify", samplesDir, "--endpoint", v.url, "--out", t.TempDir(), "--" + tc.flag}
			if tc.value != "" {
				args = append(args, tc.value)
			}
			code, _, stderr := v.cmd(args...)
			if code != exitUsage || !strings.Contains(stderr, "flag provided but not defined: -"+tc.flag) {
				t.Errorf("verify --%s: exit %d, want %d\n%s", tc.flag, code, exitUsage, stderr)
			}
		})
	}
}
