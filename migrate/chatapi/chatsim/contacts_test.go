package chatsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

func c2c(ids ...string) []chatapi.ContactItem {
	out := make([]chatapi.ContactItem, len(ids))
	for i, id := range ids {
		out[i] = chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: id}
	}
	return out
}

func createBody(t *testing.T, user, name string, items []chatapi.ContactItem) string {
	return mustJSON(t, chatapi.CreateContactGroupRequest{From_Account: user, GroupContactItem: []chatapi.GroupContactItem{{GroupName: name, ContactItem: items}}})
}

func TestCreateContactGroupValidation(t *testing.T) {
	w := &chatsim.World{Users: []string{"alice"}, Groups: []string{"@TGS#2known"}}
	tests := []struct {
		name string
		body string
		want int
	}{
		{"empty group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g"}]}`, 0},
		{"C2C and group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":1,"To_Account":"bob"},{"Type":2,"ToGroupId":"@TGS#2known"}]}]}`, 0},
		{"name 32 bytes", createBody(t, "alice", strings.Repeat("n", 32), nil), 0},
		// 32 by the error list, 64 by the newer create page: the emulator accepts 64.
		{"name 64 bytes", createBody(t, "alice", strings.Repeat("n", 64), nil), 0},
		{"name 65 bytes", createBody(t, "alice", strings.Repeat("n", 65), nil), chatapi.CodeRCNameTooLong},
		{"100 conversations", createBody(t, "alice", "g", c2c(names(100, "u")...)), 0},
		{"101 conversations", createBody(t, "alice", "g", c2c(names(101, "u")...)), chatapi.CodeRCTooManyContacts},
		{"name empty", `{"From_Account":"alice","GroupContactItem":[{"GroupName":""}]}`, chatapi.CodeRCBadParam},
		{"two groups", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"a"},{"GroupName":"b"}]}`, chatapi.CodeRCBadParam},
		{"no groups", `{"From_Account":"alice","GroupContactItem":[]}`, chatapi.CodeRCBadParam},
		{"Type 1 without To_Account", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":1,"ToGroupId":"@TGS#2known"}]}]}`, chatapi.CodeRCBadParam},
		{"Type 2 without ToGroupId", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":2,"To_Account":"bob"}]}]}`, chatapi.CodeRCBadParam},
		{"both IDs", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":1,"To_Account":"bob","ToGroupId":"@TGS#2known"}]}]}`, chatapi.CodeRCBadParam},
		{"Type 3", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":3,"To_Account":"bob"}]}]}`, chatapi.CodeRCBadParam},
		{"Type a string", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":"1","To_Account":"bob"}]}]}`, chatapi.CodeRCBadParam},
		{"ToGroupId empty", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[{"Type":1,"To_Account":"bob","ToGroupId":""}]}]}`, chatapi.CodeRCBadParam},
		{"unknown user", createBody(t, "zoe", "g", nil), chatapi.CodeRCNoUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: w})
			res := h.call(chatapi.PathCreateContactGroup, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if stored := len(h.srv.Dump().ContactGroups) > 0; stored != (tt.want == 0) {
				t.Fatalf("state changed = %v after ErrorCode %d", stored, res.ErrorCode)
			}
		})
	}
}

func TestContactGroupModel(t *testing.T) {
	h := newHarness(t, chatsim.Config{World: &chatsim.World{Users: []string{"alice"}, Groups: []string{"@TGS#2known"}}})
	var created chatapi.CreateContactGroupResponse
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "big", c2c(names(100, "u")...)), &created)
	g := created.GroupResultItem[0]
	if g.GroupItem != (chatapi.ContactGroupItem{GroupName: "big", GroupId: 1}) || len(g.ResultItem) != 100 {
		t.Fatalf("created %+v with %d results", g.GroupItem, len(g.ResultItem))
	}
	// Fill the user's 1000 (across all of its groups, docs/vendor-api.md "Limits"), 100 per
	// request; the last request's two extra conversations fail with 51008.
	all := names(1002, "u")
	var last chatapi.UpdateContactGroupResponse
	for from := 100; from < len(all); from += 100 {
		var ops []chatapi.ContactUpdateItem
		for _, id := range all[from:min(from+100, len(all))] {
			ops = append(ops, chatapi.ContactUpdateItem{ContactOptType: 1, ContactItem: c2c(id)[0]})
		}
		last = chatapi.UpdateContactGroupResponse{}
		h.callInto(chatapi.PathUpdateContactGroup, mustJSON(t, chatapi.UpdateContactGroupMembers("alice", "big", ops)), &last)
	}
	r := last.UpdateGroupResult.ContactResultItem
	if len(r) != 2 || r[0].ResultCode != chatapi.CodeRCGroupFull || r[1].ResultCode != chatapi.CodeRCGroupFull {
		t.Fatalf("past 1000: %+v", r)
	}
	if n := len(h.srv.Dump().ContactGroups["alice"][0].Contacts); n != 1000 {
		t.Fatalf("%d contacts stored, want 1000", n)
	}

	// Same name again: 51012 (the default reading of an open question) and nothing changes.
	before := mustJSON(t, h.srv.Dump())
	if res := h.call(chatapi.PathCreateContactGroup, createBody(t, "alice", "big", c2c("new"))); res.ErrorCode != chatapi.CodeRCPinnedLimit {
		t.Fatalf("re-create: ErrorCode %d", res.ErrorCode)
	}
	if mustJSON(t, h.srv.Dump()) != before {
		t.Fatal("re-create changed the state")
	}

	// The 1000 are per user: another group takes a conversation the user already has, not
	// a new one. A group conversation with an unknown group fails with 51007 first.
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "g2", []chatapi.ContactItem{
		{Type: 2, ToGroupId: "@TGS#2gone"}, {Type: 1, To_Account: "u5"}, {Type: 2, ToGroupId: "@TGS#2known"}}), &created)
	if r := created.GroupResultItem[0].ResultItem; r[0].ResultCode != chatapi.CodeRCLookupFailed || r[1].ResultCode != 0 ||
		r[2].ResultCode != chatapi.CodeRCGroupFull || created.GroupResultItem[0].GroupItem.GroupId != 2 {
		t.Fatalf("g2: %+v", created.GroupResultItem[0])
	}

	// 20 groups at most.
	for i := 3; i <= 20; i++ {
		h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", fmt.Sprintf("g%d", i), nil), &created)
	}
	if res := h.call(chatapi.PathCreateContactGroup, createBody(t, "alice", "g21", nil)); res.ErrorCode != chatapi.CodeRCTooManyGroups {
		t.Fatalf("21st group: ErrorCode %d", res.ErrorCode)
	}
	if n := len(h.srv.Dump().ContactGroups["alice"]); n != 20 {
		t.Fatalf("%d groups", n)
	}
}

func TestUpdateContactGroup(t *testing.T) {
	h := newHarness(t, chatsim.Config{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", c2c("x")), &chatapi.CreateContactGroupResponse{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "b", nil), &chatapi.CreateContactGroupResponse{})
	members := func(opt ...chatapi.ContactUpdateItem) string {
		return mustJSON(t, chatapi.UpdateContactGroupRequest{From_Account: "alice", UpdateType: 1,
			UpdateGroup: chatapi.UpdateGroup{UpdateGroupType: 2, OldGroupName: "a", ContactUpdateItem: opt}})
	}
	rename := func(old, new string) string {
		return mustJSON(t, chatapi.UpdateContactGroupRequest{From_Account: "alice", UpdateType: 1,
			UpdateGroup: chatapi.UpdateGroup{UpdateGroupType: 1, OldGroupName: old, NewGroupName: new}})
	}
	add := func(id string) chatapi.ContactUpdateItem {
		return chatapi.ContactUpdateItem{ContactOptType: 1, ContactItem: c2c(id)[0]}
	}
	del := func(id string) chatapi.ContactUpdateItem {
		return chatapi.ContactUpdateItem{ContactOptType: 2, ContactItem: c2c(id)[0]}
	}

	tests := []struct {
		name      string
		body      string
		want      int
		wantItems string // ResultCodes of ContactResultItem
		wantState string // alice's groups afterwards
	}{
		{"add and re-add", members(add("y"), add("x")), 0, "[0 0]", `a:[x y] b:[]`},
		{"delete present and absent", members(del("x"), del("nobody")), 0, "[0 0]", `a:[y] b:[]`},
		{"rename to a taken name", rename("a", "b"), chatapi.CodeRCPinnedLimit, "", `a:[y] b:[]`},
		{"rename a missing group", rename("zz", "c"), chatapi.CodeRCNoGroup, "", `a:[y] b:[]`},
		{"rename too long", rename("a", strings.Repeat("n", 65)), chatapi.CodeRCNameTooLong, "", `a:[y] b:[]`},
		{"rename", rename("a", "c"), 0, "", `b:[] c:[y]`},
		{"members of a missing group", members(add("q")), chatapi.CodeRCNoGroup, "", `b:[] c:[y]`},
		{"UpdateType 2", `{"From_Account":"alice","UpdateType":2,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"c","NewGroupName":"d"}}`, chatapi.CodeRCBadParam, "", `b:[] c:[y]`},
		{"UpdateGroupType 3", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":3,"OldGroupName":"c"}}`, chatapi.CodeRCBadParam, "", `b:[] c:[y]`},
		{"ContactOptType 3", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"c","ContactUpdateItem":[{"ContactOptType":3,"ContactItem":{"Type":1,"To_Account":"q"}}]}}`, chatapi.CodeRCBadParam, "", `b:[] c:[y]`},
		{"no items", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"c","ContactUpdateItem":[]}}`, chatapi.CodeRCBadParam, "", `b:[] c:[y]`},
		{"NewGroupName missing", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"c"}}`, chatapi.CodeRCBadParam, "", `b:[] c:[y]`},
	}
	for _, tt := range tests { // in order: each case starts from the state the previous left
		t.Run(tt.name, func(t *testing.T) {
			res := h.call(chatapi.PathUpdateContactGroup, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.wantItems != "" {
				var resp chatapi.UpdateContactGroupResponse
				decode(t, res.Body, &resp)
				var codes []int
				for _, it := range resp.UpdateGroupResult.ContactResultItem {
					codes = append(codes, it.ResultCode)
				}
				if got := fmt.Sprint(codes); got != tt.wantItems {
					t.Fatalf("item codes %s, want %s", got, tt.wantItems)
				}
			}
			var parts []string
			for _, g := range h.srv.Dump().ContactGroups["alice"] {
				var ids []string
				for _, c := range g.Contacts {
					ids = append(ids, c.To_Account)
				}
				parts = append(parts, fmt.Sprintf("%s:%v", g.GroupName, ids))
			}
			if got := sortedJoin(parts); got != tt.wantState {
				t.Fatalf("state %s, want %s", got, tt.wantState)
			}
		})
	}
}

func TestGetContactGroupPaging(t *testing.T) {
	h := newHarness(t, chatsim.Config{PageSize: 2})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", c2c("p", "q", "r")), &chatapi.CreateContactGroupResponse{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "b", append(c2c("q"), chatapi.ContactItem{Type: 2, ToGroupId: "@TGS#2g"})), &chatapi.CreateContactGroupResponse{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "empty", nil), &chatapi.CreateContactGroupResponse{})

	var got []string
	start := 0
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("paging does not end")
		}
		var resp chatapi.GetContactGroupResponse
		h.callInto(chatapi.PathGetContactGroup, fmt.Sprintf(`{"From_Account":"alice","StartIndex":%d}`, start), &resp)
		if len(resp.GroupItem) != 3 {
			t.Fatalf("page %d: GroupItem %+v", page, resp.GroupItem)
		}
		for _, c := range resp.ContactItem {
			got = append(got, fmt.Sprintf("%d:%s%s%v", c.Type, c.To_Account, c.ToGroupId, c.ContactGroupId))
		}
		if resp.CompleteFlag == 1 {
			break
		}
		start = resp.NextStartIndex
	}
	want := "[1:p[1] 1:q[1 2] 1:r[1] 2:@TGS#2g[2]]"
	if fmt.Sprint(got) != want {
		t.Fatalf("contacts %v, want %s", got, want)
	}
	for _, tt := range []struct {
		name, body string
		want       int
	}{
		{"StartIndex missing", `{"From_Account":"alice"}`, chatapi.CodeRCBadParam},
		{"StartIndex negative", `{"From_Account":"alice","StartIndex":-1}`, chatapi.CodeRCBadParam},
		{"StartIndex past the end", `{"From_Account":"alice","StartIndex":99}`, 0},
		{"user without groups", `{"From_Account":"bob","StartIndex":0}`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := h.call(chatapi.PathGetContactGroup, tt.body); res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d, want %d", res.ErrorCode, tt.want)
			}
		})
	}
}
