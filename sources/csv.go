package sources

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/gocarina/gocsv"
)

// The CSV rows gocsv fills: every field a string, so that converting and checking stay in
// validation, which can then name the exact field that is wrong. gocsv is given a pointer to
// each: it then returns the row it filled as that pointer, where a struct value would be copied
// into a second allocation on every row.
type (
	topicRow struct {
		GroupId      string `csv:"GroupId"`
		TopicId      string `csv:"TopicId"`
		TopicName    string `csv:"TopicName"`
		From_Account string `csv:"From_Account"`
		CustomString string `csv:"CustomString"`
		FaceUrl      string `csv:"FaceUrl"`
		Notification string `csv:"Notification"`
		Introduction string `csv:"Introduction"`
		CreateTime   string `csv:"CreateTime"`
	}
	friendGroupRow struct {
		From_Account string `csv:"From_Account"`
		GroupName    string `csv:"GroupName"`
		To_Account   string `csv:"To_Account"`
	}
	contactGroupRow struct {
		From_Account string `csv:"From_Account"`
		GroupName    string `csv:"GroupName"`
		Type         string `csv:"Type"`
		To_Account   string `csv:"To_Account"`
		ToGroupId    string `csv:"ToGroupId"`
		Op           string `csv:"Op"`
		NewGroupName string `csv:"NewGroupName"`
	}
)

// newCSV reads and checks the header and returns the function that yields the next record.
//
// An empty file (nothing, or only a BOM or blank lines) has no header and yields zero
// records without error: an export of nothing is not a mistake. A header with no rows yields
// zero records too.
//
// hint, when not "", says what the file looks like instead (sniff): it goes into the header's
// error, as the likely cause.
func newCSV[T Topic | FriendGroup | ContactGroup](name string, r io.Reader, sp spec[T], hint string) (func() (T, error), error) {
	lim := newCSVLimiter(r, maxRecord)
	cr := csv.NewReader(lim)
	// Strict parsing: with LazyQuotes one stray quote can swallow the rest of a file into one
	// field without an error. FieldsPerRecord stays 0, so the header sets it for every row.
	cr.LazyQuotes = false
	cr.TrimLeadingSpace = false
	um, err := gocsv.NewUnmarshaller(cr, sp.row)
	if errors.Is(err, io.EOF) {
		return func() (T, error) { var zero T; return zero, io.EOF }, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if c, ok := lim.takeCut(pe.StartLine); ok {
				return nil, &HeaderError{File: name, Reason: fmt.Sprintf("line %d: header %s", pe.StartLine, c.reason(maxRecord))}
			}
			return nil, &HeaderError{File: name, Reason: withHint(fmt.Sprintf("line %d: %s", pe.Line, csvReason(pe, 0)), hint)}
		}
		return nil, fmt.Errorf("%s: read header: %w", name, err)
	}
	if err := checkHeader(name, sp.kind, trimHeader(um.Headers)); err != nil {
		var he *HeaderError
		if errors.As(err, &he) {
			he.Reason = withHint(he.Reason, hint)
		}
		return nil, err
	}
	// Safe only now: gocsv keeps the header slice, and copies each row's strings out.
	cr.ReuseRecord = true
	width := len(um.Headers)
	return func() (T, error) {
		var zero T
		row, err := um.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if c, ok := lim.takeCut(pe.StartLine); ok {
					re := &RowError{File: name, Line: pe.StartLine, Reason: c.reason(maxRecord)}
					if c.field < len(um.Headers) {
						re.Field = um.Headers[c.field]
					}
					return zero, re
				}
				return zero, &RowError{File: name, Line: pe.StartLine, Reason: csvReason(pe, width)}
			}
			if errors.Is(err, io.EOF) {
				return zero, io.EOF
			}
			// Not a CSV syntax problem: the stream itself failed (I/O, corrupt gzip).
			return zero, fmt.Errorf("%s: read: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		return sp.fromRow(row, Pos{File: name, Line: line}), nil
	}, nil
}

// csvReason words an encoding/csv syntax error for a person. encoding/csv goes on after any
// of them with the next line (measured); an unclosed quote, though, takes every line up to the
// next quote into the one bad record, so the reason says which lines were lost.
func csvReason(pe *csv.ParseError, width int) string {
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return fmt.Sprintf("wrong number of fields (the header has %d)", width)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf(`bare " in a field without quotes at column %d (quote the field and double the " inside)`, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line != pe.StartLine:
		return fmt.Sprintf(`unclosed quote: the record runs on to line %d column %d; lines %d-%d are skipped`,
			pe.Line, pe.Column, pe.StartLine, pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf(`extraneous or missing " in a quoted field at column %d`, pe.Column)
	}
	return pe.Err.Error()
}

func topicFromRow(row any, pos Pos) Topic {
	r := row.(*topicRow)
	return Topic{Pos: pos, GroupId: r.GroupId, TopicId: r.TopicId, TopicName: r.TopicName,
		From_Account: r.From_Account, CustomString: r.CustomString, FaceUrl: r.FaceUrl,
		Notification: r.Notification, Introduction: r.Introduction, CreateTime: r.CreateTime}
}

// friendGroupFromRow: an empty To_Account declares an empty group (docs/contract.md,
// "Input formats").
func friendGroupFromRow(row any, pos Pos) FriendGroup {
	r := row.(*friendGroupRow)
	g := FriendGroup{Pos: pos, From_Account: r.From_Account, GroupName: r.GroupName}
	if r.To_Account != "" {
		g.To_Account = []string{r.To_Account}
	}
	return g
}

// contactGroupFromRow: a row with no Type, To_Account nor ToGroupId names no conversation, as a
// rename or remove row, or an empty group, may; any of the three makes one Contact, left for
// validation to check.
func contactGroupFromRow(row any, pos Pos) ContactGroup {
	r := row.(*contactGroupRow)
	g := ContactGroup{Pos: pos, From_Account: r.From_Account, GroupName: r.GroupName,
		Op: r.Op, NewGroupName: r.NewGroupName}
	if r.Type != "" || r.To_Account != "" || r.ToGroupId != "" {
		g.ContactItem = []Contact{{Type: r.Type, To_Account: r.To_Account, ToGroupId: r.ToGroupId}}
	}
	return g
}

var (
	topicSpec        = spec[Topic]{kind: Topics, row: &topicRow{}, fromRow: topicFromRow, fromObj: topicFromJSON, fast: topicFast}
	friendGroupSpec  = spec[FriendGroup]{kind: FriendGroups, row: &friendGroupRow{}, fromRow: friendGroupFromRow, fromObj: friendGroupFromJSON, fast: friendGroupFast}
	contactGroupSpec = spec[ContactGroup]{kind: ContactGroups, row: &contactGroupRow{}, fromRow: contactGroupFromRow, fromObj: contactGroupFromJSON, fast: contactGroupFast}
)
