package sources

import (
	"bytes"
	"fmt"
	"io"
)

// maxRecord bounds one CSV record, as maxLine bounds a JSONL line: encoding/csv holds a whole
// record in memory, and one stray quote makes the rest of a file one record.
const maxRecord = 16 << 20

// The states of csvLimiter's scan, which follows encoding/csv's own reading of a record
// (strict quotes, ',' between fields) far enough to know where each record ends.
const (
	stRecStart   = iota // between records (blank lines)
	stFieldStart        // after a ','
	stUnquoted          // inside a field without quotes
	stQuoted            // inside a quoted field
	stQuote             // a '"' inside a quoted field: its end, or the first of ""
	stBad               // after a quote error: encoding/csv drops the rest of the line
)

// oversize is a record csvLimiter cut: where it starts and ends and the field it was in
// when it passed the bound (0-based).
type oversize struct {
	start, end, field int
}

// csvLimiter passes a CSV stream through to encoding/csv, except the part of a record beyond
// maxRecord bytes. It cuts such a record where it passes the bound with bytes that make the
// record a syntax error there (so encoding/csv drops it and goes on), swallows the rest of
// it, and gives its newlines after the cut, so that every later line keeps its number. Each
// cut is queued in cuts, complete (with its end line) before encoding/csv can see the end of
// the cut line.
type csvLimiter struct {
	r    io.Reader
	max  int
	buf  []byte
	pos  int
	end  int
	rerr error

	state int
	line  int // the line being read, 1-based
	start int // the line the current record starts on
	size  int // bytes of the current record so far
	field int // fields of the current record before the one being read
	prev  byte

	skipping bool
	inject   []byte // bytes to give before anything else
	newlines int    // newlines to give, after inject
	cuts     []oversize
}

func newCSVLimiter(r io.Reader, max int) *csvLimiter {
	return &csvLimiter{r: r, max: max, buf: make([]byte, 32<<10), line: 1}
}

// Read gives the stream with each oversized record cut.
func (l *csvLimiter) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.inject) > 0 {
			c := copy(p[n:], l.inject)
			l.inject = l.inject[c:]
			n += c
			continue
		}
		if l.newlines > 0 && !l.skipping {
			for l.newlines > 0 && n < len(p) {
				p[n] = '\n'
				n++
				l.newlines--
			}
			continue
		}
		if l.pos == l.end {
			if l.rerr != nil {
				if l.skipping { // the file ends inside the cut record
					l.endCut()
					continue
				}
				if n > 0 {
					return n, nil
				}
				return 0, l.rerr
			}
			if n > 0 && !l.skipping {
				return n, nil // do not wait for more input while there is some to give
			}
			m, err := l.r.Read(l.buf)
			l.pos, l.end, l.rerr = 0, m, err
			continue
		}
		if l.skipping {
			l.skip()
			continue
		}
		n += l.pass(p[n:])
	}
	return n, nil
}

// pass copies bytes of the buffer into p up to the end of either, or up to a cut.
func (l *csvLimiter) pass(p []byte) int {
	b := l.buf[l.pos:l.end]
	if len(b) > len(p) {
		b = b[:len(p)]
	}
	i := 0
	for i < len(b) {
		if l.state == stRecStart {
			l.step(b[i])
			i++
			continue
		}
		seg := b[i:]
		if room := l.max - l.size; len(seg) > room {
			seg = seg[:room]
		}
		k := l.scan(seg)
		l.size += k
		i += k
		if l.state != stRecStart && l.size == l.max && i < len(b) {
			l.cut()
			break
		}
	}
	copy(p, b[:i])
	l.pos += i
	return i
}

// special marks the bytes that can change the scan's state.
var special = [256]bool{',': true, '"': true, '\n': true, '\r': true}

