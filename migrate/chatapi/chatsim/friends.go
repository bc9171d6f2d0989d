package chatsim

import (
	"slices"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// groupAdd serves sns/group_add. A GroupName the user already has follows
// Dialect.GroupAddExisting (docs/vendor-api.md, "What the vendor leaves open", question 1):
// merged into, the whole request refused (30001, nothing changes), or left as it is while the
// request's new groups are created and filled. A friend already in a group answers ResultCode
// 0; a request that would take the user past 32 groups fails whole with 30011 and changes
// nothing. Each To_Account that is not a friend answers 32216 and is listed in Fail_Account,
// while the friends of the same request are added.
func (s *Server) groupAdd(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	names, _ := o.strList("GroupName", true)
	friends, _ := o.strList("To_Account", false)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	switch {
	case len(names) == 0 || len(names) > chatapi.MaxFriendGroupsPerReq:
		return fail(chatapi.CodeSNSBadParam, "GroupName must list 1 to 32 names")
	case len(friends) > chatapi.MaxFriendsPerReq:
		return fail(chatapi.CodeSNSBadParam, "To_Account lists more than 1000 accounts")
	}
	for _, n := range names {
		if len(n) > chatapi.MaxFriendGroupNameBytes {
			return fail(chatapi.CodeSNSBadParam, "GroupName longer than 30 bytes")
		}
	}
	names = dedupe(names)
	friends = dedupe(friends)
	if !s.world.userExists(user) {
		return fail(chatapi.CodeSNSNoAccount, "From_Account does not exist")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	fu := s.st.friends[user]
	var fresh, old []string
	for _, n := range names {
		if fu != nil && fu.groups[n] != nil {
			old = append(old, n)
		} else {
			fresh = append(fresh, n)
		}
	}
	if len(old) > 0 && s.dialect.GroupAddExisting == GroupAddRefuse {
		return fail(chatapi.CodeSNSBadParam, "GroupName names a group the user already has")
	}
	have := 0
	if fu != nil {
		have = len(fu.groups)
	}
	if have+len(fresh) > chatapi.MaxFriendGroupsPerUser {
		return fail(chatapi.CodeSNSGroupLimit, "friend group limit (32) reached")
	}
	fu = s.st.friendUser(user)
	for _, n := range fresh {
		fu.create(n)
	}
	into := names
	if s.dialect.GroupAddExisting == GroupAddIgnore {
		into = fresh
	}
	resp := &chatapi.GroupAddResponse{}
	for _, f := range friends {
		item := chatapi.FriendResultItem{To_Account: f}
		if !s.world.areFriends(user, f) {
			item.ResultCode, item.ResultInfo = chatapi.CodeNotFriend, "Err_SNS_GroupAdd_ToTinyId_Not_Friend"
			resp.Fail_Account = append(resp.Fail_Account, f)
		} else {
			for _, n := range into {
				fu.groups[n][f] = struct{}{}
			}
		}
		resp.ResultItem = append(resp.ResultItem, item)
	}
	fu.seq++
	resp.CurrentSequence = fu.seq
	return succeed(resp)
}

// groupGet serves sns/group_get. Groups come in creation order; a GroupName filter naming a
// group the user does not have leaves it out (the vendor is silent).
func (s *Server) groupGet(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	need := o.str("NeedFriend", false)
	filter, hasFilter := o.strList("GroupName", false)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if need != "" && need != chatapi.NeedFriendYes {
		return fail(chatapi.CodeSNSBadParam, "NeedFriend must be Need_Friend_Type_Yes")
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeSNSNoAccount, "From_Account does not exist")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &chatapi.GroupGetResponse{}
	fu := s.st.friends[user]
	if fu == nil {
		return succeed(resp)
	}
	resp.CurrentSequence = fu.seq
	names := fu.order
	if hasFilter {
		names = filter
	}
	for _, n := range dedupe(names) {
		members, have := fu.groups[n]
		if !have {
			continue
		}
		item := chatapi.FriendGroupInfo{GroupName: n, FriendNumber: len(members)}
		if need != "" {
			item.To_Account = make([]string, 0, len(members))
			for m := range members {
				item.To_Account = append(item.To_Account, m)
			}
			slices.Sort(item.To_Account)
		}
		resp.ResultItem = append(resp.ResultItem, item)
	}
	return succeed(resp)
}

// dedupe drops repeated strings, keeping the first occurrence's order.
func dedupe(list []string) []string {
	if len(list) < 2 {
		return list
	}
	seen := make(map[string]struct{}, len(list))
	out := list[:0:0]
	for _, v := range list {
		if _, dup := seen[v]; !dup {
			seen[v] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}
