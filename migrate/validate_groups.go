package migrate

import (
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Field rules of friend and conversation groups (API.md). Account and group IDs have no
// documented length here: only UTF-8 and control characters are checked.
var (
	ruleFrom             = textRule{field: "From_Account", required: true}
	ruleFriendGroupName  = textRule{field: "GroupName", required: true, max: chatapi.MaxFriendGroupNameBytes}
	ruleFriendTo         = textRule{field: "To_Account", required: true}
	ruleContactGroupName = textRule{field: "GroupName", required: true, max: chatapi.MaxContactGroupName}
	ruleNewGroupName     = textRule{field: "NewGroupName", required: true, max: chatapi.MaxContactGroupName}
	ruleContactTo        = textRule{field: "To_Account", required: true}
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
		} else if len(c.ToGroupId) <= len("@TGS#") || !strings.HasPrefix(c.ToGroupId, "@TGS#") {
			issues = append(issues, issue{"ToGroupId", c.ToGroupId, "not a group ID: must start with @TGS#"})
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
