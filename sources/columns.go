package sources

import (
	"fmt"
	"strings"
)

// columns is the CSV header contract of one kind (docs/contract.md, "Input formats"): the
// columns it knows, in the order the contract lists them, and which of them the header must
// contain.
type columns struct {
	kind     Kind
	known    []string
	required []string
}

var (
	topicColumns = columns{
		kind: Topics,
		known: []string{"GroupId", "TopicId", "TopicName", "From_Account", "CustomString",
			"FaceUrl", "Notification", "Introduction", "CreateTime"},
		required: []string{"GroupId", "TopicName"},
	}
	friendGroupColumns = columns{
		kind:     FriendGroups,
		known:    []string{"From_Account", "GroupName", "To_Account"},
		required: []string{"From_Account", "GroupName", "To_Account"},
	}
	contactGroupColumns = columns{
		kind:     ContactGroups,
		known:    []string{"From_Account", "GroupName", "Type", "To_Account", "ToGroupId", "Op", "NewGroupName"},
		required: []string{"From_Account", "GroupName", "Type", "To_Account", "ToGroupId"},
	}
)

// columnsOf returns the header contract of a kind.
func columnsOf(k Kind) columns {
	switch k {
	case FriendGroups:
		return friendGroupColumns
	case ContactGroups:
		return contactGroupColumns
	}
	return topicColumns
}

func (c columns) knows(name string) bool {
	for _, k := range c.known {
		if k == name {
			return true
		}
	}
	return false
}

// problem returns what is wrong with header for this kind: the first unknown or repeated
// column, else the first missing required one; ok is true when nothing is. Names are matched
// exactly (case included): a header "groupid" is a typo to report, not a column to guess.
func (c columns) problem(header []string) (column, reason string, ok bool) {
	seen := make(map[string]bool, len(header))
	for _, h := range header {
		if !c.knows(h) {
			reason := fmt.Sprintf("unknown column in a %s file (want %s)", c.kind, strings.Join(c.known, ","))
			for _, k := range c.known {
				if strings.EqualFold(k, h) {
					reason = fmt.Sprintf("unknown column in a %s file: did you mean %q? (names are case-sensitive)", c.kind, k)
				}
			}
			return h, reason, false
		}
		if seen[h] {
			return h, "column appears twice", false
		}
		seen[h] = true
	}
	for _, r := range c.required {
		if !seen[r] {
			return r, fmt.Sprintf("missing required column of a %s file", c.kind), false
		}
	}
	return "", "", true
}

// checkHeader returns a *HeaderError when header does not fit kind k. When the header is a
// valid header of another kind it says so: the likely mistake is a file given to the wrong
// flag or named after the wrong kind, and the message should point there.
func checkHeader(file string, k Kind, header []string) error {
	column, reason, ok := columnsOf(k).problem(header)
	if ok {
		return nil
	}
	for _, other := range Kinds {
		if other == k {
			continue
		}
		if _, _, fits := columnsOf(other).problem(header); fits {
			reason = fmt.Sprintf("this is the header of a %s file, not %s", other, k)
			break
		}
	}
	return &HeaderError{File: file, Column: column, Reason: reason}
}

// trimHeader trims spaces around header names, as spreadsheets often leave them; the values
// themselves are never trimmed.
func trimHeader(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = strings.TrimSpace(h)
	}
	return out
}
