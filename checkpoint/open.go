package checkpoint

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// VersionError means the file is a checkpoint of another format version: one an earlier
// build wrote, which named units by their position in its plan (version 1), or one a later
// build wrote. Its entries cannot be read as this build's, so Open refuses it and leaves it as
// it is. The message states the mismatch only; what to do about it is the command line's to
// say.
type VersionError struct {
	Path      string
	Got, Want int // the file's version, this build's
}

func (e *VersionError) Error() string {
	if e.Got < e.Want {
		return fmt.Sprintf("checkpoint %s was written by an earlier version of this tool (format %d, which named requests by their position in the input; this build reads format %d)",
			e.Path, e.Got, e.Want)
	}
	return fmt.Sprintf("checkpoint %s has format %d; this build reads format %d", e.Path, e.Got, e.Want)
}

// Open opens the checkpoint at path, creating it with header hdr if it does not exist (or is
// empty). An existing file is replayed: the latest state of every key is loaded (see State)
// and a torn tail (what a crash leaves after the last complete entry) is cut off. Damage
// before intact entries is a *CorruptError, a file of another format a *VersionError. Any
// run may resume any journal: entries name units by key, not by a plan.
//
// hdr.Version 0 means FormatVersion; a zero hdr.Created is set to now. The file's header is
// created atomically: it is written to a temporary file in the same directory, fsynced and
// renamed into place, so a crash never leaves a file without a complete header (Open removes
// temporary files such a crash leaves). On Unix the file is locked while open, so a second run
// on the same checkpoint fails instead of interleaving its entries.
func Open(path string, hdr Header, opt Options) (*Journal, error) {
	switch hdr.Version {
	case 0:
		hdr.Version = FormatVersion
	case FormatVersion:
	default:
		return nil, fmt.Errorf("checkpoint %s: unsupported version %d", path, hdr.Version)
	}
	if hdr.Created.IsZero() {
		hdr.Created = time.Now().UTC()
	}
	if opt.SyncEvery <= 0 {
		opt.SyncEvery = DefaultSyncEvery
	}
	if opt.SyncInterval <= 0 {
		opt.SyncInterval = DefaultSyncInterval
	}
	removeStaleTemps(path)

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return create(path, hdr, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	j, err := resume(f, path, hdr, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

func newJournal(path string, hdr Header, opt Options) *Journal {
	return &Journal{
		path:  path,
		hdr:   hdr,
		opt:   opt,
		dirty: make(chan struct{}, 1),
		full:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
}

// start begins appending to f at offset size.
func (j *Journal) start(f *os.File, size int64) *Journal {
	j.f, j.size = f, size
	go j.syncLoop()
	return j
}

// create writes a new journal holding only hdr, atomically.
func create(path string, hdr Header, opt Options) (*Journal, error) {
	line, err := encodeHeader(hdr)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	j := newJournal(path, hdr, opt)
	f, err := replaceAtomically(path, func(w io.Writer) error {
		_, err := w.Write(line)
		return err
	})
	if err != nil {
		return nil, err
	}
	return j.start(f, int64(len(line))), nil
}

// replaceAtomically writes a temporary file in path's directory with write, fsyncs it,
// renames it to path and fsyncs the directory. It returns the new file, locked, open for
// writing at its end.
func replaceAtomically(path string, write func(io.Writer) error) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+tempInfix+"*")
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if err := fillAndRename(f, path, dir, write); err != nil {
		f.Close()
		os.Remove(f.Name())
		var ce *CorruptError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return f, nil
}

func fillAndRename(f *os.File, path, dir string, write func(io.Writer) error) error {
	if err := lockFile(f); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// tempInfix marks temporary files: path + tempInfix + random.
const tempInfix = ".tmp-"

// removeStaleTemps removes the temporary files a crash during create left
// next to path. A temporary file another process holds locked (it is creating it right now)
// is left alone. Failures are ignored: a stale file is harmless, only untidy.
func removeStaleTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), base+tempInfix) {
			continue
		}
		name := filepath.Join(dir, e.Name())
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if lockFile(f) == nil {
			os.Remove(name)
		}
		f.Close()
	}
}

// resume replays the existing file f.
func resume(f *os.File, path string, hdr Header, opt Options) (*Journal, error) {
	if err := lockFile(f); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w (is another run using it?)", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if info.Size() == 0 {
		// An empty file holds nothing to resume (e.g. made by mktemp): start it afresh.
		f.Close()
		return create(path, hdr, opt)
	}
	got, start, err := readHeader(f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if got.Version != FormatVersion {
		return nil, &VersionError{Path: path, Got: got.Version, Want: FormatVersion}
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}

	j := newJournal(path, got, opt)
	j.resumed = true
	var sink State
	end, err := replayKeys(f, start, keyBlockSize, func(ks []keyState) {
		j.opened.setAll(ks, &sink)
		for _, k := range ks {
			if k.st == Failed {
				j.failedAt = append(j.failedAt, failedEntry{k.off, k.key})
			}
		}
	})
	if err != nil {
		return nil, withPath(err, path)
	}
	if end < info.Size() {
		// Cut the torn tail and make the cut durable before appending after it.
		if err := f.Truncate(end); err != nil {
			return nil, fmt.Errorf("checkpoint %s: cut torn tail at offset %d: %w", path, end, err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return j.start(f, end), nil
}

// withPath fills in the path of a *CorruptError.
func withPath(err error, path string) error {
	var ce *CorruptError
	if errors.As(err, &ce) && ce.Path == "" {
		ce.Path = path
	}
	return err
}
