package chatsim_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// FuzzBodies feeds arbitrary bodies to every endpoint: the emulator must never panic, always
// answer JSON with ActionStatus matching ErrorCode, and never store anything on a refusal.
func FuzzBodies(f *testing.F) {
	seeds := []string{
		`{"GroupId":"@TGS#_a","TopicName":"t","CreateTime":1}`,
		`{"From_Account":"a","GroupName":["g"],"To_Account":["b"]}`,
		`{"From_Account":"a","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":1,"To_Account":"b"}]}]}`,
		`{"From_Account":"a","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"g","ContactUpdateItem":[{"ContactOptType":1,"ContactItem":{"Type":2,"ToGroupId":"x"}}]}}`,
		`{"From_Account":"a","StartIndex":0}`,
		`{"From_Account":"a","UpdateItem":[{"To_Account":"b","SnsItem":[{"Tag":"Tag_SNS_IM_Group","Value":["g"]}]}]}`,
		`{"From_Account":"a","To_Account":["b"],"CheckType":"CheckResult_Type_Both"}`,
		`{"CheckItem":[{"UserID":"a"}]}`, `{"GroupIdList":["g"],"ResponseFilter":{"GroupBaseInfoFilter":["Type"]}}`,
		`{"GroupId":"g","User_Account":["a"]}`,
		`{"CreateTime":-0}`, `{"StartIndex":1e2}`, `null`, `{"UpdateGroup":null}`, "{\"TopicName\":\"\xff\"}",
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	paths := []string{
		chatapi.PathImportTopic, chatapi.PathGetTopic, chatapi.PathGroupAdd, chatapi.PathGroupGet,
		chatapi.PathCreateContactGroup, chatapi.PathUpdateContactGroup, chatapi.PathGetContactGroup,
		chatapi.PathFriendUpdate, chatapi.PathFriendGet, chatapi.PathFriendCheck, chatapi.PathAccountCheck,
		chatapi.PathGetGroupInfo, chatapi.PathGetRoleInGroup,
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		h := newHarness(t, chatsim.Config{})
		path := paths[int(which)%len(paths)]
		res := h.do(http.MethodPost, path, query("1400000001", admin, h.sig), body)
		if res.Status != http.StatusOK {
			t.Fatalf("HTTP %d", res.Status)
		}
		var env chatapi.BaseResponse
		if err := json.Unmarshal(res.Body, &env); err != nil {
			t.Fatalf("answer not JSON: %v", err)
		}
		if (env.ActionStatus == "OK") != (env.ErrorCode == 0) {
			t.Fatalf("ActionStatus %q with ErrorCode %d", env.ActionStatus, env.ErrorCode)
		}
		if env.ErrorCode != 0 {
			st := h.srv.Dump()
			if len(st.Topics)+len(st.FriendGroups)+len(st.ContactGroups) != 0 {
				t.Fatalf("ErrorCode %d but state changed", env.ErrorCode)
			}
		}
	})
}

// FuzzParseWorld: any input either parses into a world New accepts, or fails cleanly.
func FuzzParseWorld(f *testing.F) {
	f.Add(`{"Communities":[{"GroupId":"@TGS#_a","Topics":true}],"Users":["u"],"Friends":{"u":["v"]}}`)
	f.Add(`{"Lenient":true,"TopicQuota":3}`)
	f.Add(`{"Friends":{"":[""]}}`)
	f.Add(existingWorld)
	f.Add(`{"Dialect":{"CreateExisting":"duplicate"},"NotImported":["x"],"GroupTypes":{"g":"Private"}}`)
	f.Fuzz(func(t *testing.T, data string) {
		w, err := chatsim.ParseWorld([]byte(data))
		if err != nil {
			return
		}
		if _, err := chatsim.New(chatsim.Config{SDKAppID: 1, Key: "k", World: w}); err != nil {
			t.Fatalf("ParseWorld accepted a world New refuses: %v", err)
		}
	})
}

// FuzzParseDialect: any spec is refused or gives a dialect whose String form parses back to
// the same dialect.
func FuzzParseDialect(f *testing.F) {
	for _, s := range []string{"default", "strictest", "silent,lost-answer=nothing", "create-existing=duplicate",
		"contact-page-size=7", "strictest,contact-page-size=0", "x=y", ",", "default,default", "friend-page-size=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		d, err := chatsim.ParseDialect(spec)
		if err != nil {
			return
		}
		again, err := chatsim.ParseDialect(d.String())
		if err != nil {
			t.Fatalf("ParseDialect(%q) = %q, which does not parse: %v", spec, d.String(), err)
		}
		if again.String() != d.String() {
			t.Fatalf("ParseDialect(%q): %q, then %q", spec, d.String(), again.String())
		}
	})
}
