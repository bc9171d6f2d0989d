package chatsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// friendCodes lists a friend write's item codes as "friend:code".
func friendCodes(items []chatapi.FriendResultItem) string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s:%d", it.To_Account, it.ResultCode))
	}
	return strings.Join(out, " ")
}

func TestGroupAddExisting(t *testing.T) {
	tests := []struct {
		reading   string
		wantCode  int
		wantItems string
		wantState string
	}{
		{"merge", 0, "carol:0 dave:32216", `{"alice":{"new":["carol"],"work":["bob","carol"]}}`},
		{"refuse", chatapi.CodeSNSBadParam, "", `{"alice":{"work":["bob"]}}`},
		{"ignore", 0, "carol:0 dave:32216", `{"alice":{"new":["carol"],"work":["bob"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.reading, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: friendWorld, Dialect: chatsim.Dialect{GroupAddExisting: tt.reading}})
			h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work"],"To_Account":["bob"]}`, &chatapi.GroupAddResponse{})
			res := h.call(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work","new"],"To_Account":["carol","dave"]}`)
			if res.ErrorCode != tt.wantCode {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.wantCode)
			}
			var resp chatapi.GroupAddResponse
			decode(t, res.Body, &resp)
			if got := friendCodes(resp.ResultItem); got != tt.wantItems {
				t.Fatalf("items %q, want %q", got, tt.wantItems)
			}
			if got := mustJSON(t, h.srv.Dump().FriendGroups); got != tt.wantState {
				t.Fatalf("state %s, want %s", got, tt.wantState)
			}
		})
	}
}

