package migrate

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestReadTopicIDs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		lookups map[[2]string]string // (GroupId, TopicName) → TopicId; "" = not found
		n       int
		wantErr string
	}{
		{name: "empty file", in: "", n: 0},
		{
			name: "as run writes it",
			in:   "GroupId,TopicName,TopicId,source,line\n@TGS#_a,one,@TGS#_a@TOPIC#_1,topics.csv,2\n@TGS#_a,\"two, quoted\",@TGS#_a@TOPIC#_2,topics.csv,3\n",
			lookups: map[[2]string]string{
				{"@TGS#_a", "one"}:          "@TGS#_a@TOPIC#_1",
				{"@TGS#_a", "two, quoted"}:  "@TGS#_a@TOPIC#_2",
				{"@TGS#_b", "one"}:          "",
				{"@TGS#_a", "two, quoted "}: "",
			},
			n: 2,
		},
		{
			name:    "columns by name, BOM, a later row wins, rows without an ID skipped",
			in:      "\xef\xbb\xbfTopicId,GroupId,TopicName\nold,g,t\nnew,g,t\n,g,u\n",
			lookups: map[[2]string]string{{"g", "t"}: "new", {"g", "u"}: ""},
			n:       1,
		},
		{name: "header lacks a column", in: "GroupId,TopicName\ng,t\n", wantErr: "header lacks [TopicId]"},
		{name: "short row", in: "GroupId,TopicName,TopicId\ng,t\n", wantErr: "wrong number of fields"},
		{name: "bad quote", in: "GroupId,TopicName,TopicId\ng,\"t,x\n", wantErr: "topic IDs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, err := ReadTopicIDs(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ids.Len() != tc.n {
				t.Errorf("Len = %d, want %d", ids.Len(), tc.n)
			}
			for k, want := range tc.lookups {
				got, ok := ids.Lookup(k[0], k[1])
				if got != want || ok != (want != "") {
					t.Errorf("Lookup(%q, %q) = %q, %v; want %q", k[0], k[1], got, ok, want)
				}
			}
		})
	}
}

// FuzzReadTopicIDs: any bytes give a map or an error, never a panic, and every row read is
// found again by its key.
func FuzzReadTopicIDs(f *testing.F) {
	f.Add("GroupId,TopicName,TopicId,source,line\n@TGS#_a,one,@TGS#_a@TOPIC#_1,topics.csv,2\n")
	f.Add("TopicId,GroupId,TopicName\n\"a\"\"b\",g,t\n")
	f.Add("\xef\xbb\xbfGroupId,TopicName,TopicId\r\ng,t,i\r\n")
	f.Add("GroupId,TopicName\n")
	f.Fuzz(func(t *testing.T, in string) {
		ids, err := ReadTopicIDs(strings.NewReader(in))
		if err != nil {
			return
		}
		if ids == nil {
			t.Fatal("nil map without an error")
		}
	})
}

// FuzzTopicIDsRoundTrip: whatever a run writes into topic_ids.csv (encoding/csv quoting any
// field), ReadTopicIDs gives back.
func FuzzTopicIDsRoundTrip(f *testing.F) {
	f.Add("@TGS#_a", "one", "@TGS#_a@TOPIC#_1")
	f.Add("g", "名字, \"quoted\"\nline", "id")
	f.Fuzz(func(t *testing.T, group, name, id string) {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write([]string{"GroupId", "TopicName", "TopicId", "source", "line"})
		w.Write([]string{group, name, id, "topics.csv", "2"})
		w.Flush()
		ids, err := ReadTopicIDs(strings.NewReader(b.String()))
		if err != nil {
			// encoding/csv itself cannot read back every string it writes (a lone \r, a
			// leading BOM): only a field the writer could not represent may fail.
			if !strings.ContainsAny(group+name+id, "\r") && !strings.HasPrefix(group, "\xef\xbb\xbf") {
				t.Fatalf("ReadTopicIDs(%q): %v", b.String(), err)
			}
			return
		}
		got, ok := ids.Lookup(group, name)
		if id != "" && !strings.ContainsAny(group+name+id, "\r") && (!ok || got != id) {
			t.Fatalf("Lookup = %q, %v; want %q", got, ok, id)
		}
	})
}
