// Package golden compares a test's output with a file kept beside the test, and rewrites
// that file instead when the tests run with -update. It is for tests only: every package
// whose tests keep golden files uses it, so that one flag rewrites them all.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is registered here, once, so that `go test ./... -update` means the same thing in
// every package that keeps golden files.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the tests' output")

// Check compares got with the file at path, relative to the test's package directory (so
// usually under testdata/). A difference fails the test but lets it go on, so that one run
// shows every golden file that differs. With -update it writes got to path instead, creating
// its directory.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("update golden file: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("update golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s at line %d (go test -update rewrites it)\n--- got\n%s\n--- want\n%s",
			path, firstDiffLine(got, want), got, want)
	}
}

// firstDiffLine returns the 1-based line where a and b first differ: in a long golden file
// it is where to look first.
func firstDiffLine(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		if a[i] == '\n' {
			line++
		}
	}
	return line
}
