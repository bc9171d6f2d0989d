package sources

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxLine bounds one JSONL line. A longer line is reported and skipped, so that one runaway
// line (a file that is not JSONL at all, say) cannot take the process's memory.
const maxLine = 16 << 20

// lineReader yields physical lines with no limit but maxLine (bufio.Scanner's default stops at
// 64 KiB), counting them as a text editor does.
type lineReader struct {
	br   *bufio.Reader
	buf  []byte
	line int // number of the line last returned, 1-based
}

// next returns the next line without its "\n" or "\r\n". A line longer than maxLine comes
// back empty with tooLong set. The returned bytes are valid until the next call.
func (lr *lineReader) next() (b []byte, tooLong bool, err error) {
	if cap(lr.buf) > 1<<20 {
		lr.buf = nil // one long line must not pin its buffer for the rest of the file
	}
	lr.buf = lr.buf[:0]
	got := false
	for {
		chunk, err := lr.br.ReadSlice('\n')
		got = got || len(chunk) > 0
		if !tooLong {
			if len(lr.buf)+len(chunk) > maxLine+2 { // +2: the line ending is not content
				tooLong = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if !got {
				return nil, false, io.EOF
			}
			break // a last line without a newline
		}
		if err != nil {
			return nil, false, err
		}
		break
	}
	lr.line++
	b = bytes.TrimSuffix(lr.buf, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	return b, tooLong, nil
}

// newJSONL returns the function that yields the next record of a JSONL stream: one JSON
// object per line, blank lines skipped, each bad line a *RowError and reading going on.
// Lines are decoded one by one, never with one json.Decoder over the file: its errors are
// sticky (one bad line would end the file) and it knows no line numbers.
//
// hint, when not "", says what the file looks like instead (sniff): it goes into the first
// bad line's error, as the likely cause.
func newJSONL[T Topic | FriendGroup | ContactGroup](name string, br *bufio.Reader, sp spec[T], hint string) func() (T, error) {
	lr := &lineReader{br: br}
	return func() (T, error) {
		var zero T
		for {
			b, tooLong, err := lr.next()
			if errors.Is(err, io.EOF) {
				return zero, io.EOF
			}
			if err != nil {
				return zero, fmt.Errorf("%s: read: %w", name, err)
			}
			if tooLong {
				return zero, &RowError{File: name, Line: lr.line, Reason: fmt.Sprintf("line longer than %d MiB", maxLine>>20)}
			}
			if len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			rec, err := decodeLine(b, Pos{File: name, Line: lr.line}, sp)
			if err != nil {
				var re *RowError
				if errors.As(err, &re) {
					re.File, re.Line = name, lr.line
					re.Reason, hint = withHint(re.Reason, hint), ""
				}
				return zero, err
			}
			return rec, nil
		}
	}
}

func decodeLine[T Topic | FriendGroup | ContactGroup](b []byte, pos Pos, sp spec[T]) (T, error) {
	var zero T
	// encoding/json would silently turn invalid UTF-8 into U+FFFD: the user's data would
	// change with no word said. Check the raw bytes first.
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return zero, &RowError{Excerpt: Excerpt(string(b[around(b, i):])),
			Reason: fmt.Sprintf("invalid UTF-8 at byte %d", i+1)}
	}
	// Most lines are well formed: one Unmarshal decodes them. fast refuses every line it cannot
	// prove walkLine would read the same, and walkLine words the errors.
	if rec, ok := sp.fast(b, pos); ok {
		return rec, nil
	}
	return walkLine(b, pos, sp)
}

// walkLine decodes a line of valid UTF-8 by the exact walk of jsonObject.
func walkLine[T Topic | FriendGroup | ContactGroup](b []byte, pos Pos, sp spec[T]) (T, error) {
	var zero T
	if !json.Valid(b) {
		var se *json.SyntaxError
		err := json.Unmarshal(b, new(struct{})) // only to learn what and where
		if errors.As(err, &se) {
			off := int(se.Offset)
			return zero, &RowError{Excerpt: Excerpt(string(b[around(b, off-1):])),
				Reason: fmt.Sprintf("not valid JSON at byte %d: %s", off, se.Error())}
		}
		return zero, &RowError{Excerpt: Excerpt(string(b)), Reason: "not valid JSON"}
	}
	return sp.fromObj(&jsonObject{pos: pos, data: b})
}

// around returns where an excerpt leading up to byte i starts: a few bytes before it, on a
// rune boundary, so that the excerpt shows the context of the fault.
func around(b []byte, i int) int {
	start := min(max(i-15, 0), len(b))
	for start > 0 && start < len(b) && !utf8.RuneStart(b[start]) {
		start--
	}
	return start
}
