package migrate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chatmigrate/chatmigrate/sources"
)

// issue is one rule a record breaks: the field at fault, the value and why.
type issue struct {
	field, value, reason string
}

// textRule says how one field is checked. Every field must be valid UTF-8 (the CSV reader
// passes bytes through unchanged, and the API speaks JSON). IDs and names must not hold
// control characters, nor begin or end with white space: the service takes them byte for
// byte, so "li.wei " would be another user than "li.wei", and trimming it silently would
// change what the source says. Free text (CustomString, Notification, Introduction) may hold
// both, since a notification legitimately spans lines.
type textRule struct {
	field    string
	required bool
	max      int // bytes of UTF-8; 0 = no limit
	freeText bool
}

// check returns the issue of value under the rule, if any.
func (r textRule) check(value string) *issue {
	switch {
	case value == "":
		if r.required {
			return &issue{r.field, value, "required"}
		}
		return nil
	case !utf8.ValidString(value):
		return &issue{r.field, value, "not valid UTF-8"}
	case !r.freeText && hasControl(value):
		return &issue{r.field, value, "contains a control character"}
	case !r.freeText && hasEdgeSpace(value):
		return &issue{r.field, value, "begins or ends with white space: it would name another ID than without it (never trimmed)"}
	case r.max > 0 && len(value) > r.max:
		return &issue{r.field, value, fmt.Sprintf("too long: %d bytes of UTF-8, at most %d", len(value), r.max)}
	}
	return nil
}

// hasControl reports whether s holds a C0 or C1 control character or DEL.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// hasEdgeSpace reports whether s begins or ends with a white space character.
func hasEdgeSpace(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(first) || unicode.IsSpace(last)
}

// printableASCII returns the 1-based position of the first byte of s that is not printable
// ASCII (0x20-0x7e), or 0: the charset of the IDs an app may choose.
func printableASCII(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return i + 1
		}
	}
	return 0
}

// problemOf turns a record's issues into one Problem: the first issue names the field and the
// excerpt, the others are appended to the reason. One Problem per item keeps failures.csv and
// failed_<kind>.jsonl free of repeated rows.
func problemOf(kind sources.Kind, it Item, issues []issue) Problem {
	first := issues[0]
	reason := first.reason
	for _, o := range issues[1:] {
		reason += "; " + o.field + ": " + o.reason
	}
	return Problem{Kind: kind, Pos: it.Pos, Field: first.field, Excerpt: sources.Excerpt(first.value), Reason: reason, Item: it}
}

// rowProblem turns a reader's malformed-row error into a Problem. The row could not be read,
// so the Item holds only its position. The reader's excerpt is made by sources.Excerpt, as
// problemOf's is, so it is kept as it is.
func rowProblem(kind sources.Kind, e *sources.RowError) Problem {
	pos := sources.Pos{File: e.File, Line: e.Line}
	return Problem{Kind: kind, Pos: pos, Field: e.Field, Excerpt: e.Excerpt, Reason: e.Reason, Item: Item{Pos: pos}}
}

// String renders a problem as "file:line: field: reason [excerpt]", the form validate prints.
func (p Problem) String() string {
	warning := ""
	if p.Warning {
		warning = "warning: "
	}
	return fmt.Sprintf("%s:%d: %s%s", p.Pos.File, p.Pos.Line, warning, p.Message())
}

// Message is the problem's text for failures.csv's message column.
func (p Problem) Message() string {
	var b strings.Builder
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	if p.Excerpt != "" {
		fmt.Fprintf(&b, " [%s]", p.Excerpt)
	}
	return b.String()
}
