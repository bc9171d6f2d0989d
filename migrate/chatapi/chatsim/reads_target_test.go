package chatsim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

var targetWorld = &chatsim.World{
	Communities:  []chatsim.Community{{GroupId: "@TGS#_c", Topics: true}},
	Groups:       []string{"@TGS#2pub", "team-7"},
	GroupTypes:   map[string]string{"team-7": "Private", "live": "AVChatRoom"},
	GroupMembers: map[string]chatsim.GroupMembers{"team-7": {Owner: "alice", Admins: []string{"bob"}, Members: []string{"carol"}}},
	Users:        []string{"alice", "bob", "carol", "dave"},
	NotImported:  []string{"ghost"},
}

func TestAccountCheck(t *testing.T) {
	check := func(ids ...string) string {
		req := chatapi.AccountCheckRequest{}
		for _, id := range ids {
			req.CheckItem = append(req.CheckItem, chatapi.AccountCheckItem{UserID: id})
		}
		return mustJSON(t, req)
	}
	tests := []struct {
		name   string
		world  *chatsim.World
		body   string
		want   int
		status string
	}{
		{"strict", targetWorld, check("alice", "ghost", "stranger"), 0, "alice:Imported ghost:NotImported stranger:NotImported"},
		{"lenient with NotImported", &chatsim.World{Lenient: true, NotImported: []string{"ghost"}}, check("anyone", "ghost", strings.Repeat("u", 33)), 0,
			"anyone:Imported ghost:NotImported " + strings.Repeat("u", 33) + ":NotImported"},
		{"100", targetWorld, check(names(100, "u")...), 0, ""},
		{"101", targetWorld, check(names(101, "u")...), 70402, ""},
		{"none", targetWorld, `{"CheckItem":[]}`, 70402, ""},
		{"UserID empty", targetWorld, `{"CheckItem":[{"UserID":""}]}`, 70402, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: tt.world})
			res := h.call(chatapi.PathAccountCheck, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.status == "" {
				return
			}
			var resp chatapi.AccountCheckResponse
			decode(t, res.Body, &resp)
			var got []string
			for _, it := range resp.ResultItem {
				if it.ResultCode != 0 {
					t.Fatalf("item %+v", it)
				}
				got = append(got, it.UserID+":"+it.AccountStatus)
			}
			if strings.Join(got, " ") != tt.status {
				t.Fatalf("statuses %v, want %s", got, tt.status)
			}
		})
	}
}

// TestAccountCheckRate: account_check keeps its own 100/s below the 200/s of the others.
func TestAccountCheckRate(t *testing.T) {
	h := newHarness(t, chatsim.Config{RPS: 200})
	admitted := func(path, body string) int {
		n := 0
		for range 30 { // the clock stands still: only the burst gets through
			if h.call(path, body).ErrorCode == 0 {
				n++
			}
		}
		return n
	}
	if n := admitted(chatapi.PathAccountCheck, `{"CheckItem":[{"UserID":"u"}]}`); n != 5 {
		t.Fatalf("account_check admitted %d at once, want the burst of 100/20 = 5", n)
	}
	if n := admitted(chatapi.PathFriendCheck, `{"From_Account":"u","To_Account":["v"],"CheckType":"CheckResult_Type_Single"}`); n != 10 {
		t.Fatalf("friend_check admitted %d at once, want the burst of 200/20 = 10", n)
	}
	if res := h.call(chatapi.PathAccountCheck, `{"CheckItem":[{"UserID":"u"}]}`); res.ErrorCode != chatapi.CodeRESTRate {
		t.Fatalf("over the rate: ErrorCode %d", res.ErrorCode)
	}
}

