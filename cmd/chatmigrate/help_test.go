package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/cmd/internal/buildinfo"
)

// TestCommandHelp: every command's -h starts with its usage line and one sentence, then
// lists its flags; 'chatmigrate help CMD' prints the same on stdout, and 'chatmigrate help'
// the overview.
func TestCommandHelp(t *testing.T) {
	for _, cmd := range []string{"validate", "run", "verify", "gen", "report"} {
		t.Run(cmd, func(t *testing.T) {
			e, stdout, stderr := testEnv(nil)
			if code := run(context.Background(), []string{cmd, "-h"}, e); code != exitOK {
				t.Fatalf("%s -h: exit %d\n%s", cmd, code, stderr)
			}
			help := stderr.String()
			lines := strings.Split(help, "\n")
			if len(lines) < 3 || !strings.HasPrefix(lines[0], "usage: chatmigrate "+cmd) || lines[1] != "" {
				t.Fatalf("%s -h does not start with a usage line and a blank line:\n%s", cmd, help)
			}
			sentence := lines[2]
			if !strings.HasSuffix(sentence, ".") || strings.Count(strings.TrimSuffix(sentence, "."), ". ") > 0 ||
				len(lines) > 3 && lines[3] != "" {
				t.Errorf("%s -h: the line after the usage is not one sentence on its own: %q", cmd, sentence)
			}
			if stdout.Len() != 0 {
				t.Errorf("%s -h wrote to stdout: %q", cmd, stdout)
			}

			e2, stdout2, stderr2 := testEnv(nil)
			if code := run(context.Background(), []string{"help", cmd}, e2); code != exitOK {
				t.Fatalf("help %s: exit %d\n%s", cmd, code, stderr2)
			}
			if stdout2.String() != help || stderr2.Len() != 0 {
				t.Errorf("help %s printed\n%s\n(stderr %q), want on stdout what %s -h prints:\n%s", cmd, stdout2, stderr2, cmd, help)
			}
		})
	}
	t.Run("overview", func(t *testing.T) {
		e, stdout, _ := testEnv(nil)
		if code := run(context.Background(), []string{"help"}, e); code != exitOK || stdout.String() != usage {
			t.Fatalf("help: exit %d, printed %q", code, stdout)
		}
		if !strings.Contains(usage, "chatmigrate help COMMAND") || !strings.Contains(usage, "--version") {
			t.Errorf("the overview does not point at help COMMAND and --version:\n%s", usage)
		}
	})
	t.Run("unknown command", func(t *testing.T) {
		e, stdout, stderr := testEnv(nil)
		if code := run(context.Background(), []string{"help", "nope"}, e); code != exitUsage || stdout.Len() != 0 ||
			!strings.Contains(stderr.String(), `not "nope"`) {
			t.Fatalf("help nope: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

// TestVerifyHelpFlags: verify's help lists the tuning flags it reads, the outage patience
// among them, and none of run's own (TestVerifyFlags checks those are refused).
func TestVerifyHelpFlags(t *testing.T) {
	e, stdout, stderr := testEnv(nil)
	run(context.Background(), []string{"help", "verify"}, e)
	help := stdout.String()
	for _, f := range []string{"-outage-after", "-timeout", "-rps", "-concurrency", "-sample", "-topic-ids", "-endpoint"} {
		if !strings.Contains(help, "  "+f+" ") {
			t.Errorf("verify's help does not list %s:\n%s", f, help)
		}
	}
	for _, f := range []string{"-checkpoint", "-retry-failed", "-topic-path", "-force"} {
		if strings.Contains(help, "  "+f+" ") || strings.Contains(help, "  "+f+"\n") {
			t.Errorf("verify's help lists run's %s", f)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("help verify wrote to stderr: %q", stderr)
	}
}

func TestVersion(t *testing.T) {
	t.Run("flag", func(t *testing.T) {
		want := buildinfo.Of("chatmigrate") + "\n"
		for _, arg := range []string{"--version", "-version", "version"} {
			e, stdout, stderr := testEnv(nil)
			if code := run(context.Background(), []string{arg}, e); code != exitOK || stdout.String() != want || stderr.Len() != 0 {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q", arg, code, stdout, stderr, want)
			}
		}
	})
}

// TestFlagErrors: a bad flag is told once, naming the flag, with an example of it given
// right and where the flags are listed, without the whole help after it.
func TestFlagErrors(t *testing.T) {
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.csv")
	if err := os.WriteFile(topics, []byte("GroupId,TopicName\n@TGS#_a,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	creds := credEnv(runKey)
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"duration", []string{"run", "--timeout", "5"}, []string{`invalid value "5" for flag -timeout`, "for example: --timeout 5s"}},
		{"number", []string{"run", "--rps", "fast"}, []string{"-rps", "for example: --rps 100"}},
		{"integer", []string{"verify", "--concurrency", "many"}, []string{"-concurrency", "for example: --concurrency 32"}},
		{"outage patience", []string{"run", "--outage-after", "60"}, []string{"-outage-after", "for example: --outage-after 60s"}},
		{"missing value", []string{"validate", "--out"}, []string{"flag needs an argument: -out", "for example: --out chatmigrate-out"}},
		{"switch", []string{"run", "--force=maybe"}, []string{"-force", "--force is a switch"}},
		{"unknown", []string{"gen", "--bogus"}, []string{"flag provided but not defined: -bogus", "see 'chatmigrate help gen'"}},
		{"rps checked", []string{"run", "--sim", "--rps", "-1", "--topics", topics}, []string{"--rps must be a positive number, e.g. --rps 100"}},
		{"timeout checked", []string{"run", "--sim", "--timeout", "-1s", "--topics", topics}, []string{"--timeout 5s"}},
		{"concurrency checked", []string{"run", "--sim", "--concurrency", "0", "--topics", topics}, []string{"--concurrency 32"}},
		{"outage checked", []string{"verify", "--sim", "--outage-after", "0s", "--topics", topics}, []string{"--outage-after 60s"}},
		{"endpoint", []string{"run", "--endpoint", "127.0.0.1:18765", "--out", filepath.Join(dir, "out"), "--topics", topics},
			[]string{`--endpoint "127.0.0.1:18765"`, "for example --endpoint http://127.0.0.1:18765"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, _, stderr := testEnv(creds)
			if code := run(context.Background(), tt.args, e); code != exitUsage {
				t.Fatalf("exit %d, want %d\n%s", code, exitUsage, stderr)
			}
			got := stderr.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("stderr does not hold %q:\n%s", w, got)
				}
			}
			if strings.Count(got, "chatmigrate: ") != 1 || strings.Contains(got, "usage:") {
				t.Errorf("the error is not told once, or the whole help follows it:\n%s", got)
			}
		})
	}
}

// TestOutageAfterFlag: with nothing listening at the endpoint, run stops as an outage once
// --outage-after has passed without an answer, says so naming the flag, and fails no item.
func TestOutageAfterFlag(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connections to it are refused from now on
	dir := t.TempDir()
	crashInputs(t, dir, 40, 10)
	out := filepath.Join(dir, "out")
	t0 := time.Now()
	code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", "http://"+addr, "--out", out,
		"--outage-after", "1500ms", "--timeout", "1s", dir)
	took := time.Since(t0)
	if code != exitFatal {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFatal, stdout, stderr)
	}
	if took < 1500*time.Millisecond || took > 20*time.Second {
		t.Errorf("stopped after %v, want soon after the 1.5s of patience", took)
	}
	for _, w := range []string{"has not answered any request for ", "raise --outage-after", "Nothing was recorded as failed"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr does not hold %q:\n%s", w, stderr)
		}
	}
	var sum map[string]any
	readJSON(t, filepath.Join(out, "summary.json"), &sum)
	for _, k := range []string{"topics", "friend_groups", "contact_groups"} {
		ks, ok := sum[k].(map[string]any)
		if !ok {
			t.Fatalf("summary.json has no %s: %v", k, sum)
		}
		if f := ks["failed"]; f != 0.0 {
			t.Errorf("%s: %v items failed in an outage, want none", k, f)
		}
	}
}
