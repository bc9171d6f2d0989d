package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/sources"
)

// ToolName goes into a checkpoint's header, for a person reading the file.
const ToolName = "chatmigrate"

// OpenJournal opens (or creates) the checkpoint at path. It names no plan: units are known by
// their content key (contentKey), so any input resumes it, and a rerun after an edit of the
// input skips exactly what an earlier run finished of what the input still asks for. Give the
// journal to BuildPlan (PlanOptions.Journal) as well as to Execute, so that the plan's topics
// are looked up as they are read.
func OpenJournal(path string) (*checkpoint.Journal, error) {
	return checkpoint.Open(path, checkpoint.Header{Created: time.Now().UTC(), Tool: ToolName}, checkpoint.Options{})
}

// unitRecord is the Data of a unit's Done or Failed entry: everything the reports need, so
// that a resumed run rebuilds them from the journal alone, row for row, without planning
// again. Done means every item succeeded; Failed means at least one item failed.
type unitRecord struct {
	N     int          `json:"n,omitempty"` // items in the unit; 0 means 1
	Topic *topicLine   `json:"t,omitempty"` // an imported topic's topic_ids.csv row
	Fail  []failRecord `json:"f,omitempty"`
	// Found: the topic was on the target already when the unit ran, so another record (of
	// the topic before an edit of its other fields) may hold the same topic_ids.csv row.
	Found bool `json:"p,omitempty"`
	// Older journals may hold a "b" key (a failure that blocked later units of its group,
	// when a group's changes were several units); decoding ignores it.
}

// failRecord is a failed item: its failures.csv row and failed_<kind>.jsonl line.
type failRecord struct {
	Index int        `json:"i"` // in the unit's Items
	Code  string     `json:"c"`
	Msg   string     `json:"m"`
	Item  itemRecord `json:"it"`
}

// itemRecord is an Item with short keys, empty fields left out.
type itemRecord struct {
	File         string `json:"s,omitempty"`
	Line         int    `json:"l,omitempty"`
	From_Account string `json:"fa,omitempty"`
	GroupId      string `json:"g,omitempty"`
	GroupName    string `json:"gn,omitempty"`
	To_Account   string `json:"ta,omitempty"`
	ToGroupId    string `json:"tg,omitempty"`
	Type         int    `json:"ty,omitempty"`
	TopicName    string `json:"tn,omitempty"`
	Op           string `json:"op,omitempty"`
	NewGroupName string `json:"ng,omitempty"`
	TopicId      string `json:"ti,omitempty"`
	CustomString string `json:"cs,omitempty"`
	FaceUrl      string `json:"fu,omitempty"`
	Notification string `json:"no,omitempty"`
	Introduction string `json:"in,omitempty"`
	CreateTime   string `json:"ct,omitempty"`
	TypeText     string `json:"tt,omitempty"`
}

func toItemRecord(it Item) itemRecord {
	return itemRecord{File: it.Pos.File, Line: it.Pos.Line, From_Account: it.From_Account, GroupId: it.GroupId,
		GroupName: it.GroupName, To_Account: it.To_Account, ToGroupId: it.ToGroupId, Type: it.Type,
		TopicName: it.TopicName, Op: it.Op, NewGroupName: it.NewGroupName, TopicId: it.TopicId,
		CustomString: it.CustomString, FaceUrl: it.FaceUrl, Notification: it.Notification,
		Introduction: it.Introduction, CreateTime: it.CreateTime, TypeText: it.TypeText}
}

func (r itemRecord) item() Item {
	return Item{Pos: sources.Pos{File: r.File, Line: r.Line}, From_Account: r.From_Account, GroupId: r.GroupId,
		GroupName: r.GroupName, To_Account: r.To_Account, ToGroupId: r.ToGroupId, Type: r.Type,
		TopicName: r.TopicName, Op: r.Op, NewGroupName: r.NewGroupName, TopicId: r.TopicId,
		CustomString: r.CustomString, FaceUrl: r.FaceUrl, Notification: r.Notification,
		Introduction: r.Introduction, CreateTime: r.CreateTime, TypeText: r.TypeText}
}

// Codes of items failed without being sent because their group's create or rename failed.
const (
	CodeSkippedCreateFailed = "skipped-create-failed"
	CodeSkippedRenameFailed = "skipped-rename-failed"
)

// marshalRecord encodes a unit's record for the journal. The commonest record by far, an
// imported topic, is a bare array ["GroupId","TopicName","TopicId","source",line]: a resumed
// run reads a million of them back at start-up, and decodeRecord reads that form without
// encoding/json.
func marshalRecord(rec *unitRecord) ([]byte, error) {
	var v any = rec
	if t := rec.Topic; t != nil && rec.N == 0 && len(rec.Fail) == 0 && !rec.Found {
		v = []any{t.GroupId, t.TopicName, t.TopicId, t.File, t.Line}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint entry: %w", err)
	}
	return b, nil
}

// decodeRecord decodes what marshalRecord encodes.
func decodeRecord(data []byte, rec *unitRecord) error {
	*rec = unitRecord{}
	if len(data) == 0 {
		return nil
	}
	if data[0] != '[' {
		return json.Unmarshal(data, rec)
	}
	if t, ok := fastTopicRow(data); ok {
		rec.Topic = t
		return nil
	}
	var a []any
	if err := json.Unmarshal(data, &a); err != nil {
		return err
	}
	if len(a) != 5 {
		return fmt.Errorf("topic row of %d fields, want 5", len(a))
	}
	var t topicLine
	var ok [5]bool
	t.GroupId, ok[0] = a[0].(string)
	t.TopicName, ok[1] = a[1].(string)
	t.TopicId, ok[2] = a[2].(string)
	t.File, ok[3] = a[3].(string)
	line, ok4 := a[4].(float64)
	t.Line, ok[4] = int(line), ok4
	if ok != [5]bool{true, true, true, true, true} {
		return fmt.Errorf("malformed topic row %s", data)
	}
	rec.Topic = &t
	return nil
}

// fastTopicRow reads a compact topic row whose strings hold no escape; ok is false for
// anything else, which the caller then decodes with encoding/json.
func fastTopicRow(b []byte) (*topicLine, bool) {
	if len(b) < 2 || b[len(b)-1] != ']' {
		return nil, false
	}
	b = b[1 : len(b)-1]
	var f [4]string
	for i := range f {
		if len(b) == 0 || b[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(b[1:], '"')
		if end < 0 {
			return nil, false
		}
		s := b[1 : 1+end]
		if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
			return nil, false
		}
		f[i] = string(s)
		b = b[end+2:]
		if len(b) == 0 || b[0] != ',' {
			return nil, false
		}
		b = b[1:]
	}
	line, err := strconv.Atoi(string(b))
	if err != nil {
		return nil, false
	}
	return &topicLine{GroupId: f[0], TopicName: f[1], TopicId: f[2], File: f[3], Line: line}, true
}
