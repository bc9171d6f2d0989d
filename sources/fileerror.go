package sources

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// FileError says an input file cannot be read as a whole, or not on from some point: it is
// missing, not a regular file, given twice, of an unknown format, or a gzip stream that is
// truncated or corrupt. Nothing more of the file is read; the other files can be, so that one
// pass reports the problems of all of them. Err is the cause, when there is one.
type FileError struct {
	File   string // the file as given
	Reason string
	Err    error
}

// Error reads like `topics.csv.gz: truncated after 4096 bytes`, followed by the cause.
func (e *FileError) Error() string {
	if e.Err == nil {
		return e.File + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Reason, unwrapPath(e.Err))
}

func (e *FileError) Unwrap() error { return e.Err }

// unwrapPath drops an *fs.PathError's operation and path, which repeat the file's name.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// countingReader counts the bytes read through it: where a gzip stream ended.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// gzipError words a failure of the gzip stream of name, n bytes of which were read, or
// returns nil when err is no gzip failure.
func gzipError(name string, n int64, err error) error {
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &FileError{File: name, Reason: fmt.Sprintf("truncated after %d bytes", n), Err: io.ErrUnexpectedEOF}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &ce):
		return &FileError{File: name, Reason: "not a valid gzip stream", Err: err}
	}
	return nil
}
