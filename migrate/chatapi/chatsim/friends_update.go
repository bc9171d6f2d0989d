package chatsim

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// maxRemarkBytes bounds Tag_SNS_IM_Remark (the vendor's friend field limits).
const maxRemarkBytes = 96

// friendChange is one UpdateItem as read: the friend, its intended groups when the item sets
// Tag_SNS_IM_Group, and the item's own refusal, if any.
type friendChange struct {
	to        string
	groups    []string
	setGroups bool
	code      int
	info      string
}

// friendUpdate serves sns/friend_update: at most 1000 UpdateItem, each setting fields of one
// friend. Only Tag_SNS_IM_Group changes state: the friend's groups are replaced by the list or
// the list is added (Dialect.FriendUpdateGroups); a name the user has no group of fails the
// item with 30001 or is created, counting toward the 32 (Dialect.FriendUpdateUnknownGroup).
// Tag_SNS_IM_Remark (a string of at most 96 bytes) and Tag_SNS_Custom_* are accepted and not
// kept; any other Tag fails the item with 30001, as does a To_Account that is not a friend
// (32216, also listed in Fail_Account). An item fails or succeeds whole.
func (s *Server) friendUpdate(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	items := o.objList("UpdateItem", true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if len(items) == 0 || len(items) > chatapi.MaxFriendUpdateItems {
		return fail(chatapi.CodeSNSBadParam, "UpdateItem must list 1 to 1000 friends")
	}
	changes := make([]friendChange, 0, len(items))
	for _, it := range items {
		changes = append(changes, readFriendChange(it))
	}
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeSNSNoAccount, "From_Account does not exist")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	fu := s.st.friendUser(user)
	resp := &chatapi.FriendUpdateResponse{}
	for _, c := range changes {
		if c.code == 0 && !s.world.areFriends(user, c.to) {
			c.code, c.info = chatapi.CodeNotFriend, "Err_SNS_FriendUpdate_Friend_Not_Exist"
		}
		if c.code == 0 && c.setGroups {
			c.code, c.info = s.setFriendGroups(fu, c.to, c.groups)
		}
		if c.code != 0 {
			resp.Fail_Account = append(resp.Fail_Account, c.to)
		}
		resp.ResultItem = append(resp.ResultItem, chatapi.FriendResultItem{To_Account: c.to, ResultCode: c.code, ResultInfo: c.info})
	}
	fu.seq++
	return succeed(resp)
}

// readFriendChange reads one UpdateItem. A malformed item (no To_Account, no SnsItem, a Value
// of the wrong shape) refuses the whole request through the reader; an unknown Tag only its
// item.
func readFriendChange(it *object) friendChange {
	c := friendChange{to: it.str("To_Account", true)}
	sns := it.objList("SnsItem", true)
	if it.err() == nil && len(sns) == 0 {
		it.bad("%sSnsItem is empty", it.prefix)
	}
	for _, sn := range sns {
		tag := sn.str("Tag", true)
		if it.err() == nil && !sn.has("Value") {
			sn.bad("%sValue is required", sn.prefix)
		}
		if it.err() != nil {
			return c
		}
		switch {
		case tag == chatapi.TagFriendGroups:
			groups, _ := sn.strList("Value", true)
			for _, g := range groups {
				if len(g) > chatapi.MaxFriendGroupNameBytes {
					sn.bad("%sValue: group name longer than 30 bytes", sn.prefix)
				}
			}
			c.groups, c.setGroups = dedupe(groups), true
		case tag == chatapi.TagRemark:
			var remark string
			if json.Unmarshal(sn.m["Value"], &remark) != nil || len(remark) > maxRemarkBytes {
				sn.bad("%sValue: a remark is a string of at most 96 bytes", sn.prefix)
			}
		case strings.HasPrefix(tag, "Tag_SNS_Custom_"):
		default:
			if c.code == 0 {
				c.code, c.info = chatapi.CodeSNSBadParam, "Tag "+tag+" cannot be updated"
			}
		}
	}
	return c
}

// setFriendGroups applies a friend's Tag_SNS_IM_Group under the dialect and returns the
// item's code. Caller holds s.mu.
func (s *Server) setFriendGroups(fu *friendUser, friend string, groups []string) (int, string) {
	var unknown []string
	for _, g := range groups {
		if fu.groups[g] == nil {
			unknown = append(unknown, g)
		}
	}
	if len(unknown) > 0 {
		if s.dialect.FriendUpdateUnknownGroup != UnknownGroupCreate {
			return chatapi.CodeSNSBadParam, "Tag_SNS_IM_Group names a group the user does not have"
		}
		if len(fu.groups)+len(unknown) > chatapi.MaxFriendGroupsPerUser {
			return chatapi.CodeSNSGroupLimit, "friend group limit (32) reached"
		}
		for _, g := range unknown {
			fu.create(g)
		}
	}
	if s.dialect.FriendUpdateGroups == FriendGroupsReplace {
		for name, members := range fu.groups {
			if !slices.Contains(groups, name) {
				delete(members, friend)
			}
		}
	}
	for _, g := range groups {
		fu.groups[g][friend] = struct{}{}
	}
	return 0, ""
}
