package migrate

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

const vGID = "@TGS#_g1"

func vTopic(id, name string) sources.Topic {
	return sources.Topic{GroupId: vGID, TopicId: id, TopicName: name}
}

func TestDiffTopics(t *testing.T) {
	full := sources.Topic{GroupId: vGID, TopicName: "full", From_Account: "u1", CustomString: "cs", FaceUrl: "http://f",
		Notification: "n", Introduction: "i", CreateTime: "1700000000"}
	gotFull := chatapi.TopicInfo{TopicId: vGID + "@TOPIC#_1", TopicName: "full", CustomString: "cs", FaceUrl: "http://f",
		Notification: "n", Introduction: "i", CreateTime: 1700000000}
	ids := &TopicIDs{m: map[uint64]string{pairHash(vGID, "byknown"): vGID + "@TOPIC#_k"}}

	tests := []struct {
		name         string
		want         []sources.Topic
		got          []chatapi.TopicInfo
		checked      int
		equal        int
		diffs        []Diff
		missingLines []string
	}{
		{
			name:    "all fields equal, matched by name",
			want:    []sources.Topic{full},
			got:     []chatapi.TopicInfo{gotFull},
			checked: 1, equal: 1,
		},
		{
			name: "fields the input leaves empty are not compared",
			want: []sources.Topic{vTopic("", "bare")},
			got: []chatapi.TopicInfo{{TopicId: "x", TopicName: "bare", CustomString: "set later", CreateTime: 5,
				FaceUrl: "f"}},
			checked: 1, equal: 1,
		},
		{
			name: "differing fields, one row each",
			want: []sources.Topic{full},
			got: []chatapi.TopicInfo{func() chatapi.TopicInfo {
				g := gotFull
				g.CustomString, g.CreateTime = "changed", 1
				return g
			}()},
			checked: 1,
			diffs: []Diff{
				{Kind: sources.Topics, Status: DiffDiffers, From_Account: "u1", GroupId: vGID, GroupName: "full", Member: gotFull.TopicId, Field: "CustomString", Want: "cs", Got: "changed"},
				{Kind: sources.Topics, Status: DiffDiffers, From_Account: "u1", GroupId: vGID, GroupName: "full", Member: gotFull.TopicId, Field: "CreateTime", Want: "1700000000", Got: "1"},
			},
		},
		{
			name:    "matched by input TopicId, renamed",
			want:    []sources.Topic{vTopic(vGID+"@TOPIC#_a", "old")},
			got:     []chatapi.TopicInfo{{TopicId: vGID + "@TOPIC#_a", TopicName: "new"}},
			checked: 1,
			diffs: []Diff{{Kind: sources.Topics, Status: DiffDiffers, GroupId: vGID, GroupName: "old", Member: vGID + "@TOPIC#_a",
				Field: "TopicName", Want: "old", Got: "new"}},
		},
		{
			name:    "input TopicId is authoritative: a same-name topic under another ID is extra",
			want:    []sources.Topic{vTopic(vGID+"@TOPIC#_a", "t")},
			got:     []chatapi.TopicInfo{{TopicId: vGID + "@TOPIC#_b", TopicName: "t"}},
			checked: 1,
			diffs: []Diff{
				{Kind: sources.Topics, Status: DiffMissing, GroupId: vGID, GroupName: "t", Member: vGID + "@TOPIC#_a"},
				{Kind: sources.Topics, Status: DiffExtra, GroupId: vGID, GroupName: "t", Member: vGID + "@TOPIC#_b"},
			},
			missingLines: []string{`{"GroupId":"@TGS#_g1","TopicId":"@TGS#_g1@TOPIC#_a","TopicName":"t"}`},
		},
		{
			name: "topic_ids.csv ID matches before a name does",
			want: []sources.Topic{vTopic("", "byknown")},
			got: []chatapi.TopicInfo{
				{TopicId: vGID + "@TOPIC#_other", TopicName: "byknown"},
				{TopicId: vGID + "@TOPIC#_k", TopicName: "byknown"},
			},
			checked: 1, equal: 1,
			diffs: []Diff{{Kind: sources.Topics, Status: DiffExtra, GroupId: vGID, GroupName: "byknown", Member: vGID + "@TOPIC#_other"}},
		},
		{
			name:    "a stale topic_ids.csv ID falls back to the name",
			want:    []sources.Topic{vTopic("", "byknown")},
			got:     []chatapi.TopicInfo{{TopicId: vGID + "@TOPIC#_new", TopicName: "byknown"}},
			checked: 1, equal: 1,
		},
		{
			name:    "missing topic: the whole input row as a line, without a generated ID",
			want:    []sources.Topic{full, vTopic("", "byknown")},
			got:     nil,
			checked: 2,
			diffs: []Diff{
				{Kind: sources.Topics, Status: DiffMissing, From_Account: "u1", GroupId: vGID, GroupName: "full"},
				{Kind: sources.Topics, Status: DiffMissing, GroupId: vGID, GroupName: "byknown", Member: vGID + "@TOPIC#_k"},
			},
			missingLines: []string{
				`{"GroupId":"@TGS#_g1","TopicName":"full","From_Account":"u1","CustomString":"cs","FaceUrl":"http://f","Notification":"n","Introduction":"i","CreateTime":1700000000}`,
				`{"GroupId":"@TGS#_g1","TopicName":"byknown"}`,
			},
		},
		{
			name:    "two input topics never take the same target topic",
			want:    []sources.Topic{vTopic("", "dup"), vTopic("", "dup")},
			got:     []chatapi.TopicInfo{{TopicId: "x", TopicName: "dup"}},
			checked: 2, equal: 1,
			diffs:        []Diff{{Kind: sources.Topics, Status: DiffMissing, GroupId: vGID, GroupName: "dup"}},
			missingLines: []string{`{"GroupId":"@TGS#_g1","TopicName":"dup"}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []verifyTopic
			for _, w := range tc.want {
				want = append(want, newVerifyTopic(w, ids))
			}
			res := diffTopics(vGID, want, tc.got)
			checkVerifyResult(t, res, tc.checked, tc.equal, tc.diffs, tc.missingLines)
		})
	}
}

func checkVerifyResult(t *testing.T, res checkResult, checked, equal int, diffs []Diff, lines []string) {
	t.Helper()
	if res.checked != checked || res.equal != equal {
		t.Errorf("checked, equal = %d, %d; want %d, %d", res.checked, res.equal, checked, equal)
	}
	if !reflect.DeepEqual(res.diffs, diffs) {
		t.Errorf("diffs:\n got %+v\nwant %+v", res.diffs, diffs)
	}
	var got []string
	for _, m := range res.missing {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	if !reflect.DeepEqual(got, lines) {
		t.Errorf("missing lines:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(lines, "\n     "))
	}
}

func TestDiffFriendGroups(t *testing.T) {
	fd := func(status, group, member string) Diff {
		d := Diff{Kind: sources.FriendGroups, Status: status, From_Account: "u", GroupName: group, Member: member}
		if member != "" {
			d.Field = "To_Account"
		}
		return d
	}
	tests := []struct {
		name    string
		want    map[string][]string
		got     []chatapi.FriendGroupInfo
		checked int
		equal   int
		diffs   []Diff
		lines   []string
	}{
		{
			name:    "equal, empty group included",
			want:    map[string][]string{"a": {"x", "y"}, "empty": {}},
			got:     []chatapi.FriendGroupInfo{{GroupName: "empty"}, {GroupName: "a", To_Account: []string{"y", "x"}}},
			checked: 2, equal: 2,
		},
		{
			name:    "missing group, member missing, member extra, extra group",
			want:    map[string][]string{"a": {"x", "y"}, "gone": {"z"}, "e": {}},
			got:     []chatapi.FriendGroupInfo{{GroupName: "a", To_Account: []string{"x", "w"}}, {GroupName: "other", To_Account: []string{"q"}}, {GroupName: "e"}},
			checked: 3, equal: 1,
			diffs: []Diff{fd(DiffMissing, "a", "y"), fd(DiffExtra, "a", "w"), fd(DiffMissing, "gone", ""), fd(DiffExtra, "other", "")},
			lines: []string{`{"From_Account":"u","GroupName":"a","To_Account":["y"]}`, `{"From_Account":"u","GroupName":"gone","To_Account":["z"]}`},
		},
		{
			name:    "missing empty group keeps an empty To_Account list",
			want:    map[string][]string{"e": {}},
			checked: 1,
			diffs:   []Diff{fd(DiffMissing, "e", "")},
			lines:   []string{`{"From_Account":"u","GroupName":"e","To_Account":[]}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkVerifyResult(t, diffFriendGroups("u", tc.want, tc.got), tc.checked, tc.equal, tc.diffs, tc.lines)
		})
	}
}

