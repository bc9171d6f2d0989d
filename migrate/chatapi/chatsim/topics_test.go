package chatsim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

const g1 = "@TGS#_@TGS#cBZXAIIM62CV"

func TestImportTopicValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		body string
		want int
	}{
		{"minimal", `{"GroupId":"` + g1 + `","TopicName":"t"}`, 0},
		{"all fields", `{"Type":"Community","GroupId":"` + g1 + `","TopicId":"` + g1 + `@TOPIC#_news","TopicName":"t","From_Account":"u","CustomString":"c","FaceUrl":"http://f","Notification":"n","Introduction":"i","CreateTime":1448357837}`, 0},
		{"name 30 bytes", `{"GroupId":"` + g1 + `","TopicName":"` + long(30) + `"}`, 0},
		{"name 10 Chinese chars is 30 bytes", `{"GroupId":"` + g1 + `","TopicName":"` + strings.Repeat("话", 10) + `"}`, 0},
		{"name 31 bytes", `{"GroupId":"` + g1 + `","TopicName":"` + long(31) + `"}`, chatapi.CodeBadParam},
		{"name 11 Chinese chars", `{"GroupId":"` + g1 + `","TopicName":"` + strings.Repeat("话", 11) + `"}`, chatapi.CodeBadParam},
		{"name missing", `{"GroupId":"` + g1 + `"}`, chatapi.CodeBadParam},
		{"name empty", `{"GroupId":"` + g1 + `","TopicName":""}`, chatapi.CodeBadParam},
		{"name a number", `{"GroupId":"` + g1 + `","TopicName":5}`, chatapi.CodeBadParam},
		{"GroupId missing", `{"TopicName":"t"}`, chatapi.CodeBadParam},
		{"GroupId not a community", `{"GroupId":"@TGS#2abc","TopicName":"t"}`, chatapi.CodeBadGroupID},
		{"Type not Community", `{"Type":"Public","GroupId":"` + g1 + `","TopicName":"t"}`, chatapi.CodeBadParam},
		{"notification 300", `{"GroupId":"` + g1 + `","TopicName":"t","Notification":"` + long(300) + `"}`, 0},
		{"notification 301", `{"GroupId":"` + g1 + `","TopicName":"t","Notification":"` + long(301) + `"}`, chatapi.CodeBadParam},
		{"introduction 241", `{"GroupId":"` + g1 + `","TopicName":"t","Introduction":"` + long(241) + `"}`, chatapi.CodeBadParam},
		{"faceurl 101", `{"GroupId":"` + g1 + `","TopicName":"t","FaceUrl":"` + long(101) + `"}`, chatapi.CodeBadParam},
		{"customstring 3000", `{"GroupId":"` + g1 + `","TopicName":"t","CustomString":"` + long(3000) + `"}`, 0},
		{"customstring 3001", `{"GroupId":"` + g1 + `","TopicName":"t","CustomString":"` + long(3001) + `"}`, chatapi.CodeBadParam},
		{"optional empty string", `{"GroupId":"` + g1 + `","TopicName":"t","FaceUrl":""}`, chatapi.CodeBadParam},
		{"optional null", `{"GroupId":"` + g1 + `","TopicName":"t","Notification":null}`, chatapi.CodeBadParam},
		{"CreateTime 0", `{"GroupId":"` + g1 + `","TopicName":"t","CreateTime":0}`, chatapi.CodeBadParam},
		{"CreateTime float", `{"GroupId":"` + g1 + `","TopicName":"t","CreateTime":1.5}`, chatapi.CodeBadParam},
		{"CreateTime exponent", `{"GroupId":"` + g1 + `","TopicName":"t","CreateTime":1e9}`, chatapi.CodeBadParam},
		{"CreateTime string", `{"GroupId":"` + g1 + `","TopicName":"t","CreateTime":"1448357837"}`, chatapi.CodeBadParam},
		{"CreateTime negative", `{"GroupId":"` + g1 + `","TopicName":"t","CreateTime":-5}`, chatapi.CodeBadParam},
		{"field names are case-sensitive", `{"groupid":"` + g1 + `","TopicName":"t"}`, chatapi.CodeBadParam},
		{"TopicId other group", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"@TGS#_other@TOPIC#_x"}`, chatapi.CodeBadParam},
		{"TopicId no suffix", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_"}`, chatapi.CodeBadParam},
		// docs/vendor-api.md, "Limits": a topic marker inside the custom part is legal; the
		// vendor's default form is not a custom ID.
		{"TopicId marker in suffix", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_a@TOPIC#_b"}`, 0},
		{"TopicId in the vendor's form", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_@TOPIC#cABC"}`, chatapi.CodeBadParam},
		{"TopicId group marker in suffix", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_a@TGS#_b"}`, chatapi.CodeBadParam},
		{"TopicId non-ASCII suffix", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_话"}`, chatapi.CodeBadParam},
		{"TopicId control char", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_a\tb"}`, chatapi.CodeBadParam},
		{"TopicId 96 bytes", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_` + long(96-len(g1)-8) + `"}`, 0},
		{"TopicId 97 bytes", `{"GroupId":"` + g1 + `","TopicName":"t","TopicId":"` + g1 + `@TOPIC#_` + long(97-len(g1)-8) + `"}`, chatapi.CodeBadParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{})
			res := h.call(chatapi.PathImportTopic, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if n := len(h.srv.Dump().Topics[g1]); (tt.want == 0) != (n == 1) {
				t.Fatalf("%d topics stored after ErrorCode %d", n, res.ErrorCode)
			}
		})
	}
}

func TestImportTopicState(t *testing.T) {
	h := newHarness(t, chatsim.Config{Seed: 7})
	var gen chatapi.ImportTopicResponse
	h.callInto(chatapi.PathImportTopic, `{"GroupId":"`+g1+`","TopicName":"generated"}`, &gen)
	if !strings.HasPrefix(gen.TopicId, g1+"@TOPIC#_@TOPIC#c") || len(gen.TopicId) != len(g1)+8+8+11 {
		t.Fatalf("generated TopicId %q does not have the vendor's shape", gen.TopicId)
	}
	custom := g1 + "@TOPIC#_news"
	var got chatapi.ImportTopicResponse
	h.callInto(chatapi.PathImportTopicMillion, `{"GroupId":"`+g1+`","TopicId":"`+custom+`","TopicName":"News","CreateTime":1448357837,"From_Account":"alice"}`, &got)
	if got.TopicId != custom {
		t.Fatalf("TopicId %q, want %q", got.TopicId, custom)
	}
	if res := h.call(chatapi.PathImportTopic, `{"GroupId":"`+g1+`","TopicId":"`+custom+`","TopicName":"Other"}`); res.ErrorCode != chatapi.CodeTopicIDUsed {
		t.Fatalf("re-import: ErrorCode %d, want 10021", res.ErrorCode)
	}
	want := []chatsim.Topic{
		{TopicId: gen.TopicId, TopicName: "generated", CreateTime: h.clock.Now().Unix()},
		{TopicId: custom, TopicName: "News", From_Account: "alice", CreateTime: 1448357837},
	}
	if got := mustJSON(t, h.srv.Dump().Topics[g1]); got != mustJSON(t, want) {
		t.Fatalf("state\n got %s\nwant %s", got, mustJSON(t, want))
	}

	// The same imports with the same seed generate the same IDs.
	h2 := newHarness(t, chatsim.Config{Seed: 7})
	var again chatapi.ImportTopicResponse
	h2.callInto(chatapi.PathImportTopic, `{"GroupId":"`+g1+`","TopicName":"generated"}`, &again)
	if again.TopicId != gen.TopicId {
		t.Fatalf("seeded TopicId differs: %q vs %q", again.TopicId, gen.TopicId)
	}
}

func TestTopicWorld(t *testing.T) {
	w := &chatsim.World{
		Communities: []chatsim.Community{{GroupId: "@TGS#_on", Topics: true}, {GroupId: "@TGS#_off"}},
		TopicQuota:  2,
	}
	tests := []struct {
		name string
		gid  string
		n    int // imports before the checked one
		want int
	}{
		{"topic-enabled", "@TGS#_on", 0, 0},
		{"missing group", "@TGS#_nope", 0, chatapi.CodeGroupMissing},
		{"no topic feature", "@TGS#_off", 0, chatapi.CodeNoTopicFeature},
		{"quota reached", "@TGS#_on", 2, chatapi.CodeTopicQuota},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: w})
			for i := range tt.n {
				h.callInto(chatapi.PathImportTopic, mustJSON(t, chatapi.ImportTopicRequest{GroupId: tt.gid, TopicName: "t" + string(rune('a'+i))}), &chatapi.ImportTopicResponse{})
			}
			res := h.call(chatapi.PathImportTopic, mustJSON(t, chatapi.ImportTopicRequest{GroupId: tt.gid, TopicName: "last"}))
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d, want %d", res.ErrorCode, tt.want)
			}
			if got := len(h.srv.Dump().Topics[tt.gid]); got != tt.n+btoi(tt.want == 0) {
				t.Fatalf("%d topics stored", got)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestGetTopic(t *testing.T) {
	h := newHarness(t, chatsim.Config{World: &chatsim.World{Communities: []chatsim.Community{{GroupId: g1, Topics: true}, {GroupId: "@TGS#_off"}}}})
	a, b := g1+"@TOPIC#_a", g1+"@TOPIC#_b"
	h.callInto(chatapi.PathImportTopic, `{"GroupId":"`+g1+`","TopicId":"`+b+`","TopicName":"B","Notification":"nb","CreateTime":2}`, &chatapi.ImportTopicResponse{})
	h.callInto(chatapi.PathImportTopic, `{"GroupId":"`+g1+`","TopicId":"`+a+`","TopicName":"A","CustomString":"ca","CreateTime":1}`, &chatapi.ImportTopicResponse{})

	type item struct {
		Code int
		ID   string
		Name string
		Note string
	}
	flatten := func(r chatapi.GetTopicResponse) []item {
		var out []item
		for _, it := range r.TopicAndSelfInfo {
			out = append(out, item{it.ErrorCode, it.TopicInfo.TopicId, it.TopicInfo.TopicName, it.TopicInfo.Notification})
		}
		return out
	}
	tests := []struct {
		name string
		body string
		want []item
	}{
		{"all", `{"GroupId":"` + g1 + `","From_Account":"u"}`, []item{{0, a, "A", ""}, {0, b, "B", "nb"}}},
		{"list with a missing ID", `{"GroupId":"` + g1 + `","From_Account":"u","TopicIdList":["` + b + `","` + g1 + `@TOPIC#_zz"]}`, []item{{0, b, "B", "nb"}, {chatapi.CodeGroupMissing, g1 + "@TOPIC#_zz", "", ""}}},
		{"filter", `{"GroupId":"` + g1 + `","From_Account":"u","TopicIdList":["` + b + `"],"ResponseFilter":["Notification"]}`, []item{{0, b, "", "nb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp chatapi.GetTopicResponse
			h.callInto(chatapi.PathGetTopic, tt.body, &resp)
			if got := mustJSON(t, flatten(resp)); got != mustJSON(t, tt.want) {
				t.Fatalf("got %s\nwant %s", got, mustJSON(t, tt.want))
			}
		})
	}
	for _, tt := range []struct {
		name, body string
		want       int
	}{
		{"group missing", `{"GroupId":"@TGS#_nope","From_Account":"u"}`, chatapi.CodeGroupMissing},
		{"no topic feature", `{"GroupId":"@TGS#_off","From_Account":"u"}`, chatapi.CodeNoTopicFeature},
		{"From_Account missing", `{"GroupId":"` + g1 + `"}`, chatapi.CodeBadParam},
		{"TopicIdList null", `{"GroupId":"` + g1 + `","From_Account":"u","TopicIdList":null}`, chatapi.CodeBadParam},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := h.call(chatapi.PathGetTopic, tt.body); res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d, want %d", res.ErrorCode, tt.want)
			}
		})
	}
	// The answer is the vendor's shape: TopicAndSelfInfo with SelfInfo.
	var raw map[string]json.RawMessage
	h.callInto(chatapi.PathGetTopic, `{"GroupId":"`+g1+`","From_Account":"u"}`, &raw)
	if !contains(raw["TopicAndSelfInfo"], `"SelfInfo"`) {
		t.Fatalf("no SelfInfo in %s", raw["TopicAndSelfInfo"])
	}
}
