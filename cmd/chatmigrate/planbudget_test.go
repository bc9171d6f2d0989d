package main

import (
	"path/filepath"
	"testing"

	"github.com/chatmigrate/chatmigrate/checkpoint"
)

// TestPlanBudget: a resumed run's plan gets the budget less what the checkpoint holds, and
// never less than the floor; without a checkpoint it gets all of it.
func TestPlanBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	hdr := checkpoint.Header{Version: checkpoint.FormatVersion, Tool: "test"}
	j, err := checkpoint.Open(path, hdr, checkpoint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50_000 {
		if err := j.Append(checkpoint.Entry{Key: uint64(i) * 0x9e3779b97f4a7c15, State: checkpoint.Done}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if j, err = checkpoint.Open(path, hdr, checkpoint.Options{}); err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	held := j.HeldBytes()
	if held == 0 {
		t.Fatal("the reopened journal holds nothing")
	}
	for _, c := range []struct {
		name   string
		budget int64
		j      *checkpoint.Journal
		want   int64
	}{
		{"no checkpoint", 256 << 20, nil, 256 << 20},
		{"resumed", 256 << 20, j, 256<<20 - held},
		{"checkpoint past the budget", held, j, minMemory / 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := planBudget(c.budget, c.j); got != c.want {
				t.Errorf("planBudget(%d) = %d, want %d", c.budget, got, c.want)
			}
		})
	}
}
