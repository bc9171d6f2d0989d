package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestGen(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		code  int
		files []string
	}{
		{"csv", []string{"--topics", "50", "--friend-memberships", "300", "--contact-memberships", "200"}, exitOK,
			[]string{"topics.csv", "friend_groups.csv", "contact_groups.csv"}},
		{"jsonl without topics", []string{"--format", "jsonl", "--topics", "0", "--sorted"}, exitOK,
			[]string{"friend_groups.jsonl", "contact_groups.jsonl"}},
		{"bad format", []string{"--format", "xml"}, exitUsage, nil},
		{"impossible", []string{"--friend-memberships", "7000", "--users", "1"}, exitUsage, nil},
		{"stray argument", []string{"extra"}, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"gen", "--out", dir}, tt.args...),
				env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(tt.files) {
				t.Errorf("%d files, want %v", len(entries), tt.files)
			}
			for _, f := range tt.files {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s: %v", f, err)
				}
			}
		})
	}
	t.Run("out required", func(t *testing.T) {
		var stderr bytes.Buffer
		if code := run(context.Background(), []string{"gen"}, env{stdout: &stderr, stderr: &stderr}); code != exitUsage {
			t.Fatalf("exit %d, want %d", code, exitUsage)
		}
	})
}
