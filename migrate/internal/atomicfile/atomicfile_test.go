package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("replaces", func(t *testing.T) {
		if err := WriteData(path, []byte("new\n")); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != "new\n" {
			t.Fatalf("file holds %q, %v", got, err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
			t.Fatalf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
		}
	})
	t.Run("failure leaves the old file", func(t *testing.T) {
		boom := errors.New("boom")
		err := Write(path, func(w io.Writer) error {
			w.Write([]byte("half"))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want boom", err)
		}
		if got, _ := os.ReadFile(path); string(got) != "new\n" {
			t.Fatalf("file holds %q after a failed write", got)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("temporary file left behind: %v", entries)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		if err := WriteData(filepath.Join(dir, "no", "such"), nil); err == nil {
			t.Fatal("no error for a missing directory")
		}
	})
}
