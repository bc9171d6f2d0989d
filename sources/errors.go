package sources

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RowError is one malformed row or line: a bad CSV quote, a wrong field count, a line that is
// not JSON, a JSON value of the wrong type, an unknown key. The reader reports it and can go on
// with the next record: Next returns it as the error, and the caller records it and calls Next
// again.
type RowError struct {
	File    string // the input file as given
	Line    int    // physical line where the row starts, 1-based
	Field   string // the column or key at fault; "" when the whole row is
	Excerpt string // a short, printable, valid UTF-8 piece of the bad input; may be ""
	Reason  string
}

// Error reads like `topics.csv line 7 field CreateTime: reason (excerpt "...")`.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s line %d", e.File, e.Line)
	if e.Field != "" {
		fmt.Fprintf(&b, " field %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Excerpt != "" {
		// Excerpt is already escaped by Excerpt: quoting it again would double the escapes.
		fmt.Fprintf(&b, ` (excerpt "%s")`, e.Excerpt)
	}
	return b.String()
}

// HeaderError says a CSV header cannot be read as the file's kind: a required column is
// missing, a column is unknown or repeated, or the header is that of another kind. It is
// returned when the file is opened, and nothing of the file is read.
type HeaderError struct {
	File   string
	Column string // the column at fault, as written; "" when no single column is
	Reason string
}

// Error reads like `topics.csv: header column "TopicName": missing required column`.
func (e *HeaderError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s: header: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s: header column %q: %s", e.File, e.Column, e.Reason)
}

// excerptRunes bounds an excerpt: enough to recognise the row, short enough for one report cell.
const excerptRunes = 40

// Excerpt returns a short piece of s fit for a report: at most 40 runes, the last of them an
// ellipsis when s is cut, invalid bytes as \xNN and control or invisible characters escaped,
// so that the excerpt itself is always valid, printable UTF-8 even when the input is neither.
// Quotes and backslashes stay as they are: an excerpt of a JSON line reads as the line does.
//
// It is the one rendering of a value in the reports: a reader's malformed row and a record
// that fails validation show the same bytes the same way in one failures.csv.
func Excerpt(s string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case r == '\n':
			piece = `\n`
		case r == '\r':
			piece = `\r`
		case r == '\t':
			piece = `\t`
		case !unicode.IsGraphic(r):
			if r > 0xffff {
				piece = fmt.Sprintf(`\U%08x`, r)
			} else {
				piece = fmt.Sprintf(`\u%04x`, r)
			}
		default:
			piece = s[i : i+size]
		}
		i += size
		pn := utf8.RuneCountInString(piece)
		last := i >= len(s)
		if n+pn > excerptRunes || (!last && n+pn > excerptRunes-1) {
			b.WriteString("…")
			break
		}
		b.WriteString(piece)
		n += pn
	}
	return b.String()
}
