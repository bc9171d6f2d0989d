package chatsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

const existingWorld = `{
 "Communities": [{"GroupId": "@TGS#_a", "Topics": true}, {"GroupId": "@TGS#_flat"}],
 "Groups": ["team-7"],
 "GroupMembers": {"team-7": {"Owner": "alice"}},
 "Users": ["alice", "bob", "carol"],
 "NotImported": ["ghost"],
 "Friends": {"alice": ["bob", "carol"]},
 "Existing": {
  "Topics": {"@TGS#_a": [{"TopicId": "@TGS#_a@TOPIC#_old", "TopicName": "old", "CreateTime": 7},
                         {"TopicName": "unnamed", "CreateTime": 8}]},
  "FriendGroups": {"alice": {"work": ["bob"], "empty": []}},
  "ContactGroups": {"alice": [{"GroupName": "fav", "Contacts": [{"Type": 1, "To_Account": "bob"}, {"Type": 2, "ToGroupId": "team-7"}]},
                              {"GroupId": 5, "GroupName": "five", "Contacts": []}]}
 }
}`

func TestWorldExistingIsServed(t *testing.T) {
	w, err := chatsim.ParseWorld([]byte(existingWorld))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, chatsim.Config{World: w, Seed: 3})

	var topics chatapi.GetTopicResponse
	h.callInto(chatapi.PathGetTopic, `{"GroupId":"@TGS#_a","From_Account":"administrator"}`, &topics)
	var got []string
	for _, ti := range topics.TopicAndSelfInfo {
		got = append(got, fmt.Sprintf("%s=%s@%d", ti.TopicInfo.TopicId, ti.TopicInfo.TopicName, ti.TopicInfo.CreateTime))
	}
	if len(got) != 2 || got[1] != "@TGS#_a@TOPIC#_old=old@7" || !strings.HasPrefix(got[0], "@TGS#_a@TOPIC#_@TOPIC#c") || !strings.HasSuffix(got[0], "=unnamed@8") {
		t.Fatalf("topics %v", got)
	}
	if res := h.call(chatapi.PathImportTopic, `{"GroupId":"@TGS#_a","TopicId":"@TGS#_a@TOPIC#_old","TopicName":"again"}`); res.ErrorCode != chatapi.CodeTopicIDUsed {
		t.Fatalf("re-import of an existing TopicId: ErrorCode %d", res.ErrorCode)
	}

	var groups chatapi.GroupGetResponse
	h.callInto(chatapi.PathGroupGet, `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`, &groups)
	if mustJSON(t, groups.ResultItem) != `[{"GroupName":"empty","FriendNumber":0},{"GroupName":"work","FriendNumber":1,"To_Account":["bob"]}]` {
		t.Fatalf("friend groups %s", mustJSON(t, groups.ResultItem))
	}

	var contacts chatapi.GetContactGroupResponse
	h.callInto(chatapi.PathGetContactGroup, `{"From_Account":"alice","StartIndex":0}`, &contacts)
	if mustJSON(t, contacts.GroupItem) != `[{"GroupName":"fav","GroupId":1},{"GroupName":"five","GroupId":5}]` ||
		mustJSON(t, contacts.ContactItem) != `[{"Type":1,"To_Account":"bob","ContactGroupId":[1]},{"Type":2,"ToGroupId":"team-7","ContactGroupId":[1]}]` {
		t.Fatalf("conversation groups %s %s", mustJSON(t, contacts.GroupItem), mustJSON(t, contacts.ContactItem))
	}
	var created chatapi.CreateContactGroupResponse
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "new", nil), &created)
	if id := created.GroupResultItem[0].GroupItem.GroupId; id != 6 {
		t.Fatalf("a new group after the existing ones got GroupId %d, want 6", id)
	}
	if res := h.call(chatapi.PathCreateContactGroup, createBody(t, "alice", "fav", nil)); res.ErrorCode != chatapi.CodeRCPinnedLimit {
		t.Fatalf("create of an existing name: ErrorCode %d", res.ErrorCode)
	}

	var accounts chatapi.AccountCheckResponse
	h.callInto(chatapi.PathAccountCheck, `{"CheckItem":[{"UserID":"bob"},{"UserID":"ghost"}]}`, &accounts)
	if accounts.ResultItem[0].AccountStatus != "Imported" || accounts.ResultItem[1].AccountStatus != "NotImported" {
		t.Fatalf("accounts %+v", accounts.ResultItem)
	}
}

