//go:build unix

package checkpoint

import (
	"errors"
	"os"
	"syscall"
)

// errLocked means another process holds the file's lock.
var errLocked = errors.New("in use by another process")

// lockFile takes an exclusive advisory lock on f without waiting: two runs appending to one
// journal would interleave their entries. The kernel drops the lock when the process dies,
// kill -9 included, so a crashed run never leaves a stale lock behind.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		default:
			return err
		}
	}
}

// syncDir fsyncs a directory so that a rename or create in it survives a power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
