package checkpoint

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// CorruptError reports a damaged record that is followed by intact ones. A crash can only
// damage the tail of the journal (the writes after the last fsync), which Open repairs by
// truncation; damage before intact records means something else went wrong, and dropping
// those records silently would lose finished work, so Open and Scan refuse instead. The
// message states the damage only; what to do about it is the command line's to say.
type CorruptError struct {
	Path   string
	Offset int64  // byte offset of the first damaged line
	Reason string // what is wrong with it
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint %s: damaged entry at byte offset %d (%s) followed by intact entries; not repairing automatically",
		e.Path, e.Offset, e.Reason)
}

// readBufSize is the read buffer for replay; lines longer than this still work (see
// lineReader.next), they just cost a copy.
const readBufSize = 1 << 20

// maxHeaderLen bounds the header line, so that opening a file that is not a checkpoint does
// not read all of it looking for a newline.
const maxHeaderLen = 64 << 10

// lineReader yields lines with their terminating newline, tracking offsets.
type lineReader struct {
	r    *bufio.Reader
	long []byte // accumulates a line longer than the buffer
	off  int64  // offset of the next line
}

func newLineReader(r io.Reader, off int64) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, readBufSize), off: off}
}

// next returns the next line without its newline, the line's offset, and whether it was
// complete (newline-terminated). At the end of input it returns io.EOF with no line. The
// returned slice is valid until the next call.
func (lr *lineReader) next() (line []byte, off int64, complete bool, err error) {
	off = lr.off
	b, err := lr.r.ReadSlice('\n')
	if err != nil && errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = lr.r.ReadSlice('\n')
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	lr.off += int64(len(b))
	switch {
	case err == nil:
		return b[:len(b)-1], off, true, nil
	case errors.Is(err, io.EOF) && len(b) > 0:
		return b, off, false, nil
	default:
		return nil, off, false, err
	}
}

// readHeader reads and checks the header line, returning the offset of the first entry.
func readHeader(r io.Reader) (Header, int64, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxHeaderLen), 4096)
	line, err := br.ReadSlice('\n')
	if err != nil {
		return Header{}, 0, errors.New("no complete header line: not a checkpoint file")
	}
	h, err := decodeHeader(line[:len(line)-1])
	if err != nil {
		return Header{}, 0, fmt.Errorf("not a checkpoint file or damaged header: %w", err)
	}
	return h, int64(len(line)), nil
}

// visitFunc is called for each intact entry line; raw is the whole line with its newline.
// Slices are valid only during the call.
type visitFunc func(off int64, key uint64, st State, data, raw []byte) error

// replay reads entries from r, whose first byte is at offset start, calling visit for each
// intact one. It returns the offset just past the last intact entry: if that is short of the
// end of the input, the rest is a torn tail the caller may cut. A damaged line followed by an
// intact one is a *CorruptError (Path left for the caller to fill).
func replay(r io.Reader, start int64, visit visitFunc) (end int64, err error) {
	lr := newLineReader(r, start)
	end = start
	for {
		line, off, complete, err := lr.next()
		if errors.Is(err, io.EOF) {
			return end, nil
		}
		if err != nil {
			return end, fmt.Errorf("read at offset %d: %w", off, err)
		}
		reason := "incomplete line"
		if complete {
			key, st, data, perr := parseEntry(line)
			if perr == nil {
				if err := visit(off, key, st, data, lr.rawLine(line)); err != nil {
					return end, err
				}
				end = lr.off
				continue
			}
			reason = perr.Error()
		}
		// A bad line: a torn tail if nothing intact follows it, corruption otherwise.
		intact, err := lr.intactFollows()
		if err != nil {
			return end, err
		}
		if intact {
			return end, &CorruptError{Offset: off, Reason: reason}
		}
		return end, nil
	}
}

// rawLine returns line with its newline; line came from the latest next().
func (lr *lineReader) rawLine(line []byte) []byte {
	return line[:len(line)+1]
}

// intactFollows reads the rest of the input and reports whether any line in it is an intact
// entry.
func (lr *lineReader) intactFollows() (bool, error) {
	for {
		line, off, complete, err := lr.next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read at offset %d: %w", off, err)
		}
		if !complete {
			return false, nil
		}
		if _, _, _, perr := parseEntry(line); perr == nil {
			return true, nil
		}
	}
}

// Scan calls fn for every intact entry of the checkpoint file at path, in file order, with
// its Data (a copy fn may keep). It reads the file as it is, without repairing it: a torn tail
// is skipped; damage followed by intact entries is a *CorruptError. An error from fn stops the
// scan and is returned as is. Scan does not check the header against a plan; use Open for that.
func Scan(path string, fn func(Entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	h, start, err := readHeader(f)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if h.Version != FormatVersion {
		return &VersionError{Path: path, Got: h.Version, Want: FormatVersion}
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	_, err = replay(f, start, func(_ int64, key uint64, st State, data, _ []byte) error {
		e := Entry{Key: key, State: st}
		if len(data) > 0 {
			e.Data = append([]byte(nil), data...)
		}
		return fn(e)
	})
	return withPath(err, path)
}