func TestGetGroupInfo(t *testing.T) {
	info := func(filter string, ids ...string) string {
		body := `{"GroupIdList":` + mustJSON(t, ids)
		if filter != "" {
			body += `,"ResponseFilter":` + filter
		}
		return body + "}"
	}
	typeOnly := `{"GroupBaseInfoFilter":["Type"]}`
	tests := []struct {
		name  string
		world *chatsim.World
		body  string
		want  int
		info  string // the GroupInfo array
	}{
		{"types and a missing group", targetWorld, info(typeOnly, "@TGS#_c", "@TGS#2pub", "team-7", "live", "nope"), 0,
			`[{"GroupId":"@TGS#_c","ErrorCode":0,"Type":"Community"},{"GroupId":"@TGS#2pub","ErrorCode":0,"Type":"Public"},` +
				`{"GroupId":"team-7","ErrorCode":0,"Type":"Private"},{"GroupId":"live","ErrorCode":0,"Type":"AVChatRoom"},` +
				`{"GroupId":"nope","ErrorCode":10010,"ErrorInfo":"group does not exist"}]`},
		{"other base fields", targetWorld, info(`{"GroupBaseInfoFilter":["Owner_Account","MemberNum"]}`, "team-7"), 0,
			`[{"GroupId":"team-7","ErrorCode":0,"Owner_Account":"alice","MemberNum":3}]`},
		{"member filter", targetWorld, info(`{"GroupBaseInfoFilter":["Type"],"MemberInfoFilter":["Role"]}`, "team-7"), 0,
			`[{"GroupId":"team-7","ErrorCode":0,"Type":"Private","MemberList":[{"Member_Account":"alice","Role":"Owner"},{"Member_Account":"bob","Role":"Admin"},{"Member_Account":"carol","Role":"Member"}]}]`},
		{"unfiltered carries members", targetWorld, info("", "team-7"), 0,
			`[{"GroupId":"team-7","ErrorCode":0,"Type":"Private","Name":"team-7","Owner_Account":"alice","MemberNum":3,"MemberList":[{"Member_Account":"alice","Role":"Owner"},{"Member_Account":"bob","Role":"Admin"},{"Member_Account":"carol","Role":"Member"}]}]`},
		{"lenient", nil, info(typeOnly, "@TGS#_x", "custom-1", strings.Repeat("x", 49)), 0,
			`[{"GroupId":"@TGS#_x","ErrorCode":0,"Type":"Community"},{"GroupId":"custom-1","ErrorCode":0,"Type":"Public"},` +
				`{"GroupId":"` + strings.Repeat("x", 49) + `","ErrorCode":10010,"ErrorInfo":"group does not exist"}]`},
		{"50 groups", targetWorld, info(typeOnly, names(50, "g")...), 0, ""},
		{"51 groups", targetWorld, info(typeOnly, names(51, "g")...), chatapi.CodeBadParam, ""},
		{"no groups", targetWorld, `{"GroupIdList":[]}`, chatapi.CodeBadParam, ""},
		{"filter not an object", targetWorld, info(`["Type"]`, "team-7"), chatapi.CodeBadParam, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{World: tt.world})
			res := h.call(chatapi.PathGetGroupInfo, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.info == "" {
				return
			}
			var raw struct{ GroupInfo json.RawMessage }
			decode(t, res.Body, &raw)
			if string(raw.GroupInfo) != tt.info {
				t.Fatalf("GroupInfo\n got %s\nwant %s", raw.GroupInfo, tt.info)
			}
		})
	}
}

// TestGetGroupInfoAnswerCap: an unfiltered answer carries member lists and meets the 1 MB cap
// (10018) where the filtered one does not.
func TestGetGroupInfoAnswerCap(t *testing.T) {
	members := names(9000, "member-with-a-long-name-") // 29 bytes at most
	w := &chatsim.World{GroupMembers: map[string]chatsim.GroupMembers{"big-a": {Members: members}, "big-b": {Members: members}}}
	h := newHarness(t, chatsim.Config{World: w})
	if res := h.call(chatapi.PathGetGroupInfo, `{"GroupIdList":["big-a","big-b"]}`); res.ErrorCode != chatapi.CodeAnswerTooBig {
		t.Fatalf("unfiltered: ErrorCode %d", res.ErrorCode)
	}
	var resp chatapi.GetGroupInfoResponse
	h.callInto(chatapi.PathGetGroupInfo, mustJSON(t, chatapi.GetGroupInfoRequest{GroupIdList: []string{"big-a", "big-b"},
		ResponseFilter: &chatapi.GroupInfoFilter{GroupBaseInfoFilter: []string{"Type"}}}), &resp)
	if len(resp.GroupInfo) != 2 || resp.GroupInfo[0].Type != "Public" {
		t.Fatalf("filtered: %+v", resp)
	}
}

func TestGetRoleInGroup(t *testing.T) {
	roles := func(gid string, users ...string) string {
		return mustJSON(t, chatapi.GetRoleInGroupRequest{GroupId: gid, User_Account: users})
	}
	tests := []struct {
		name, body string
		want       int
		roles      string
	}{
		{"listed members", roles("team-7", "alice", "bob", "carol", "dave", "ghost"), 0,
			"alice:Owner bob:Admin carol:Member dave:NotMember ghost:NotMember"},
		{"group without a member list", roles("@TGS#2pub", "dave", "ghost", "stranger"), 0, "dave:Member ghost:NotMember stranger:NotMember"},
		{"community", roles("@TGS#_c", "alice"), 0, "alice:Member"},
		{"AVChatRoom", roles("live", "alice"), chatapi.CodeNoPermission, ""},
		{"missing group", roles("nope", "alice"), chatapi.CodeGroupMissing, ""},
		{"500 users", roles("team-7", names(500, "u")...), 0, ""},
		{"501 users", roles("team-7", names(501, "u")...), chatapi.CodeBadParam, ""},
		{"no users", `{"GroupId":"team-7","User_Account":[]}`, chatapi.CodeBadParam, ""},
		{"GroupId missing", `{"User_Account":["alice"]}`, chatapi.CodeBadParam, ""},
	}
	h := newHarness(t, chatsim.Config{World: targetWorld})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.call(chatapi.PathGetRoleInGroup, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.roles == "" {
				return
			}
			var resp chatapi.GetRoleInGroupResponse
			decode(t, res.Body, &resp)
			var got []string
			for _, r := range resp.UserIdList {
				got = append(got, r.Member_Account+":"+r.Role)
			}
			if strings.Join(got, " ") != tt.roles {
				t.Fatalf("roles %v, want %s", got, tt.roles)
			}
		})
	}
	// In the lenient world everyone is a member.
	l := newHarness(t, chatsim.Config{})
	var resp chatapi.GetRoleInGroupResponse
	l.callInto(chatapi.PathGetRoleInGroup, roles("any-group", "anyone"), &resp)
	if fmt.Sprint(resp.UserIdList) != "[{anyone Member}]" {
		t.Fatalf("lenient: %+v", resp.UserIdList)
	}
}
