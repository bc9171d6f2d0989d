package migrate

import (
	"fmt"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Field rules of friend and conversation groups (docs/vendor-api.md, "Limits"). A
// conversation group name may have the newer pages' 64 bytes (contactNameWarnings warns
// above the error list's 32); a group ID's form is checked by groupIDProblem.
var (
	ruleFrom             = textRule{field: "From_Account", required: true, max: chatapi.MaxUserIDBytes}
	ruleFriendGroupName  = textRule{field: "GroupName", required: true, max: chatapi.MaxFriendGroupNameBytes}
	ruleFriendTo         = textRule{field: "To_Account", required: true, max: chatapi.MaxUserIDBytes}
	ruleContactGroupName = textRule{field: "GroupName", required: true, max: chatapi.MaxContactGroupNameNewer}
	ruleNewGroupName     = textRule{field: "NewGroupName", required: true, max: chatapi.MaxContactGroupNameNewer}
	ruleContactTo        = textRule{field: "To_Account", required: true, max: chatapi.MaxUserIDBytes}
	ruleContactGroupId   = textRule{field: "ToGroupId", required: true}
)

// Conversation-group operations, as Item.Op holds them ("" in the input means add).
const (
	opAdd    = "add"
	opRemove = "remove"
	opRename = "rename"
)

// friendItem is the Item of one friend's membership (to "" for a declared empty group).
func friendItem(r *sources.FriendGroup, to string) Item {
	return Item{Pos: r.Pos, From_Account: r.From_Account, GroupName: r.GroupName, To_Account: to}
}

// friendRecordIssues checks what a friend-group record says about every friend it lists.
func friendRecordIssues(r *sources.FriendGroup) []issue {
	var issues []issue
	for _, is := range []*issue{ruleFrom.check(r.From_Account), ruleFriendGroupName.check(r.GroupName)} {
		if is != nil {
			issues = append(issues, *is)
		}
	}
	return issues
}

// friendIssue checks one listed friend.
func friendIssue(r *sources.FriendGroup, to string) *issue {
	if is := ruleFriendTo.check(to); is != nil {
		return is
	}
	if to == r.From_Account {
		return &issue{"To_Account", to, "a user cannot be their own friend"}
	}
	return nil
}

// contactOp returns the record's operation, "" read as add, and whether it is one of the three.
func contactOp(op string) (string, bool) {
	switch op {
	case "", opAdd:
		return opAdd, true
	case opRemove, opRename:
		return op, true
	}
	return op, false
}

// contactItem is the Item of one conversation of a record (c nil: the record names none, as a
// rename or an empty group's declaration).
func contactItem(r *sources.ContactGroup, c *sources.Contact) Item {
	op, _ := contactOp(r.Op)
	it := Item{Pos: r.Pos, From_Account: r.From_Account, GroupName: r.GroupName, Op: op, NewGroupName: r.NewGroupName}
	if c != nil {
		it.To_Account, it.ToGroupId = c.To_Account, c.ToGroupId
		switch c.Type {
		case "1":
			it.Type = chatapi.ContactC2C
		case "2":
			it.Type = chatapi.ContactGroup
		default:
			it.TypeText = c.Type
		}
	}
	return it
}

// contactRecordIssues checks what a conversation-group record says for all its conversations:
// the user, the group, and that Op, NewGroupName and the conversations agree.
func contactRecordIssues(r *sources.ContactGroup) []issue {
	var issues []issue
	add := func(is *issue) {
		if is != nil {
			issues = append(issues, *is)
		}
	}
	add(ruleFrom.check(r.From_Account))
	add(ruleContactGroupName.check(r.GroupName))
	op, ok := contactOp(r.Op)
	switch {
	case !ok:
		add(&issue{"Op", r.Op, `must be "add", "remove" or "rename" (empty means add)`})
	case op == opRename:
		add(ruleNewGroupName.check(r.NewGroupName))
		if len(r.ContactItem) > 0 {
			add(&issue{"Op", r.Op, "a rename names no conversation"})
		}
		if r.NewGroupName == r.GroupName && r.GroupName != "" {
			add(&issue{"NewGroupName", r.NewGroupName, "the same as GroupName"})
		}
	case r.NewGroupName != "":
		add(&issue{"NewGroupName", r.NewGroupName, "only a rename has a NewGroupName"})
	case op == opRemove && len(r.ContactItem) == 0:
		add(&issue{"Op", r.Op, "a remove needs a conversation (Type and To_Account or ToGroupId)"})
	}
	return issues
}

// contactIssues checks one conversation and returns it in wire form when it is valid.
func contactIssues(c *sources.Contact) ([]issue, chatapi.ContactItem) {
	var issues []issue
	var ci chatapi.ContactItem
	switch c.Type {
	case "1":
		ci.Type = chatapi.ContactC2C
		if is := ruleContactTo.check(c.To_Account); is != nil {
			issues = append(issues, *is)
		}
		if c.ToGroupId != "" {
			issues = append(issues, issue{"ToGroupId", c.ToGroupId, "a C2C conversation (Type 1) has no ToGroupId"})
		}
	case "2":
		ci.Type = chatapi.ContactGroup
		if is := ruleContactGroupId.check(c.ToGroupId); is != nil {
			issues = append(issues, *is)
		} else if reason := groupIDProblem(c.ToGroupId); reason != "" {
			issues = append(issues, issue{"ToGroupId", c.ToGroupId, reason})
		}
		if c.To_Account != "" {
			issues = append(issues, issue{"To_Account", c.To_Account, "a group conversation (Type 2) has no To_Account"})
		}
	default:
		issues = append(issues, issue{"Type", c.Type, "must be 1 (C2C, with To_Account) or 2 (group, with ToGroupId)"})
	}
	ci.To_Account, ci.ToGroupId = c.To_Account, c.ToGroupId
	return issues, ci
}

// groupIDProblem checks the form of a group conversation's group ID (docs/vendor-api.md,
// "Limits"): one the vendor assigned or a Community's (GroupIDPrefix, CommunityPrefix, then
// the rest), or one the app chose, which is printable ASCII of at most
// MaxCustomGroupIDBytes and never starts with GroupIDPrefix. It returns why the ID is
// bad, or "".
func groupIDProblem(id string) string {
	if at := printableASCII(id); at > 0 {
		return fmt.Sprintf("byte %d is not printable ASCII: a group ID is printable ASCII", at)
	}
	switch {
	case id == chatapi.GroupIDPrefix || id == chatapi.CommunityPrefix:
		return "only the " + id + " prefix: the rest of the group ID is missing"
	case strings.HasPrefix(id, chatapi.GroupIDPrefix):
		return ""
	case len(id) > chatapi.MaxCustomGroupIDBytes:
		return fmt.Sprintf("too long for a custom group ID: %d bytes, at most %d", len(id), chatapi.MaxCustomGroupIDBytes)
	}
	return ""
}

// contactNameWarnings returns the warnings of a conversation-group record whose group names
// are longer than the vendor's error list allows (51011: 32 bytes) but within what its newer
// create and update pages allow (64): where the pages disagree, refusing the name would cost
// the group if the newer pages are right, so it is sent and the service decides.
func contactNameWarnings(r *sources.ContactGroup) []Problem {
	var out []Problem
	for _, f := range [...]struct{ field, value string }{{"GroupName", r.GroupName}, {"NewGroupName", r.NewGroupName}} {
		if n := len(f.value); n > chatapi.MaxContactGroupName && n <= chatapi.MaxContactGroupNameNewer {
			out = append(out, Problem{Kind: sources.ContactGroups, Pos: r.Pos, Field: f.field, Excerpt: sources.Excerpt(f.value),
				Reason: fmt.Sprintf("%d bytes of UTF-8: the vendor's error list allows %d, its create and update pages %d; "+
					"sent, the service may refuse it (51011)", n, chatapi.MaxContactGroupName, chatapi.MaxContactGroupNameNewer),
				Warning: true, Item: contactItem(r, nil)})
		}
	}
	return out
}
