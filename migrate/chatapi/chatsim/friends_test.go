package chatsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

var friendWorld = &chatsim.World{
	Users:   []string{"alice", "bob", "carol", "dave"},
	Friends: map[string][]string{"alice": {"bob", "carol"}},
}

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func TestGroupAddValidation(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"groups only", `{"From_Account":"alice","GroupName":["g"]}`, 0},
		{"with friends", `{"From_Account":"alice","GroupName":["g"],"To_Account":["bob"]}`, 0},
		{"32 names", mustJSON(t, chatapi.GroupAddRequest{From_Account: "alice", GroupName: names(32, "g")}), 0},
		{"33 names", mustJSON(t, chatapi.GroupAddRequest{From_Account: "alice", GroupName: names(33, "g")}), chatapi.CodeSNSBadParam},
		{"1001 friends", mustJSON(t, chatapi.GroupAddRequest{From_Account: "alice", GroupName: []string{"g"}, To_Account: names(1001, "f")}), chatapi.CodeSNSBadParam},
		{"no names", `{"From_Account":"alice","GroupName":[]}`, chatapi.CodeSNSBadParam},
		{"GroupName missing", `{"From_Account":"alice"}`, chatapi.CodeSNSBadParam},
		{"name 31 bytes", `{"From_Account":"alice","GroupName":["` + strings.Repeat("n", 31) + `"]}`, chatapi.CodeSNSBadParam},
		{"empty name", `{"From_Account":"alice","GroupName":[""]}`, chatapi.CodeSNSBadParam},
		{"To_Account null", `{"From_Account":"alice","GroupName":["g"],"To_Account":null}`, chatapi.CodeSNSBadParam},
		{"From_Account missing", `{"GroupName":["g"]}`, chatapi.CodeSNSBadParam},
		{"unknown user", `{"From_Account":"zoe","GroupName":["g"]}`, chatapi.CodeSNSNoAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: friendWorld})
			res := h.call(chatapi.PathGroupAdd, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if stored := len(h.srv.Dump().FriendGroups) > 0; stored != (tt.want == 0) {
				t.Fatalf("state changed = %v after ErrorCode %d", stored, res.ErrorCode)
			}
		})
	}
}

func TestGroupAddModel(t *testing.T) {
	h := newHarness(t, chatsim.Config{World: friendWorld})
	var r1 chatapi.GroupAddResponse
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work","home"],"To_Account":["bob","dave"]}`, &r1)
	if r1.CurrentSequence != 1 || mustJSON(t, r1.Fail_Account) != `["dave"]` || len(r1.ResultItem) != 2 ||
		r1.ResultItem[0].ResultCode != 0 || r1.ResultItem[1].ResultCode != chatapi.CodeNotFriend {
		t.Fatalf("first add: %+v", r1)
	}
	// Merge into an existing group; bob is already there (ResultCode 0).
	var r2 chatapi.GroupAddResponse
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work"],"To_Account":["bob","carol"]}`, &r2)
	if r2.CurrentSequence != 2 || len(r2.Fail_Account) != 0 {
		t.Fatalf("merge: %+v", r2)
	}
	want := `{"alice":{"home":["bob"],"work":["bob","carol"]}}`
	if got := mustJSON(t, h.srv.Dump().FriendGroups); got != want {
		t.Fatalf("state %s, want %s", got, want)
	}
	// 30 more groups make 32; one more fails the whole request and changes nothing.
	h.callInto(chatapi.PathGroupAdd, mustJSON(t, chatapi.GroupAddRequest{From_Account: "alice", GroupName: names(30, "x")}), &chatapi.GroupAddResponse{})
	before := mustJSON(t, h.srv.Dump())
	res := h.call(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work","one-too-many"],"To_Account":["carol"]}`)
	if res.ErrorCode != chatapi.CodeSNSGroupLimit {
		t.Fatalf("33rd group: ErrorCode %d, want 30011", res.ErrorCode)
	}
	if after := mustJSON(t, h.srv.Dump()); after != before {
		t.Fatal("a refused 33rd group changed the state")
	}
	// Existing groups can still take friends.
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["x0"],"To_Account":["carol"]}`, &chatapi.GroupAddResponse{})
}

func TestGroupGet(t *testing.T) {
	h := newHarness(t, chatsim.Config{World: friendWorld})
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["work"],"To_Account":["carol","bob"]}`, &chatapi.GroupAddResponse{})
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["empty"]}`, &chatapi.GroupAddResponse{})
	tests := []struct {
		name, body, want string
	}{
		{"counts", `{"From_Account":"alice"}`, `[{"GroupName":"work","FriendNumber":2},{"GroupName":"empty","FriendNumber":0}]`},
		{"with friends", `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`, `[{"GroupName":"work","FriendNumber":2,"To_Account":["bob","carol"]},{"GroupName":"empty","FriendNumber":0}]`},
		{"filtered", `{"From_Account":"alice","GroupName":["empty","nope"]}`, `[{"GroupName":"empty","FriendNumber":0}]`},
		{"user without groups", `{"From_Account":"bob"}`, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp chatapi.GroupGetResponse
			h.callInto(chatapi.PathGroupGet, tt.body, &resp)
			if got := mustJSON(t, resp.ResultItem); got != tt.want {
				t.Fatalf("got %s\nwant %s", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name, body string
		want       int
	}{
		{"bad NeedFriend", `{"From_Account":"alice","NeedFriend":"yes"}`, chatapi.CodeSNSBadParam},
		{"empty NeedFriend", `{"From_Account":"alice","NeedFriend":""}`, chatapi.CodeSNSBadParam},
		{"unknown user", `{"From_Account":"zoe"}`, chatapi.CodeSNSNoAccount},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := h.call(chatapi.PathGroupGet, tt.body); res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d, want %d", res.ErrorCode, tt.want)
			}
		})
	}
}

func TestLenientFriends(t *testing.T) {
	h := newHarness(t, chatsim.Config{})
	var r chatapi.GroupAddResponse
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"anyone","GroupName":["g"],"To_Account":["someone","anyone"]}`, &r)
	// Everyone is a friend of everyone else, but nobody is their own friend.
	if mustJSON(t, r.Fail_Account) != `["anyone"]` {
		t.Fatalf("lenient world: %+v", r)
	}
}
