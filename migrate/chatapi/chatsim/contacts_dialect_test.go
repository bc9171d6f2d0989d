package chatsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// contactState renders a user's conversation groups as "id:name[members]".
func contactState(h *harness, user string) string {
	var parts []string
	for _, g := range h.srv.Dump().ContactGroups[user] {
		var ids []string
		for _, c := range g.Contacts {
			ids = append(ids, c.To_Account+c.ToGroupId)
		}
		parts = append(parts, fmt.Sprintf("%d:%s%v", g.GroupId, g.GroupName, ids))
	}
	return strings.Join(parts, " ")
}

func TestCreateExisting(t *testing.T) {
	tests := []struct {
		reading    string
		wantCreate int
		wantRename int
		wantState  string // after the create and the rename of "b" to "a"
	}{
		{"refuse", chatapi.CodeRCPinnedLimit, chatapi.CodeRCPinnedLimit, "1:a[x] 2:b[]"},
		{"50002", chatapi.CodeRCBadParam, chatapi.CodeRCBadParam, "1:a[x] 2:b[]"},
		{"duplicate", 0, 0, "1:a[x] 2:a[] 3:a[y]"},
	}
	for _, tt := range tests {
		t.Run(tt.reading, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{Dialect: chatsim.Dialect{CreateExisting: tt.reading}})
			h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", c2c("x")), &chatapi.CreateContactGroupResponse{})
			h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "b", nil), &chatapi.CreateContactGroupResponse{})
			res := h.call(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", c2c("y")))
			if res.ErrorCode != tt.wantCreate {
				t.Fatalf("create: ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.wantCreate)
			}
			rename := mustJSON(t, chatapi.RenameContactGroup("alice", "b", "a"))
			if res := h.call(chatapi.PathUpdateContactGroup, rename); res.ErrorCode != tt.wantRename {
				t.Fatalf("rename: ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.wantRename)
			}
			if got := contactState(h, "alice"); got != tt.wantState {
				t.Fatalf("state %s, want %s", got, tt.wantState)
			}
			if tt.reading != "duplicate" {
				return
			}
			// With two of a name, updates reach the older; get_contact_group shows both.
			add := chatapi.UpdateContactGroupMembers("alice", "a", []chatapi.ContactUpdateItem{{ContactOptType: 1, ContactItem: c2c("z")[0]}})
			h.callInto(chatapi.PathUpdateContactGroup, mustJSON(t, add), &chatapi.UpdateContactGroupResponse{})
			if got := contactState(h, "alice"); got != "1:a[x z] 2:a[] 3:a[y]" {
				t.Fatalf("after the update %s", got)
			}
			var page chatapi.GetContactGroupResponse
			h.callInto(chatapi.PathGetContactGroup, `{"From_Account":"alice","StartIndex":0}`, &page)
			if mustJSON(t, page.GroupItem) != `[{"GroupName":"a","GroupId":1},{"GroupName":"a","GroupId":2},{"GroupName":"a","GroupId":3}]` {
				t.Fatalf("GroupItem %+v", page.GroupItem)
			}
		})
	}
}

func TestContactItemRequired(t *testing.T) {
	tests := []struct {
		name     string
		required bool
		body     string
		want     int
	}{
		{"optional, absent", false, `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g"}]}`, 0},
		{"optional, empty", false, `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[]}]}`, 0},
		{"required, absent", true, `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g"}]}`, chatapi.CodeRCBadParam},
		{"required, empty", true, `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g","ContactItem":[]}]}`, 0},
		{"required, given", true, createBody(t, "alice", "g", c2c("x")), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{Dialect: chatsim.Dialect{ContactItemRequired: tt.required}})
			res := h.call(chatapi.PathCreateContactGroup, tt.body)
			if res.ErrorCode != tt.want {
				t.Fatalf("ErrorCode %d (%s), want %d", res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if created := len(h.srv.Dump().ContactGroups["alice"]) == 1; created != (tt.want == 0) {
				t.Fatalf("created = %v after ErrorCode %d", created, res.ErrorCode)
			}
		})
	}
}

func TestRepeatAddAbsentRemove(t *testing.T) {
	ops := []chatapi.ContactUpdateItem{
		{ContactOptType: 1, ContactItem: c2c("x")[0]},    // already there
		{ContactOptType: 1, ContactItem: c2c("y")[0]},    // new
		{ContactOptType: 2, ContactItem: c2c("none")[0]}, // not there
		{ContactOptType: 2, ContactItem: c2c("w")[0]},    // there
	}
	tests := []struct {
		reading, wantItems string
	}{
		{"ok", "[0 0 0 0]"},
		{"error", "[50002 0 50002 0]"},
	}
	for _, tt := range tests {
		t.Run(tt.reading, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{Dialect: chatsim.Dialect{RepeatAddAbsentRemove: tt.reading}})
			var created chatapi.CreateContactGroupResponse
			h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", c2c("x", "w", "x")), &created)
			var codes []int
			for _, it := range created.GroupResultItem[0].ResultItem {
				codes = append(codes, it.ResultCode)
			}
			// The same conversation twice in one create is a repeated add too.
			if want := map[string]string{"ok": "[0 0 0]", "error": "[0 0 50002]"}[tt.reading]; fmt.Sprint(codes) != want {
				t.Fatalf("create codes %v, want %s", codes, want)
			}
			var resp chatapi.UpdateContactGroupResponse
			h.callInto(chatapi.PathUpdateContactGroup, mustJSON(t, chatapi.UpdateContactGroupMembers("alice", "a", ops)), &resp)
			codes = nil
			for _, it := range resp.UpdateGroupResult.ContactResultItem {
				codes = append(codes, it.ResultCode)
			}
			if fmt.Sprint(codes) != tt.wantItems {
				t.Fatalf("update codes %v, want %s", codes, tt.wantItems)
			}
			// Either way the group ends as the operations intend.
			if got := contactState(h, "alice"); got != "1:a[x y]" {
				t.Fatalf("state %s", got)
			}
		})
	}
}

