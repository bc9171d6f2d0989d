// Package atomicfile replaces a file whole: a reader of the path sees the old file or the new
// one, never half of one, even if the process dies while writing. Every report that is
// rewritten rather than appended to goes through it.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write replaces path with what write writes: into a temporary file in the same directory
// (so that the rename cannot cross file systems), synced before the rename that publishes it,
// readable by everyone (0644, a report is to be read). On any failure path is left as it was
// and the temporary file is removed.
func Write(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	err = tmp.Chmod(0o644)      // CreateTemp makes it 0600
	if err == nil {
		err = write(tmp)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteData replaces path with data, as Write does.
func WriteData(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
