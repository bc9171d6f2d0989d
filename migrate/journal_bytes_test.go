package migrate

import (
	"reflect"
	"testing"

	"github.com/chatmigrate/chatmigrate/sources"
)

// TestJournalRecordBytes pins the journal's encoding of each shape of record: checkpoints
// written by earlier versions must still open, so these bytes never change.
func TestJournalRecordBytes(t *testing.T) {
	topic := &topicLine{GroupId: "@TGS#_g", TopicName: "话题 \"q\"", TopicId: "@TGS#_g@TOPIC#_a", File: "in/t.csv", Line: 7}
	rename := Item{Pos: sources.Pos{File: "in/c.csv", Line: 3}, From_Account: "u1", GroupName: "work", Op: opRename, NewGroupName: "jobs"}
	badType := Item{Pos: sources.Pos{File: "in/t.csv", Line: 9}, TypeText: "three"}
	for _, tt := range []struct {
		name string
		rec  unitRecord
		want string
	}{
		{"imported topic", unitRecord{Topic: topic},
			`["@TGS#_g","话题 \"q\"","@TGS#_g@TOPIC#_a","in/t.csv",7]`},
		{"topic found on the target", unitRecord{Topic: topic, Found: true},
			`{"t":{"g":"@TGS#_g","n":"话题 \"q\"","i":"@TGS#_g@TOPIC#_a","s":"in/t.csv","l":7},"p":true}`},
		{"topic of a unit of two", unitRecord{N: 2, Topic: topic},
			`{"n":2,"t":{"g":"@TGS#_g","n":"话题 \"q\"","i":"@TGS#_g@TOPIC#_a","s":"in/t.csv","l":7}}`},
		{"failure of a unit of three", unitRecord{N: 3, Fail: []failRecord{{Index: 1, Code: "51008", Msg: "m", Item: toItemRecord(rename)}}},
			`{"n":3,"f":[{"i":1,"c":"51008","m":"m","it":{"s":"in/c.csv","l":3,"fa":"u1","gn":"work","op":"rename","ng":"jobs"}}]}`},
		{"failure", unitRecord{Fail: []failRecord{{Code: CodeInvalid, Msg: "x", Item: toItemRecord(badType)}}},
			`{"f":[{"i":0,"c":"invalid","m":"x","it":{"s":"in/t.csv","l":9,"tt":"three"}}]}`},
		{"empty", unitRecord{}, `{}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshalRecord(&tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			var back unitRecord
			if err := decodeRecord([]byte(tt.want), &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tt.rec) {
				t.Errorf("decoded %+v, want %+v", back, tt.rec)
			}
		})
	}

	// Earlier versions marked a failure that blocked its group's later units with "b"; such
	// a record still decodes, to its failures.
	old := `{"n":3,"f":[{"i":1,"c":"51008","m":"m","it":{"s":"in/c.csv","l":3,"fa":"u1","gn":"work","op":"rename","ng":"jobs"}}],"b":true}`
	want := unitRecord{N: 3, Fail: []failRecord{{Index: 1, Code: "51008", Msg: "m", Item: toItemRecord(rename)}}}
	var back unitRecord
	if err := decodeRecord([]byte(old), &back); err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("earlier version's blocking failure: decoded %+v, %v; want %+v", back, err, want)
	}
}
