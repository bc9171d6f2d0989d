package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

func TestHelpListsTheDialect(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	help := stderr.String()
	want := []string{"-dialect", "strictest", "silent", "default"}
	for _, o := range chatsim.DialectOptions() {
		want = append(want, "-"+o.Name)
		want = append(want, o.Values...)
	}
	for _, w := range want {
		if !strings.Contains(help, w) {
			t.Errorf("-h does not mention %q", w)
		}
	}
}

func TestDialectFlags(t *testing.T) {
	world := filepath.Join(t.TempDir(), "world.json")
	if err := os.WriteFile(world, []byte(`{"Lenient":true,"Dialect":{"CreateExisting":"duplicate","LostAnswer":"nothing"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"-sdkappid", "1", "-key", "k"}
	tests := []struct {
		name    string
		args    []string
		want    []string // substrings of the resolved dialect's String
		wantErr string
	}{
		{"default", nil, []string{"group-add-existing=merge", "lost-answer=applied"}, ""},
		{"preset", []string{"-dialect", "strictest"}, []string{"group-add-existing=refuse", "create-existing=duplicate", "group-item-first-page-only=true"}, ""},
		{"preset with an option in the value", []string{"-dialect", "silent,lost-answer=applied"}, []string{"group-add-existing=ignore", "lost-answer=applied"}, ""},
		{"option flags on top, in any order", []string{"-lost-answer", "nothing", "-dialect", "strictest", "-contact-item-required=false", "-contact-page-size", "7"},
			[]string{"group-add-existing=refuse", "lost-answer=nothing", "contact-item-required=false", "contact-page-size=7"}, ""},
		{"bool flag alone", []string{"-group-item-first-page-only"}, []string{"group-item-first-page-only=true"}, ""},
		{"world's dialect", []string{"-world", world}, []string{"create-existing=duplicate", "lost-answer=nothing"}, ""},
		{"world's dialect with a flag", []string{"-world", world, "-lost-answer", "mixed"}, []string{"create-existing=duplicate", "lost-answer=mixed"}, ""},
		{"preset beats the world", []string{"-world", world, "-dialect", "default"}, []string{"create-existing=refuse", "lost-answer=applied"}, ""},
		{"page size flag", []string{"-page-size", "3"}, []string{"contact-page-size=3"}, ""},
		{"unknown preset", []string{"-dialect", "loose"}, nil, "not a preset"},
		{"bad reading", []string{"-create-existing", "twice"}, nil, "not one of"},
		{"bad page size", []string{"-friend-page-size", "0"}, nil, "positive integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := parseFlags(append(append([]string{}, base...), tt.args...), func(string) string { return "" }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sim, err := chatsim.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := sim.Dialect().String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Fatalf("dialect %s lacks %s", got, w)
				}
			}
		})
	}
}