func TestGroupItemPages(t *testing.T) {
	tests := []struct {
		name      string
		dialect   chatsim.Dialect
		wantPages string // GroupItem count per page
	}{
		{"every page", chatsim.Dialect{ContactPageSize: 2}, "[3 3]"},
		{"first page only", chatsim.Dialect{ContactPageSize: 2, GroupItemFirstPageOnly: true}, "[3 0]"},
		{"page size 3", chatsim.Dialect{ContactPageSize: 3, GroupItemFirstPageOnly: true}, "[3]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{Dialect: tt.dialect})
			h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", c2c("p", "q")), &chatapi.CreateContactGroupResponse{})
			h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "b", c2c("r")), &chatapi.CreateContactGroupResponse{})
			h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "empty", nil), &chatapi.CreateContactGroupResponse{})
			var counts []int
			seen := 0
			for start := 0; ; {
				var resp chatapi.GetContactGroupResponse
				h.callInto(chatapi.PathGetContactGroup, fmt.Sprintf(`{"From_Account":"alice","StartIndex":%d}`, start), &resp)
				counts = append(counts, len(resp.GroupItem))
				seen += len(resp.ContactItem)
				if resp.CompleteFlag == 1 || len(counts) > 3 {
					break
				}
				start = resp.NextStartIndex
			}
			if fmt.Sprint(counts) != tt.wantPages || seen != 3 {
				t.Fatalf("GroupItem per page %v (want %s), %d conversations", counts, tt.wantPages, seen)
			}
		})
	}
}

// TestGroupConversationMembership: a Type 2 conversation needs the user in the group (51007),
// and a custom group ID the World lists is a valid ToGroupId.
func TestGroupConversationMembership(t *testing.T) {
	w := &chatsim.World{
		Users:        []string{"alice", "bob"},
		Groups:       []string{"team-7", "@TGS#2open"},
		GroupMembers: map[string]chatsim.GroupMembers{"team-7": {Owner: "bob"}, "@TGS#_c": {Members: []string{"alice"}}},
	}
	h := newHarness(t, chatsim.Config{World: w})
	items := []chatapi.ContactItem{
		{Type: 2, ToGroupId: "team-7"},     // alice is not in it
		{Type: 2, ToGroupId: "@TGS#2open"}, // no member list: everyone is in it
		{Type: 2, ToGroupId: "@TGS#_c"},    // alice is a member
		{Type: 2, ToGroupId: "unlisted"},   // no such group
	}
	var created chatapi.CreateContactGroupResponse
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "g", items), &created)
	var codes []int
	for _, it := range created.GroupResultItem[0].ResultItem {
		codes = append(codes, it.ResultCode)
	}
	if fmt.Sprint(codes) != "[51007 0 0 51007]" {
		t.Fatalf("alice: %v", codes)
	}
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "bob", "g", items[:1]), &created)
	if c := created.GroupResultItem[0].ResultItem[0].ResultCode; c != 0 {
		t.Fatalf("bob, the owner: %d", c)
	}
	// In the lenient world any well-formed custom ID is a group everyone is in.
	l := newHarness(t, chatsim.Config{})
	l.callInto(chatapi.PathCreateContactGroup, createBody(t, "u", "g", []chatapi.ContactItem{
		{Type: 2, ToGroupId: "my-own-id"}, {Type: 2, ToGroupId: strings.Repeat("x", 49)}}), &created)
	if r := created.GroupResultItem[0].ResultItem; r[0].ResultCode != 0 || r[1].ResultCode != chatapi.CodeRCLookupFailed {
		t.Fatalf("lenient custom IDs: %+v", r)
	}
}

func TestContactRequestLimits(t *testing.T) {
	h := newHarness(t, chatsim.Config{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "a", nil), &chatapi.CreateContactGroupResponse{})
	var ops []chatapi.ContactUpdateItem
	for _, id := range names(101, "u") {
		ops = append(ops, chatapi.ContactUpdateItem{ContactOptType: 1, ContactItem: c2c(id)[0]})
	}
	if res := h.call(chatapi.PathUpdateContactGroup, mustJSON(t, chatapi.UpdateContactGroupMembers("alice", "a", ops))); res.ErrorCode != chatapi.CodeRCTooManyContacts {
		t.Fatalf("101 in an update: ErrorCode %d", res.ErrorCode)
	}
	h.callInto(chatapi.PathUpdateContactGroup, mustJSON(t, chatapi.UpdateContactGroupMembers("alice", "a", ops[:100])), &chatapi.UpdateContactGroupResponse{})
	if got := len(h.srv.Dump().ContactGroups["alice"][0].Contacts); got != 100 {
		t.Fatalf("%d conversations", got)
	}
	rename := mustJSON(t, chatapi.RenameContactGroup("alice", "a", strings.Repeat("n", 64)))
	if res := h.call(chatapi.PathUpdateContactGroup, rename); res.ErrorCode != 0 {
		t.Fatalf("rename to 64 bytes: ErrorCode %d", res.ErrorCode)
	}
}
