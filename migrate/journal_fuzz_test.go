package migrate

import (
	"testing"
	"unicode/utf8"
)

// FuzzJournalRecord: a topic row survives the journal's encoding whatever its strings hold,
// and decoding arbitrary bytes never panics.
func FuzzJournalRecord(f *testing.F) {
	f.Add("@TGS#_a", "综合讨论 📢", "@TGS#_a@TOPIC#_x", "dir/topics.csv", 12, []byte(`["a","b","c","d",1]`))
	f.Add("g\"q", "back\\slash", "", "", 0, []byte(`{"f":[{"i":0,"c":"32216","m":"x","it":{"ta":"b"}}]}`))
	f.Add("", "", "", "", -1, []byte(`["a","b","c","d"]`))
	f.Fuzz(func(t *testing.T, g, n, id, file string, line int, raw []byte) {
		var rec unitRecord
		_ = decodeRecord(raw, &rec) // must not panic

		in := unitRecord{Topic: &topicLine{GroupId: g, TopicName: n, TopicId: id, File: file, Line: line}}
		data, err := marshalRecord(&in)
		if err != nil {
			t.Fatal(err)
		}
		if err := decodeRecord(data, &rec); err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		want := *in.Topic
		if !utf8.ValidString(g) || !utf8.ValidString(n) || !utf8.ValidString(id) || !utf8.ValidString(file) {
			return // encoding/json replaces invalid UTF-8: only valid strings round-trip
		}
		if rec.Topic == nil || *rec.Topic != want {
			t.Fatalf("round trip of %+v gave %+v (%s)", want, rec.Topic, data)
		}
	})
}
