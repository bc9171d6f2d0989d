package migrate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/samples/golden"
	"github.com/chatmigrate/chatmigrate/sources"
)

// dumpDir renders every file of dir, in name order, for a golden file.
func dumpDir(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		if e.Name() == SummaryFile {
			continue // holds times
		}
		fmt.Fprintf(&b, "== %s\n%s", e.Name(), readFile(t, filepath.Join(dir, e.Name())))
	}
	return []byte(b.String())
}

// TestReportLinesGolden writes every kind of line of run's reports, both as a run writes
// them and as a resumed run rewrites them from its journal, and compares the files with a
// golden file: whichever path writes a line, its bytes stay the same.
func TestReportLinesGolden(t *testing.T) {
	pos := func(line int) sources.Pos { return sources.Pos{File: "in/x.csv", Line: line} }
	topic := Item{Pos: pos(2), GroupId: "@TGS#_g", TopicName: "话题, \"quoted\"", TopicId: "@TGS#_g@TOPIC#_a",
		From_Account: "admin", CustomString: "cs", FaceUrl: "https://f", Notification: "two\nlines",
		Introduction: "intro", CreateTime: "1700000000"}
	badTime := Item{Pos: pos(3), GroupId: "@TGS#_g", TopicName: "bad time", CreateTime: "soon"}
	friend := Item{Pos: pos(4), From_Account: "u1", GroupName: "朋友", To_Account: "u2"}
	emptyFriend := Item{Pos: pos(5), From_Account: "u1", GroupName: "empty"}
	contact := Item{Pos: pos(6), From_Account: "u1", GroupName: "work", Op: opAdd, Type: chatapi.ContactGroup, ToGroupId: "@TGS#2x"}
	rename := Item{Pos: pos(7), From_Account: "u1", GroupName: "work", Op: opRename, NewGroupName: "jobs"}
	badType := Item{Pos: pos(8), From_Account: "u1", GroupName: "work", Op: opRemove, TypeText: "three", To_Account: "u3"}
	malformed := Item{Pos: pos(9)}

	write := func(t *testing.T, rep *Reports) {
		t.Helper()
		for _, f := range []struct {
			kind      sources.Kind
			it        Item
			code, msg string
		}{
			{sources.Topics, topic, "10010", "a, \"msg\""},
			{sources.Topics, badTime, CodeInvalid, "CreateTime: not an integer"},
			{sources.Topics, malformed, CodeInvalid, "wrong number of fields"},
			{sources.FriendGroups, friend, "30001", "not a friend"},
			{sources.FriendGroups, emptyFriend, "30002", "x"},
			{sources.ContactGroups, contact, "51008", "y"},
			{sources.ContactGroups, rename, CodeSkippedRenameFailed, "z"},
			{sources.ContactGroups, badType, CodeInvalid, "Type: not 1 or 2"},
		} {
			if err := rep.Failure(f.kind, f.it, f.code, f.msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := rep.TopicID(topic, "@TGS#_g@TOPIC#_a"); err != nil {
			t.Fatal(err)
		}
	}
	replay := func(t *testing.T, rep *Reports) {
		t.Helper()
		recs := []struct {
			kind sources.Kind
			rec  unitRecord
		}{
			{sources.Topics, unitRecord{Fail: []failRecord{
				{Code: "10010", Msg: "a, \"msg\"", Item: toItemRecord(topic)},
				{Code: CodeInvalid, Msg: "CreateTime: not an integer", Item: toItemRecord(badTime)},
				{Code: CodeInvalid, Msg: "wrong number of fields", Item: toItemRecord(malformed)}}}},
			{sources.FriendGroups, unitRecord{N: 2, Fail: []failRecord{
				{Code: "30001", Msg: "not a friend", Item: toItemRecord(friend)},
				{Index: 1, Code: "30002", Msg: "x", Item: toItemRecord(emptyFriend)}}}},
			{sources.ContactGroups, unitRecord{N: 3, Fail: []failRecord{
				{Code: "51008", Msg: "y", Item: toItemRecord(contact)},
				{Index: 1, Code: CodeSkippedRenameFailed, Msg: "z", Item: toItemRecord(rename)},
				{Index: 2, Code: CodeInvalid, Msg: "Type: not 1 or 2", Item: toItemRecord(badType)}}}},
		}
		for _, r := range recs {
			// Through the journal's encoding, as a resumed run reads it.
			data, err := marshalRecord(&r.rec)
			if err != nil {
				t.Fatal(err)
			}
			var back unitRecord
			if err := decodeRecord(data, &back); err != nil {
				t.Fatal(err)
			}
			if err := writeRecordRows(rep, r.kind, &back); err != nil {
				t.Fatal(err)
			}
		}
		ok := unitRecord{Topic: &topicLine{GroupId: topic.GroupId, TopicName: topic.TopicName,
			TopicId: "@TGS#_g@TOPIC#_a", File: topic.Pos.File, Line: topic.Pos.Line}}
		data, err := marshalRecord(&ok)
		if err != nil {
			t.Fatal(err)
		}
		var back unitRecord
		if err := decodeRecord(data, &back); err != nil {
			t.Fatal(err)
		}
		if err := writeRecordRows(rep, sources.Topics, &back); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		fill func(*testing.T, *Reports)
	}{{"run", write}, {"replay", replay}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rep, err := OpenReports(dir)
			if err != nil {
				t.Fatal(err)
			}
			tc.fill(t, rep)
			if err := rep.Close(); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "report", "run_lines.golden"), dumpDir(t, dir))
		})
	}
}

