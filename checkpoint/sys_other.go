//go:build !unix

package checkpoint

import (
	"errors"
	"os"
)

var errLocked = errors.New("in use by another process")

// lockFile is a no-op where flock(2) does not exist: running two migrations on one checkpoint
// at once is then the user's responsibility.
func lockFile(*os.File) error { return nil }

// syncDir is a no-op where directories cannot be fsynced (Windows makes renames durable
// through the file system's own journal).
func syncDir(string) error { return nil }