// TestWorldExistingCountsTowardLimits: what the target holds counts toward a user's 20
// conversation groups and 1000 conversations, and 32 friend groups.
func TestWorldExistingCountsTowardLimits(t *testing.T) {
	var groups []chatsim.ContactGroup
	for i := range 19 {
		var cs []chatapi.ContactItem
		if i == 0 {
			cs = c2c(names(999, "u")...)
		}
		groups = append(groups, chatsim.ContactGroup{GroupName: fmt.Sprintf("g%d", i), Contacts: cs})
	}
	w := &chatsim.World{Lenient: true, Existing: &chatsim.State{
		ContactGroups: map[string][]chatsim.ContactGroup{"alice": groups},
		FriendGroups: map[string]map[string][]string{"alice": func() map[string][]string {
			m := map[string][]string{}
			for _, n := range names(31, "f") {
				m[n] = nil
			}
			return m
		}()},
	}}
	h := newHarness(t, chatsim.Config{World: w})
	var created chatapi.CreateContactGroupResponse
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "twentieth", c2c("u5", "new1", "new2")), &created)
	var codes []int
	for _, r := range created.GroupResultItem[0].ResultItem {
		codes = append(codes, r.ResultCode)
	}
	if fmt.Sprint(codes) != "[0 0 51008]" {
		t.Fatalf("codes %v, want an existing conversation, the 1000th, then 51008", codes)
	}
	if res := h.call(chatapi.PathCreateContactGroup, createBody(t, "alice", "21st", nil)); res.ErrorCode != chatapi.CodeRCTooManyGroups {
		t.Fatalf("21st group: ErrorCode %d", res.ErrorCode)
	}
	if res := h.call(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["x","y"]}`); res.ErrorCode != chatapi.CodeSNSGroupLimit {
		t.Fatalf("33rd friend group: ErrorCode %d", res.ErrorCode)
	}
}

func TestParseWorldTargetState(t *testing.T) {
	tooMany := make([]string, 1001)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf(`{"Type":1,"To_Account":"u%d"}`, i)
	}
	tests := []struct {
		name, json, wantErr string
	}{
		{"the example", existingWorld, ""},
		{"custom group IDs", `{"Groups":["team-7","` + strings.Repeat("x", 48) + `","@TGS#` + strings.Repeat("y", 60) + `"]}`, ""},
		{"user ID of 33 bytes", `{"Users":["` + strings.Repeat("u", 33) + `"]}`, "1 to 32 bytes"},
		{"unknown key in Existing", `{"Existing":{"Topic":{}}}`, "unknown field"},
		{"unknown key in GroupMembers", `{"GroupMembers":{"g":{"Owners":["a"]}}}`, "unknown field"},
		{"custom ID too long", `{"Groups":["` + strings.Repeat("x", 49) + `"]}`, "longer than 48"},
		{"ID not printable", `{"Groups":["a\tb"]}`, "printable"},
		{"Community in GroupTypes", `{"GroupTypes":{"@TGS#_x":"Public"}}`, "is a Community"},
		{"unknown type", `{"GroupTypes":{"g":"Club"}}`, "not one of"},
		{"member twice", `{"GroupMembers":{"g":{"Owner":"a","Members":["a"]}}}`, "both Owner and Member"},
		{"NotImported friend", `{"NotImported":["a"],"Friends":{"a":["b"]}}`, "NotImported"},
		{"NotImported member", `{"NotImported":["a"],"GroupMembers":{"g":{"Members":["a"]}}}`, "NotImported"},
		{"topic of an unknown community", `{"Existing":{"Topics":{"@TGS#_z":[{"TopicName":"t"}]}}}`, "no such Community"},
		{"topic without the feature", `{"Communities":[{"GroupId":"@TGS#_a"}],"Existing":{"Topics":{"@TGS#_a":[{"TopicName":"t"}]}}}`, "no topic feature"},
		{"topic without name", `{"Lenient":true,"Existing":{"Topics":{"@TGS#_a":[{"TopicId":"@TGS#_a@TOPIC#_x"}]}}}`, "without TopicName"},
		{"topic of another group", `{"Lenient":true,"Existing":{"Topics":{"@TGS#_a":[{"TopicId":"@TGS#_b@TOPIC#_x","TopicName":"t"}]}}}`, "is not GroupId"},
		{"vendor-form TopicId", `{"Lenient":true,"Existing":{"Topics":{"@TGS#_a":[{"TopicId":"@TGS#_a@TOPIC#_@TOPIC#cABC","TopicName":"t"}]}}}`, ""},
		{"TopicId twice", `{"Lenient":true,"Existing":{"Topics":{"@TGS#_a":[{"TopicId":"@TGS#_a@TOPIC#_x","TopicName":"t"},{"TopicId":"@TGS#_a@TOPIC#_x","TopicName":"u"}]}}}`, "twice"},
		{"topics over the quota", `{"Lenient":true,"TopicQuota":1,"Existing":{"Topics":{"@TGS#_a":[{"TopicName":"t"},{"TopicName":"u"}]}}}`, "TopicQuota"},
		{"friend group of a stranger", `{"Users":["a","b"],"Existing":{"FriendGroups":{"a":{"g":["b"]}}}}`, "not a friend"},
		{"friend group of an unknown user", `{"Existing":{"FriendGroups":{"a":{"g":[]}}}}`, "no such user"},
		{"friend group name too long", `{"Lenient":true,"Existing":{"FriendGroups":{"a":{"` + strings.Repeat("n", 31) + `":[]}}}}`, "1 to 30 bytes"},
		{"conversation group name twice", `{"Lenient":true,"Existing":{"ContactGroups":{"a":[{"GroupName":"g","Contacts":[]},{"GroupName":"g","Contacts":[]}]}}}`, "twice"},
		{"GroupId twice", `{"Lenient":true,"Existing":{"ContactGroups":{"a":[{"GroupId":2,"GroupName":"g","Contacts":[]},{"GroupId":2,"GroupName":"h","Contacts":[]}]}}}`, "taken"},
		{"group conversation without membership", `{"Users":["a"],"GroupMembers":{"g":{"Owner":"o"}},"Existing":{"ContactGroups":{"a":[{"GroupName":"c","Contacts":[{"Type":2,"ToGroupId":"g"}]}]}}}`, "not in it"},
		{"bad conversation", `{"Lenient":true,"Existing":{"ContactGroups":{"a":[{"GroupName":"c","Contacts":[{"Type":3,"To_Account":"b"}]}]}}}`, "neither"},
		{"1001 conversations", `{"Lenient":true,"Existing":{"ContactGroups":{"a":[{"GroupName":"c","Contacts":[` + strings.Join(tooMany, ",") + `]}]}}}`, "more than 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chatsim.ParseWorld([]byte(tt.json))
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}
