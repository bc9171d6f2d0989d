package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// planErr returns buildPlan's error for topics files holding content (nil: the file is
// not there), read with ctx.
func planErr(t *testing.T, ctx context.Context, content *string) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "topics.csv")
	if content != nil {
		if err := os.WriteFile(path, []byte(*content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := buildPlan(ctx, &inputOptions{inputs: sources.Inputs{Topics: []string{path}}}, t.TempDir(), io.Discard, nil, nil)
	if err == nil {
		t.Fatal("buildPlan: no error")
	}
	return err
}

// TestExitCode pins the one mapping from a command's error to its exit code.
func TestExitCode(t *testing.T) {
	badHeader := "GroupId,Name\n@TGS#_a,x\n"
	fine := "GroupId,TopicName\n@TGS#_a,x\n"
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, exitOK},
		{"help", usageErr(flag.ErrHelp), exitOK},
		{"usage", usageErr(errors.New("--rps must be a positive number")), exitUsage},
		{"missing input file", planErr(t, context.Background(), nil), exitUsage},
		{"unreadable input file", &planError{err: fmt.Errorf("open x: %w", fs.ErrPermission)}, exitUsage},
		{"bad header", planErr(t, context.Background(), &badHeader), exitUsage},
		{"bad header, worded by run", fmt.Errorf("%w\nnothing was sent", planErr(t, context.Background(), &badHeader)), exitUsage},
		{"checkpoint of an older format", fmt.Errorf("open: %w", &checkpoint.VersionError{Got: 1, Want: checkpoint.FormatVersion}), exitUsage},
		{"interrupted while planning", planErr(t, cancelled, &fine), exitInterrupted},
		{"interrupted, worded", reword(planErr(t, cancelled, &fine), "interrupted while reading the input"), exitInterrupted},
		{"interrupted while sending", fmt.Errorf("topics: %w", context.Canceled), exitInterrupted},
		{"fatal", errors.New("a journal write failed"), exitFatal},
		{"fatal answer", fmt.Errorf("run: %w", &pacer.FatalError{Err: &chatapi.Error{Code: chatapi.CodeSigWrongKey}}), exitFatal},
		{"outage that ended in the interruption", &pacer.FatalError{Err: &chatapi.Error{Err: context.Canceled}, Outage: 8}, exitFatal},
		{"input error that is not a missing file", &planError{err: errors.New("gzip: invalid header")}, exitFatal},
		{"local file missing, not an input", fmt.Errorf("open checkpoint: %w", fs.ErrNotExist), exitFatal},
		{"partial", &exitError{code: exitPartial}, exitPartial},
		{"partial, with a message", &exitError{code: exitPartial, err: errors.New("some items failed")}, exitPartial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Fatalf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

// TestRunPrints: run prints a command's error once, and nothing for -h or for an end the
// command has told already.
func TestRunPrints(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		errors int    // lines that start with "chatmigrate: "
		stderr string // all of stderr, when not ""
	}{
		{"no command", nil, exitUsage, 0, usage},
		{"unknown command", []string{"nope"}, exitUsage, 1, "chatmigrate: unknown command \"nope\"\n\n" + usage},
		{"help flag", []string{"validate", "-h"}, exitOK, 0, ""},
		{"usage error", []string{"validate", "--topics", "x.txt"}, exitUsage, 1, ""},
		{"told already", []string{"validate", "--topics", "../../samples/bad/topics.csv"}, exitPartial, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, stderr := testEnv(nil)
			args := tt.args
			if len(args) > 0 && args[0] == "validate" {
				args = append(args, "--out", t.TempDir())
			}
			code := run(context.Background(), args, e)
			got := stderr.String()
			if code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.code, got)
			}
			n := 0
			for _, line := range strings.Split(got, "\n") {
				if strings.HasPrefix(line, "chatmigrate: ") {
					n++
				}
			}
			if n != tt.errors {
				t.Errorf("%d error lines, want %d:\n%s", n, tt.errors, got)
			}
			if tt.stderr != "" && got != tt.stderr {
				t.Errorf("stderr:\n%q\nwant:\n%q", got, tt.stderr)
			}
		})
	}
}
