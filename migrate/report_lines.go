package migrate

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Each line of a report file has one type or one builder here, used by every writer of that
// file: a run as it goes, a resumed run rebuilding its reports from the journal, and verify.
// So a line has the same bytes whichever path wrote it.

// topicLine is a topic_ids.csv row: an imported topic's ID and where the input has the
// topic. The journal keeps it, under these short keys or as marshalRecord's compact array,
// as the record of an imported topic.
type topicLine struct {
	GroupId   string `json:"g"`
	TopicName string `json:"n"`
	TopicId   string `json:"i"`
	File      string `json:"s"`
	Line      int    `json:"l"`
}

// newTopicLine is the topic_ids.csv row of the topic it, imported as topicID.
func newTopicLine(it Item, topicID string) *topicLine {
	return &topicLine{GroupId: it.GroupId, TopicName: it.TopicName, TopicId: topicID, File: it.Pos.File, Line: it.Pos.Line}
}

// row is t in topic_ids.csv's column order.
func (t *topicLine) row() []string {
	return []string{t.GroupId, t.TopicName, t.TopicId, t.File, strconv.Itoa(t.Line)}
}

// failureRow is the failures.csv row of a failed item, in failuresHeader's column order.
// Its message is the vendor's text with the code's meaning beside it, and every field is
// valid UTF-8.
func failureRow(kind sources.Kind, it Item, code, msg string) []string {
	return validUTF8([]string{string(kind), it.Pos.File, strconv.Itoa(it.Pos.Line), it.From_Account,
		it.GroupId, it.GroupName, it.To_Account, it.ToGroupId, it.TopicName, code, withMeaning(code, msg)})
}

// inputLine is a line of failed_<kind>.jsonl or missing_<kind>.jsonl: items in their kind's
// JSONL input format (docs/contract.md, "Input formats"), with the input's field names, so
// that the file can be fed back to a run. Its three types are topicInput, friendGroupInput
// and contactGroupInput.
type inputLine interface {
	kind() sources.Kind
}

type (
	topicInput struct {
		GroupId      string `json:"GroupId"`
		TopicId      string `json:"TopicId,omitempty"`
		TopicName    string `json:"TopicName"`
		From_Account string `json:"From_Account,omitempty"`
		CustomString string `json:"CustomString,omitempty"`
		FaceUrl      string `json:"FaceUrl,omitempty"`
		Notification string `json:"Notification,omitempty"`
		Introduction string `json:"Introduction,omitempty"`
		CreateTime   any    `json:"CreateTime,omitempty"`
	}
	friendGroupInput struct {
		From_Account string   `json:"From_Account"`
		GroupName    string   `json:"GroupName"`
		To_Account   []string `json:"To_Account"`
	}
	contactGroupInput struct {
		From_Account string         `json:"From_Account"`
		GroupName    string         `json:"GroupName"`
		Op           string         `json:"Op,omitempty"`
		NewGroupName string         `json:"NewGroupName,omitempty"`
		ContactItem  []contactInput `json:"ContactItem,omitempty"`
	}
	contactInput struct {
		Type       any    `json:"Type,omitempty"` // an int, or the text of a Type that is none
		To_Account string `json:"To_Account,omitempty"`
		ToGroupId  string `json:"ToGroupId,omitempty"`
	}
)

func (topicInput) kind() sources.Kind        { return sources.Topics }
func (friendGroupInput) kind() sources.Kind  { return sources.FriendGroups }
func (contactGroupInput) kind() sources.Kind { return sources.ContactGroups }

// topicInputOf is the input line of the topic it, TopicId included only when the input gave
// one (a new import gets a new one).
func topicInputOf(it Item) topicInput {
	t := topicInput{GroupId: it.GroupId, TopicId: it.TopicId, TopicName: it.TopicName,
		From_Account: it.From_Account, CustomString: it.CustomString, FaceUrl: it.FaceUrl,
		Notification: it.Notification, Introduction: it.Introduction}
	if it.CreateTime != "" {
		// A number, as the input format has it; a value that is no number stays a string
		// (the row was invalid for that reason, and the person fixing it needs to see it),
		// and so does one JSON cannot write as a number (a leading zero: valid input, which
		// json.Number would refuse to encode).
		if n, err := strconv.ParseInt(it.CreateTime, 10, 64); err == nil && strconv.FormatInt(n, 10) == it.CreateTime {
			t.CreateTime = json.Number(it.CreateTime)
		} else {
			t.CreateTime = it.CreateTime
		}
	}
	return t
}

// friendGroupInputOf is the input line putting members into user's friend group; no members
// declares the group empty.
func friendGroupInputOf(user, group string, members []string) friendGroupInput {
	if members == nil {
		members = []string{} // the input format has [], not null, for an empty group
	}
	return friendGroupInput{From_Account: user, GroupName: group, To_Account: members}
}

// contactGroupInputOf is the input line adding conversations to user's conversation group.
func contactGroupInputOf(user, group string, cs []chatapi.ContactItem) contactGroupInput {
	l := contactGroupInput{From_Account: user, GroupName: group}
	for _, c := range cs {
		l.ContactItem = append(l.ContactItem, contactInput{Type: c.Type, To_Account: c.To_Account, ToGroupId: c.ToGroupId})
	}
	return l
}

// failedInput is the failed_<kind>.jsonl line of a failed item. ok is false for an item
// with nothing to give back: a row the reader could not parse at all.
func failedInput(kind sources.Kind, it Item) (l inputLine, ok bool) {
	switch kind {
	case sources.Topics:
		if it.GroupId == "" && it.TopicName == "" && it.TopicId == "" {
			return nil, false
		}
		return topicInputOf(it), true
	case sources.FriendGroups:
		if it.From_Account == "" && it.GroupName == "" {
			return nil, false
		}
		var members []string
		if it.To_Account != "" {
			members = []string{it.To_Account}
		}
		return friendGroupInputOf(it.From_Account, it.GroupName, members), true
	case sources.ContactGroups:
		if it.From_Account == "" && it.GroupName == "" {
			return nil, false
		}
		c := contactGroupInputOf(it.From_Account, it.GroupName, nil)
		c.NewGroupName = it.NewGroupName
		if it.Op != "" && it.Op != opAdd {
			c.Op = it.Op
		}
		if it.Type != 0 || it.TypeText != "" || it.To_Account != "" || it.ToGroupId != "" {
			ci := contactInput{To_Account: it.To_Account, ToGroupId: it.ToGroupId}
			switch {
			case it.Type != 0:
				ci.Type = it.Type
			case it.TypeText != "":
				ci.Type = it.TypeText
			}
			c.ContactItem = []contactInput{ci}
		}
		return c, true
	}
	return nil, false
}

// appendLine appends l and a newline to b.
func appendLine(b []byte, l inputLine) ([]byte, error) {
	enc, err := json.Marshal(l)
	if err != nil {
		return b, fmt.Errorf("encode %s line: %w", l.kind(), err)
	}
	return append(append(b, enc...), '\n'), nil
}