func TestFriendUpdateReadings(t *testing.T) {
	body := mustJSON(t, chatapi.FriendUpdateRequest{From_Account: "alice", UpdateItem: []chatapi.FriendUpdateItem{
		{To_Account: "bob", SnsItem: []chatapi.SnsItem{chatapi.FriendGroupsItem([]string{"home"})}},
		{To_Account: "carol", SnsItem: []chatapi.SnsItem{chatapi.FriendGroupsItem([]string{"work", "extra"})}},
		{To_Account: "dave", SnsItem: []chatapi.SnsItem{chatapi.FriendGroupsItem([]string{"home"})}},
	}})
	tests := []struct {
		groups, unknown string
		wantItems       string
		wantState       string
	}{
		{"replace", "refuse", "bob:0 carol:30001 dave:32216", `{"alice":{"home":["bob"],"work":[]}}`},
		{"add", "refuse", "bob:0 carol:30001 dave:32216", `{"alice":{"home":["bob"],"work":["bob"]}}`},
		{"replace", "create", "bob:0 carol:0 dave:32216", `{"alice":{"extra":["carol"],"home":["bob"],"work":["carol"]}}`},
		{"add", "create", "bob:0 carol:0 dave:32216", `{"alice":{"extra":["carol"],"home":["bob"],"work":["bob","carol"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.groups+"+"+tt.unknown, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: friendWorld, Dialect: chatsim.Dialect{FriendUpdateGroups: tt.groups, FriendUpdateUnknownGroup: tt.unknown}})
			h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work"],"To_Account":["bob"]}`, &chatapi.GroupAddResponse{})
			h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["home"]}`, &chatapi.GroupAddResponse{})
			var resp chatapi.FriendUpdateResponse
			h.callInto(chatapi.PathFriendUpdate, body, &resp)
			if got := friendCodes(resp.ResultItem); got != tt.wantItems {
				t.Fatalf("items %q, want %q", got, tt.wantItems)
			}
			wantFail := "[dave]"
			if tt.unknown == "refuse" {
				wantFail = "[carol dave]"
			}
			if got := fmt.Sprint(resp.Fail_Account); got != wantFail {
				t.Fatalf("Fail_Account %s, want %s", got, wantFail)
			}
			if got := mustJSON(t, h.srv.Dump().FriendGroups); got != tt.wantState {
				t.Fatalf("state %s, want %s", got, tt.wantState)
			}
		})
	}
}

// TestFriendUpdateGroupLimit: a created group counts toward the user's 32.
func TestFriendUpdateGroupLimit(t *testing.T) {
	h := newHarness(t, chatsim.Config{World: friendWorld, Dialect: chatsim.Dialect{FriendUpdateUnknownGroup: "create"}})
	h.callInto(chatapi.PathGroupAdd, mustJSON(t, chatapi.GroupAddRequest{From_Account: "alice", GroupName: names(31, "g")}), &chatapi.GroupAddResponse{})
	var resp chatapi.FriendUpdateResponse
	h.callInto(chatapi.PathFriendUpdate, mustJSON(t, chatapi.FriendUpdateRequest{From_Account: "alice", UpdateItem: []chatapi.FriendUpdateItem{
		{To_Account: "bob", SnsItem: []chatapi.SnsItem{chatapi.FriendGroupsItem([]string{"a", "b"})}},
		{To_Account: "carol", SnsItem: []chatapi.SnsItem{chatapi.FriendGroupsItem([]string{"a"})}},
	}}), &resp)
	if got := friendCodes(resp.ResultItem); got != "bob:30011 carol:0" {
		t.Fatalf("items %s", got)
	}
	if n := len(h.srv.Dump().FriendGroups["alice"]); n != 32 {
		t.Fatalf("%d groups", n)
	}
}

func TestFriendUpdateValidation(t *testing.T) {
	item := func(to, sns string) string { return `{"To_Account":"` + to + `","SnsItem":[` + sns + `]}` }
	groups := `{"Tag":"Tag_SNS_IM_Group","Value":["g"]}`
	many := make([]string, 1001)
	for i := range many {
		many[i] = item("bob", groups)
	}
	tests := []struct {
		name      string
		body      string
		want      int
		wantItems string
	}{
		{"groups", `{"From_Account":"alice","UpdateItem":[` + item("bob", groups) + `]}`, 0, "bob:0"},
		{"empty list leaves every group", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_Group","Value":[]}`) + `]}`, 0, "bob:0"},
		{"remark and custom", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_Remark","Value":"B"},{"Tag":"Tag_SNS_Custom_x","Value":"1"}`) + `]}`, 0, "bob:0"},
		{"unknown tag fails its item", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_AddSource","Value":"x"}`) + `,` + item("carol", groups) + `]}`, 0, "bob:30001 carol:0"},
		{"1000 items", `{"From_Account":"alice","UpdateItem":[` + strings.Join(many[:1000], ",") + `]}`, 0, ""},
		{"1001 items", `{"From_Account":"alice","UpdateItem":[` + strings.Join(many, ",") + `]}`, chatapi.CodeSNSBadParam, ""},
		{"no items", `{"From_Account":"alice","UpdateItem":[]}`, chatapi.CodeSNSBadParam, ""},
		{"UpdateItem missing", `{"From_Account":"alice"}`, chatapi.CodeSNSBadParam, ""},
		{"To_Account missing", `{"From_Account":"alice","UpdateItem":[{"SnsItem":[` + groups + `]}]}`, chatapi.CodeSNSBadParam, ""},
		{"SnsItem empty", `{"From_Account":"alice","UpdateItem":[` + item("bob", "") + `]}`, chatapi.CodeSNSBadParam, ""},
		{"Value missing", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_Group"}`) + `]}`, chatapi.CodeSNSBadParam, ""},
		{"groups not a list", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_Group","Value":"g"}`) + `]}`, chatapi.CodeSNSBadParam, ""},
		{"group name 31 bytes", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_Group","Value":["`+strings.Repeat("n", 31)+`"]}`) + `]}`, chatapi.CodeSNSBadParam, ""},
		{"remark too long", `{"From_Account":"alice","UpdateItem":[` + item("bob", `{"Tag":"Tag_SNS_IM_Remark","Value":"`+strings.Repeat("r", 97)+`"}`) + `]}`, chatapi.CodeSNSBadParam, ""},
		{"unknown user", `{"From_Account":"zoe","UpdateItem":[` + item("bob", groups) + `]}`, chatapi.CodeSNSNoAccount, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: friendWorld})
			h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["g"],"To_Account":["carol"]}`, &chatapi.GroupAddResponse{})
			before := mustJSON(t, h.srv.Dump())
			res := h.call(chatapi.PathFriendUpdate, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.want != 0 {
				if mustJSON(t, h.srv.Dump()) != before {
					t.Fatal("a refused friend_update changed the state")
				}
				return
			}
			var resp chatapi.FriendUpdateResponse
			decode(t, res.Body, &resp)
			if got := friendCodes(resp.ResultItem); tt.wantItems != "" && got != tt.wantItems {
				t.Fatalf("items %s, want %s", got, tt.wantItems)
			}
		})
	}
}

func TestFriendGet(t *testing.T) {
	w := &chatsim.World{Users: []string{"alice", "erin"}, Friends: map[string][]string{"alice": {"dan", "bob", "carol"}}}
	h := newHarness(t, chatsim.Config{World: w, Dialect: chatsim.Dialect{FriendPageSize: 2}})
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work","home"],"To_Account":["carol"]}`, &chatapi.GroupAddResponse{})
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["close"],"To_Account":["bob"]}`, &chatapi.GroupAddResponse{})
	var got []string
	start := 0
	for page := 0; ; page++ {
		if page > 3 {
			t.Fatal("paging does not end")
		}
		var resp chatapi.FriendGetResponse
		h.callInto(chatapi.PathFriendGet, fmt.Sprintf(`{"From_Account":"alice","StartIndex":%d}`, start), &resp)
		if resp.FriendNum != 3 || len(resp.UserDataItem) > 2 {
			t.Fatalf("page %d: %+v", page, resp)
		}
		for _, u := range resp.UserDataItem {
			if len(u.ValueItem) != 1 || u.ValueItem[0].Tag != chatapi.TagFriendGroups {
				t.Fatalf("friend %s: %+v", u.To_Account, u.ValueItem)
			}
			gs, ok := u.ValueItem[0].Strings()
			if !ok {
				t.Fatalf("friend %s: Value %s", u.To_Account, u.ValueItem[0].Value)
			}
			got = append(got, fmt.Sprintf("%s%v", u.To_Account, gs))
		}
		if resp.CompleteFlag == 1 {
			break
		}
		start = resp.NextStartIndex
	}
	if want := "[bob[close] carol[work home] dan[]]"; fmt.Sprint(got) != want {
		t.Fatalf("friends %v, want %s", got, want)
	}
	for _, tt := range []struct {
		name, body string
		want       int
	}{
		{"StartIndex missing", `{"From_Account":"alice"}`, chatapi.CodeSNSBadParam},
		{"StartIndex negative", `{"From_Account":"alice","StartIndex":-1}`, chatapi.CodeSNSBadParam},
		{"user without friends", `{"From_Account":"erin","StartIndex":0}`, 0},
		{"unknown user", `{"From_Account":"zoe","StartIndex":0}`, chatapi.CodeSNSNoAccount},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := h.call(chatapi.PathFriendGet, tt.body); res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d, want %d", res.ErrorCode, tt.want)
			}
		})
	}
	// In the lenient world the friends with state are those in a group.
	l := newHarness(t, chatsim.Config{})
	l.callInto(chatapi.PathGroupAdd, `{"From_Account":"u","GroupName":["g"],"To_Account":["y","x"]}`, &chatapi.GroupAddResponse{})
	var resp chatapi.FriendGetResponse
	l.callInto(chatapi.PathFriendGet, `{"From_Account":"u","StartIndex":0}`, &resp)
	if resp.FriendNum != 2 || resp.UserDataItem[0].To_Account != "x" || resp.CompleteFlag != 1 {
		t.Fatalf("lenient friend_get %+v", resp)
	}
}

func TestFriendCheck(t *testing.T) {
	h := newHarness(t, chatsim.Config{World: friendWorld})
	check := func(typ string, to ...string) string {
		return mustJSON(t, chatapi.FriendCheckRequest{From_Account: "alice", To_Account: to, CheckType: typ})
	}
	tests := []struct {
		name, body string
		want       int
		relations  string
	}{
		{"single", check(chatapi.CheckSingle, "bob", "dave", "nobody"), 0, "bob:CheckResult_Type_AWithB dave:CheckResult_Type_NoRelation nobody:CheckResult_Type_NoRelation"},
		{"both", check(chatapi.CheckBoth, "carol", "dave"), 0, "carol:CheckResult_Type_BothWay dave:CheckResult_Type_NoRelation"},
		{"1000", check(chatapi.CheckSingle, names(1000, "f")...), 0, ""},
		{"1001", check(chatapi.CheckSingle, names(1001, "f")...), chatapi.CodeSNSBadParam, ""},
		{"none", `{"From_Account":"alice","To_Account":[],"CheckType":"CheckResult_Type_Single"}`, chatapi.CodeSNSBadParam, ""},
		{"bad CheckType", check("CheckResult_Type_Some", "bob"), chatapi.CodeSNSBadParam, ""},
		{"CheckType missing", `{"From_Account":"alice","To_Account":["bob"]}`, chatapi.CodeSNSBadParam, ""},
		{"unknown user", `{"From_Account":"zoe","To_Account":["bob"],"CheckType":"CheckResult_Type_Single"}`, chatapi.CodeSNSNoAccount, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.call(chatapi.PathFriendCheck, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.relations == "" {
				return
			}
			var resp chatapi.FriendCheckResponse
			decode(t, res.Body, &resp)
			var got []string
			for _, it := range resp.InfoItem {
				if it.ResultCode != 0 {
					t.Fatalf("item %+v", it)
				}
				got = append(got, it.To_Account+":"+it.Relation)
			}
			if strings.Join(got, " ") != tt.relations {
				t.Fatalf("relations %v, want %s", got, tt.relations)
			}
		})
	}
}
