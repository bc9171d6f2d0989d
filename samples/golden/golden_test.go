package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing the test that runs it.
// Its Fatalf stops the calling goroutine as the real one does: run Check through check.
type recorder struct {
	testing.TB
	errors, fatals []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// check runs Check on a goroutine of its own, which the recorder's Fatalf may end.
func check(r *recorder, path string, got []byte) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(r, path, got)
	}()
	<-done
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path, got string
		errs, fatals    int
		mention         string
	}{
		{"equal", path, "one\ntwo\nthree\n", 0, 0, ""},
		{"differs", path, "one\nTWO\nthree\n", 1, 0, "at line 2"},
		{"one byte short", path, "one\ntwo\nthree", 1, 0, "at line 3"},
		{"missing file", filepath.Join(dir, "none.golden"), "x", 0, 1, "-update creates it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			check(r, tt.path, []byte(tt.got))
			if len(r.errors) != tt.errs || len(r.fatals) != tt.fatals {
				t.Fatalf("errors %q, fatals %q; want %d and %d", r.errors, r.fatals, tt.errs, tt.fatals)
			}
			if all := strings.Join(append(r.errors, r.fatals...), "\n"); !strings.Contains(all, tt.mention) {
				t.Errorf("failure %q does not say %q", all, tt.mention)
			}
		})
	}
}

// TestCheckUpdate: with -update, Check writes the file, directories included, and fails nothing.
func TestCheckUpdate(t *testing.T) {
	defer func(old bool) { *update = old }(*update)
	*update = true
	path := filepath.Join(t.TempDir(), "new", "dir", "out.golden")
	r := &recorder{TB: t}
	check(r, path, []byte("fresh\n"))
	if len(r.errors)+len(r.fatals) > 0 {
		t.Fatalf("errors %q, fatals %q", r.errors, r.fatals)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "fresh\n" {
		t.Fatalf("file holds %q, %v", b, err)
	}
}