func TestDiffContactGroups(t *testing.T) {
	c2c := func(id string) chatapi.ContactItem { return chatapi.ContactItem{Type: 1, To_Account: id} }
	grp := func(id string) chatapi.ContactItem { return chatapi.ContactItem{Type: 2, ToGroupId: id} }
	cd := func(status, group, member, field string) Diff {
		return Diff{Kind: sources.ContactGroups, Status: status, From_Account: "u", GroupName: group, Member: member, Field: field}
	}
	tests := []struct {
		name       string
		want, got  map[string][]chatapi.ContactItem
		changeOnly map[string]bool // groups the input only removes from or renames
		checked    int
		equal      int
		diffs      []Diff
		lines      []string
	}{
		{
			name:       "a group the input only changes is not missing when the target lacks it",
			want:       map[string][]chatapi.ContactItem{"renamed": {}, "trimmed": {}, "a": {c2c("x")}},
			got:        map[string][]chatapi.ContactItem{"a": {c2c("x")}, "trimmed": {c2c("y")}},
			changeOnly: map[string]bool{"renamed": true, "trimmed": true},
			checked:    2, equal: 1,
			diffs: []Diff{cd(DiffExtra, "trimmed", "y", "To_Account")},
		},
		{
			name:    "equal",
			want:    map[string][]chatapi.ContactItem{"a": {c2c("x"), grp("@TGS#g")}, "e": {}},
			got:     map[string][]chatapi.ContactItem{"a": {grp("@TGS#g"), c2c("x")}, "e": nil},
			checked: 2, equal: 2,
		},
		{
			name:    "a conversation moved between groups: missing in one, extra in the other",
			want:    map[string][]chatapi.ContactItem{"a": {c2c("x"), c2c("y")}, "b": {c2c("z")}},
			got:     map[string][]chatapi.ContactItem{"a": {c2c("x")}, "b": {c2c("z"), c2c("y")}},
			checked: 2,
			diffs:   []Diff{cd(DiffMissing, "a", "y", "To_Account"), cd(DiffExtra, "b", "y", "To_Account")},
			lines:   []string{`{"From_Account":"u","GroupName":"a","ContactItem":[{"Type":1,"To_Account":"y"}]}`},
		},
		{
			name:    "missing group and extra group",
			want:    map[string][]chatapi.ContactItem{"gone": {grp("@TGS#g")}, "e": {}},
			got:     map[string][]chatapi.ContactItem{"new": {c2c("x")}},
			checked: 2,
			diffs:   []Diff{cd(DiffMissing, "e", "", ""), cd(DiffMissing, "gone", "", ""), cd(DiffExtra, "new", "", "")},
			lines: []string{`{"From_Account":"u","GroupName":"e"}`,
				`{"From_Account":"u","GroupName":"gone","ContactItem":[{"Type":2,"ToGroupId":"@TGS#g"}]}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkVerifyResult(t, diffContactGroups("u", onlyIfThere(tc.want, tc.got, tc.changeOnly), tc.got),
				tc.checked, tc.equal, tc.diffs, tc.lines)
		})
	}
}

func TestContactPages(t *testing.T) {
	var p contactPages
	p.add(&chatapi.GetContactGroupResponse{
		GroupItem:   []chatapi.ContactGroupItem{{GroupName: "a", GroupId: 1}, {GroupName: "empty", GroupId: 2}},
		ContactItem: []chatapi.ContactWithGroups{{Type: 1, To_Account: "x", ContactGroupId: []int{1, 3}}},
	})
	p.add(&chatapi.GetContactGroupResponse{
		GroupItem:   []chatapi.ContactGroupItem{{GroupName: "a", GroupId: 1}, {GroupName: "empty", GroupId: 2}},
		ContactItem: []chatapi.ContactWithGroups{{Type: 2, ToGroupId: "@TGS#g", ContactGroupId: []int{1}}},
	})
	want := map[string][]chatapi.ContactItem{
		"a":                  {{Type: 1, To_Account: "x"}, {Type: 2, ToGroupId: "@TGS#g"}},
		"empty":              nil,
		"(ContactGroupId 3)": {{Type: 1, To_Account: "x"}},
	}
	if got := p.groups(); !reflect.DeepEqual(got, want) {
		t.Errorf("groups = %v, want %v", got, want)
	}
}

func TestInSample(t *testing.T) {
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = "user" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)
	}
	for _, f := range []float64{0.01, 0.1, 0.5} {
		t.Run(strconv.Itoa(int(f*100))+"%", func(t *testing.T) {
			n := 0
			for _, id := range ids {
				if inSample(id, f) {
					n++
					if !inSample(id, f*1.5) {
						t.Fatalf("%s in the %g sample but not in a larger one", id, f)
					}
				}
			}
			// Binomial: the count stays within 5 standard deviations of the mean.
			mean := f * float64(len(ids))
			if d := float64(n) - mean; d*d > 25*mean*(1-f) {
				t.Errorf("sample of %g picked %d of %d", f, n, len(ids))
			}
		})
	}
	if !inSample("anything", 1) {
		t.Error("fraction 1 must take everything")
	}
}

// TestSampleValueStable pins the sampling hash: --sample must pick the same users and groups
// in every run and every version, or a spot check repeated after a fix would look elsewhere.
func TestSampleValueStable(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want float64
	}{{"alice", 0.5614648192098135}, {"u1", 0.02434190247314505}, {"@TGS#_abc", 0.4751232868385947}} {
		t.Run(tc.id, func(t *testing.T) {
			if got := sampleValue(tc.id); got != tc.want {
				t.Fatalf("sampleValue(%q) = %v, want %v", tc.id, got, tc.want)
			}
		})
	}
}