// TestDiffLinesGolden writes every kind of line of verify's reports, diff.csv and
// missing_<kind>.jsonl, and compares them with a golden file.
func TestDiffLinesGolden(t *testing.T) {
	dir := t.TempDir()
	rep, err := OpenDiffReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	topics := []verifyTopic{
		newVerifyTopic(sources.Topic{GroupId: vGID, TopicName: "gone", From_Account: "admin", CustomString: "cs",
			Notification: "n, \"q\"", CreateTime: "1700000000"}, nil),
		newVerifyTopic(sources.Topic{GroupId: vGID, TopicId: vGID + "@TOPIC#_b", TopicName: "changed", FaceUrl: "f"}, nil),
	}
	got := []chatapi.TopicInfo{
		{TopicId: vGID + "@TOPIC#_b", TopicName: "changed", FaceUrl: "other"},
		{TopicId: vGID + "@TOPIC#_x", TopicName: "extra"},
	}
	friends := diffFriendGroups("u1", map[string][]string{"best": {"u2", "u3"}, "none": {}, "gone": {"u4"}},
		[]chatapi.FriendGroupInfo{{GroupName: "best", To_Account: []string{"u2", "u9"}}, {GroupName: "spare"}})
	contacts := diffContactGroups("u1", map[string][]chatapi.ContactItem{
		"work": {{Type: chatapi.ContactC2C, To_Account: "u2"}, {Type: chatapi.ContactGroup, ToGroupId: "@TGS#2a"}},
		"gone": {{Type: chatapi.ContactGroup, ToGroupId: "@TGS#2b"}},
	}, map[string][]chatapi.ContactItem{"work": {{Type: chatapi.ContactC2C, To_Account: "u7"}}})
	for _, r := range []struct {
		kind sources.Kind
		res  checkResult
	}{{sources.Topics, diffTopics(vGID, topics, got)}, {sources.FriendGroups, friends}, {sources.ContactGroups, contacts}} {
		if err := rep.Write(r.kind, r.res.diffs, r.res.missing); err != nil {
			t.Fatal(err)
		}
	}
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "verify", "lines.golden"), dumpDir(t, dir))
}

// TestTopicInputCreateTime: CreateTime is a JSON number where it can be one, and else the
// text as written, so that every line encodes (json.Number refuses a leading zero).
func TestTopicInputCreateTime(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `{"GroupId":"@TGS#_g","TopicName":"n"}`},
		{"1700000000", `{"GroupId":"@TGS#_g","TopicName":"n","CreateTime":1700000000}`},
		{"0005", `{"GroupId":"@TGS#_g","TopicName":"n","CreateTime":"0005"}`},
		{"soon", `{"GroupId":"@TGS#_g","TopicName":"n","CreateTime":"soon"}`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := appendLine(nil, topicInputOf(Item{GroupId: "@TGS#_g", TopicName: "n", CreateTime: tt.in}))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want+"\n" {
				t.Errorf("got %s want %s", got, tt.want)
			}
		})
	}
}
