package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Holder says who holds a Lock. It is written into the lock file, so that a process refused
// the lock can say whom it waits for.
type Holder struct {
	Command string    `json:"command"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// LockedError says another process holds the lock at Path. Holder is what its lock file
// says, zero when that could not be read.
type LockedError struct {
	Path   string
	Holder Holder
}

func (e *LockedError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("%s: %v", e.Path, errLocked)
	}
	return fmt.Sprintf("%s: in use by %q (pid %d, started %s)", e.Path, e.Holder.Command, e.Holder.PID,
		e.Holder.Started.Local().Format(time.DateTime))
}

// Lock is an exclusive lock held through an open file, the checkpoint's own kind of lock:
// the kernel drops it when the process dies, kill -9 included, so the lock of a dead process
// is simply taken over. Where flock(2) does not exist every Lock is granted.
type Lock struct {
	f *os.File
}

// AcquireLock takes the lock at path without waiting, creating the file if needed, and
// writes h into it. A lock another process holds is a *LockedError naming that process.
func AcquireLock(path string, h Holder) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644) // never truncated before it is held
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		defer f.Close()
		if errors.Is(err, errLocked) {
			return nil, &LockedError{Path: path, Holder: readHolder(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	b, err := json.Marshal(h)
	if err == nil {
		err = f.Truncate(0)
	}
	if err == nil {
		_, err = f.WriteAt(append(b, '\n'), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// readHolder reads the holder a lock file names. The holder writes it just after it took the
// lock: an empty file is read again for a moment.
func readHolder(f *os.File) Holder {
	var h Holder
	for range 20 {
		b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<10))
		if err == nil && json.Unmarshal(b, &h) == nil {
			return h
		}
		time.Sleep(5 * time.Millisecond)
	}
	return Holder{}
}

// Release gives the lock up. It is safe to call twice.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0) // the next holder writes its own; a stale name helps nobody
	err := l.f.Close()
	l.f = nil
	return err
}
