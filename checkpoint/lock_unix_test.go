//go:build unix

package checkpoint

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	_, err := Open(path, testHeader(), Options{})
	if !errors.Is(err, errLocked) {
		t.Fatalf("second Open while the first is open = %v, want it refused as in use", err)
	}
	mustClose(t, j)
	mustClose(t, mustOpen(t, path, testHeader(), Options{}))
}

// TestLockNamesHolder: a second AcquireLock is refused at once with the first holder's
// command, pid and start time; once released, the lock is granted again.
func TestLockNamesHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	h := Holder{Command: "run", PID: 4242, Started: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	l, err := AcquireLock(path, h)
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireLock(path, Holder{Command: "run --retry-failed", PID: 1})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder != h {
		t.Fatalf("second AcquireLock = %v, want a *LockedError naming %+v", err, h)
	}
	if !strings.Contains(err.Error(), `"run" (pid 4242, started`) {
		t.Errorf("error %q does not name the holder", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := AcquireLock(path, Holder{Command: "run", PID: 2})
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	l2.Release()
}
