package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCmdReport(t *testing.T) {
	runDir := func(t *testing.T) string {
		dir := t.TempDir()
		files := map[string]string{
			"summary.json": `{"command":"run","started":"2026-12-01T10:00:00Z","finished":"2026-12-01T10:05:00Z","exit_code":3,
"topics":{"records":3,"succeeded":2,"failed":1}}`,
			"failures.csv":  "kind,source,line,From_Account,GroupId,GroupName,To_Account,ToGroupId,TopicName,code,message\ntopics,t.csv,4,,@TGS#_c,,,,x,10021,exists\n",
			"metrics.jsonl": `{"time":"2026-12-01T10:00:00Z","endpoint":"group_open_http_svc/import_topic","requests":3,"ok":2,"failed":1,"hist":[[9215,3]]}` + "\n",
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	tests := []struct {
		name       string
		args       func(t *testing.T) []string
		wantCode   int
		wantStderr string
		wantPage   bool
	}{
		{"rebuilds the page", func(t *testing.T) []string { return []string{runDir(t)} }, exitOK, "", true},
		{"help", func(*testing.T) []string { return []string{"-h"} }, exitOK,
			"usage: chatmigrate report OUT\n\nRebuild OUT/report.html", false},
		{"no directory", func(*testing.T) []string { return nil }, exitUsage, "give one directory", false},
		{"two directories", func(t *testing.T) []string { return []string{t.TempDir(), t.TempDir()} }, exitUsage, "give one directory", false},
		{"missing directory", func(t *testing.T) []string { return []string{filepath.Join(t.TempDir(), "gone")} }, exitUsage, "gone", false},
		{"a directory without reports", func(t *testing.T) []string { return []string{t.TempDir()} }, exitUsage, "no reports", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args(t)
			var stdout, stderr bytes.Buffer
			err := cmdReport(context.Background(), args, env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
			if err != nil {
				say(&stderr, err)
			}
			if got := exitCode(err); got != tt.wantCode {
				t.Errorf("exit code %d, want %d (err %v)", got, tt.wantCode, err)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want it to hold %q", stderr.String(), tt.wantStderr)
			}
			if !tt.wantPage {
				return
			}
			page, err := os.ReadFile(filepath.Join(args[0], "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"chatmigrate run report", `data-code="10021"`, `class="chart rate"`} {
				if !bytes.Contains(page, []byte(want)) {
					t.Errorf("report.html lacks %q", want)
				}
			}
			if want := "wrote " + filepath.Join(args[0], "report.html"); !strings.Contains(stdout.String(), want) {
				t.Errorf("stdout %q, want %q", stdout.String(), want)
			}
		})
	}
}