// scan moves the scan over the bytes of one record in b, up to its end: it returns how many
// bytes it took, the record's newline included. The common bytes (inside a field, inside
// quotes) are skipped without a step each.
func (l *csvLimiter) scan(b []byte) int {
	for j := 0; j < len(b); j++ {
		switch l.state {
		case stUnquoted:
			if !special[b[j]] {
				continue
			}
		case stQuoted:
			q := bytes.IndexByte(b[j:], '"')
			if q < 0 {
				l.line += bytes.Count(b[j:], newline)
				return len(b)
			}
			l.line += bytes.Count(b[j:j+q], newline)
			j += q
		}
		l.step(b[j])
		if l.state == stRecStart {
			return j + 1
		}
	}
	return len(b)
}

var newline = []byte{'\n'}

// skip reads the buffer on inside a cut record, counting its newlines, up to its end.
func (l *csvLimiter) skip() {
	for l.pos < l.end {
		c := l.buf[l.pos]
		l.pos++
		if c == '\n' {
			l.newlines++
		}
		l.step(c)
		if l.state == stRecStart {
			l.endCut()
			return
		}
	}
}

// cut begins the cut of the current record: inject ends it for encoding/csv with a syntax
// error in the state it is in.
func (l *csvLimiter) cut() {
	switch l.state {
	case stFieldStart:
		l.inject = []byte(`""x`)
	case stUnquoted:
		l.inject = []byte(`"`)
	case stQuoted:
		l.inject = []byte(`"x`)
	case stQuote:
		l.inject = []byte(`x`)
	}
	l.skipping = true
	l.newlines = 0
	l.cuts = append(l.cuts, oversize{start: l.start, field: l.field})
}

// endCut ends the cut record: its newlines are given from here, and its end is known.
func (l *csvLimiter) endCut() {
	l.skipping = false
	end := l.line
	if l.prev == '\n' {
		end-- // the record's last newline moved l.line past it
	}
	l.cuts[len(l.cuts)-1].end = end
	l.state = stRecStart
}

// step moves the scan over one byte.
func (l *csvLimiter) step(c byte) {
	l.prev = c
	if c == '\n' {
		l.line++
	}
	switch l.state {
	case stRecStart:
		switch c {
		case '\n', '\r':
			return
		case '"':
			l.state = stQuoted
		case ',':
			l.state = stFieldStart
		default:
			l.state = stUnquoted
		}
		l.start, l.size, l.field = l.line, 1, 0
		if c == ',' {
			l.field = 1
		}
	case stFieldStart, stUnquoted:
		switch c {
		case ',':
			l.field++
			l.state = stFieldStart
		case '\n':
			l.state = stRecStart
		case '"':
			if l.state == stFieldStart {
				l.state = stQuoted
			} else {
				l.state = stBad
			}
		default:
			l.state = stUnquoted
		}
	case stQuoted:
		if c == '"' {
			l.state = stQuote
		}
	case stQuote:
		switch c {
		case '"':
			l.state = stQuoted
		case ',':
			l.field++
			l.state = stFieldStart
		case '\n':
			l.state = stRecStart
		case '\r':
		default:
			l.state = stBad
		}
	case stBad:
		if c == '\n' {
			l.state = stRecStart
		}
	}
}

// takeCut returns the cut of the record encoding/csv reports starting at line, if it was
// one.
func (l *csvLimiter) takeCut(line int) (oversize, bool) {
	for len(l.cuts) > 0 && l.cuts[0].start < line {
		l.cuts = l.cuts[1:]
	}
	if len(l.cuts) > 0 && l.cuts[0].start == line {
		c := l.cuts[0]
		l.cuts = l.cuts[1:]
		return c, true
	}
	return oversize{}, false
}

// reason words a cut for a person.
func (c oversize) reason(max int) string {
	if c.end > c.start {
		return fmt.Sprintf("record longer than %d MiB: lines %d-%d are skipped (an unclosed quote?)", max>>20, c.start, c.end)
	}
	return fmt.Sprintf("record longer than %d MiB", max>>20)
}
