//go:build unix

package checkpoint

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(2), Options{})
	_, err := Open(path, testHeader(2), Options{})
	if !errors.Is(err, errLocked) {
		t.Fatalf("second Open while the first is open = %v, want it refused as in use", err)
	}
	mustClose(t, j)
	mustClose(t, mustOpen(t, path, testHeader(2), Options{}))
}
