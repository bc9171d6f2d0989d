package sources

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Reader streams the records of one input file of one kind, CSV or JSONL, optionally gzip.
// It holds one record at a time (bounded memory whatever the file size). It is not safe for
// concurrent use.
type Reader[T Topic | FriendGroup | ContactGroup] struct {
	name    string
	next    func() (T, error)
	closers []io.Closer
	gz      *countingReader // the compressed bytes read so far, when gzip
	err     error           // sticky: io.EOF or the fatal error, once seen
}

// Next returns the next record. At the end it returns io.EOF. A *RowError reports one
// malformed row or line: record it and call Next again. Any other error is fatal for the file
// and is returned again by every later call: a *FileError when the file cannot be read on
// (an I/O error, a truncated or corrupt gzip stream).
func (r *Reader[T]) Next() (T, error) {
	var zero T
	if r.err != nil {
		return zero, r.err
	}
	rec, err := r.next()
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return zero, err
		}
		r.err = r.fileError(err)
		return zero, r.err
	}
	return rec, nil
}

// fileError is err, a failure that ends the file, as a *FileError naming the file; io.EOF and
// a *HeaderError stay as they are.
func (r *Reader[T]) fileError(err error) error {
	var (
		fe *FileError
		he *HeaderError
	)
	if errors.Is(err, io.EOF) || errors.As(err, &fe) || errors.As(err, &he) {
		return err
	}
	if r.gz != nil {
		if ge := gzipError(r.name, r.gz.n, err); ge != nil {
			return ge
		}
	}
	cause := errors.Unwrap(err) // the wrapping only repeats the name
	if cause == nil {
		cause = err
	}
	return &FileError{File: r.name, Reason: "read failed", Err: cause}
}

// Close releases the file (and gzip stream) the reader opened. It is safe to call twice.
func (r *Reader[T]) Close() error {
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i].Close(); err != nil && first == nil {
			first = fmt.Errorf("close %s: %w", r.name, err)
		}
	}
	r.closers = nil
	if r.err == nil {
		r.err = fmt.Errorf("%s: reader closed", r.name)
	}
	return first
}

// OpenTopics opens a topics file, its format by extension and gzip by a .gz suffix
// (FormatOf, Compressed). A CSV header that does not fit is returned here as a *HeaderError.
func OpenTopics(path string) (*Reader[Topic], error) { return open(path, NewTopics) }

// OpenFriendGroups opens a friend-groups file, as OpenTopics does.
func OpenFriendGroups(path string) (*Reader[FriendGroup], error) {
	return open(path, NewFriendGroups)
}

// OpenContactGroups opens a conversation-groups file, as OpenTopics does.
func OpenContactGroups(path string) (*Reader[ContactGroup], error) {
	return open(path, NewContactGroups)
}

// NewTopics reads topics from r, whose format and compression the caller states. name is
// the file as the user gave it: it goes into every Pos and error.
func NewTopics(name string, r io.Reader, f Format, gz bool) (*Reader[Topic], error) {
	return newReader(name, r, f, gz, topicSpec)
}

// NewFriendGroups reads friend groups from r, as NewTopics does.
func NewFriendGroups(name string, r io.Reader, f Format, gz bool) (*Reader[FriendGroup], error) {
	return newReader(name, r, f, gz, friendGroupSpec)
}

// NewContactGroups reads conversation groups from r, as NewTopics does.
func NewContactGroups(name string, r io.Reader, f Format, gz bool) (*Reader[ContactGroup], error) {
	return newReader(name, r, f, gz, contactGroupSpec)
}

// spec is what differs between the kinds: the CSV row type gocsv fills and how it becomes a
// record, and how one JSONL line becomes a record.
type spec[T Topic | FriendGroup | ContactGroup] struct {
	kind    Kind
	row     any                               // pointer to a zero CSV row struct, for gocsv
	fromRow func(row any, pos Pos) T          // the row gocsv filled, as a record
	fromObj func(o *jsonObject) (T, error)    // a JSONL line, as a record (*RowError when bad)
	fast    func(b []byte, pos Pos) (T, bool) // the same in one Unmarshal; false: use fromObj
}

func open[T Topic | FriendGroup | ContactGroup](path string,
	newFn func(string, io.Reader, Format, bool) (*Reader[T], error)) (*Reader[T], error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError already names the file
	}
	rd, err := newFn(path, file, f, Compressed(path))
	if err != nil {
		file.Close()
		return nil, err
	}
	rd.closers = append([]io.Closer{file}, rd.closers...)
	return rd, nil
}

func newReader[T Topic | FriendGroup | ContactGroup](name string, r io.Reader, f Format, gz bool, sp spec[T]) (*Reader[T], error) {
	rd := &Reader[T]{name: name}
	if gz {
		rd.gz = &countingReader{r: r}
		zr, err := gzip.NewReader(rd.gz)
		if errors.Is(err, io.EOF) {
			return nil, &FileError{File: name, Reason: "empty, not a gzip stream", Err: err}
		}
		if err != nil {
			if ge := gzipError(name, rd.gz.n, err); ge != nil {
				return nil, ge
			}
			return nil, &FileError{File: name, Reason: "cannot read", Err: err}
		}
		// Not a closer to keep: gzip.Reader holds no resource, and its Close only repeats a
		// decompression error that Next has already returned.
		r = zr
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if err := utf16Error(name, br); err != nil {
		return nil, err
	}
	if err := skipBOM(br); err != nil {
		rd.Close()
		return nil, rd.fileError(err)
	}
	hint := sniff(br, f)
	var err error
	switch f {
	case CSV:
		rd.next, err = newCSV(name, br, sp, hint)
	case JSONL:
		rd.next = newJSONL(name, br, sp, hint)
	default:
		err = fmt.Errorf("%s: unknown format %d", name, f)
	}
	if err != nil {
		rd.Close()
		return nil, rd.fileError(err)
	}
	return rd, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// skipBOM drops a leading UTF-8 byte order mark, which spreadsheet exports often write and
// which encoding/csv would otherwise keep inside the first header name.
func skipBOM(br *bufio.Reader) error {
	b, err := br.Peek(len(bom))
	if err != nil && err != io.EOF {
		return err
	}
	if bytes.Equal(b, bom) {
		_, err := br.Discard(len(bom))
		return err
	}
	return nil
}
