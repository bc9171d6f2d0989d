package chatsim

import (
	"slices"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// maxFriendCheckItems is sns/friend_check's limit as the vendor's page gives it (one SDK caps
// it at 100; the emulator takes the page's word, the client the SDK's).
const maxFriendCheckItems = 1000

// relationBoth is friend_check's answer under CheckResult_Type_Both for two users each in the
// other's list; the World's friendships are symmetric, so it is the only "related" answer.
const relationBoth = "CheckResult_Type_BothWay"

// friendGet serves sns/friend_get: one page (Dialect.FriendPageSize) of the user's friends
// from StartIndex, sorted by ID, each with Tag_SNS_IM_Group (its friend groups in creation
// order, [] for none). In the lenient world, where everyone is everyone's friend, the list
// holds the friends that are in one of the user's groups: the only ones with any state.
func (s *Server) friendGet(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	start, _ := o.integer("StartIndex", true, true)
	o.integer("StandardSequence", false, true)
	o.integer("CustomSequence", false, true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if start < 0 {
		return fail(chatapi.CodeSNSBadParam, "StartIndex is negative")
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeSNSNoAccount, "From_Account does not exist")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	fu := s.st.friends[user]
	friends := s.friendsOf(user, fu)
	resp := &chatapi.FriendGetResponse{FriendNum: len(friends)}
	from := min(int(start), len(friends))
	to := min(from+s.dialect.FriendPageSize, len(friends))
	for _, f := range friends[from:to] {
		groups := []string{}
		if fu != nil {
			groups = fu.groupsOf(f)
		}
		resp.UserDataItem = append(resp.UserDataItem, chatapi.UserDataItem{
			To_Account: f, ValueItem: []chatapi.SnsItem{chatapi.FriendGroupsItem(groups)},
		})
	}
	resp.NextStartIndex = to
	if to >= len(friends) {
		resp.CompleteFlag = 1
	}
	return succeed(resp)
}

// friendsOf lists a user's friends, sorted. Caller holds s.mu.
func (s *Server) friendsOf(user string, fu *friendUser) []string {
	var out []string
	if !s.world.lenient {
		for f := range s.world.friends[user] {
			out = append(out, f)
		}
	} else if fu != nil {
		seen := make(map[string]struct{})
		for _, members := range fu.groups {
			for f := range members {
				if _, dup := seen[f]; !dup {
					seen[f] = struct{}{}
					out = append(out, f)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// friendCheck serves sns/friend_check: for each of at most 1000 To_Account, whether it is in
// From_Account's friend list. Every item answers ResultCode 0; an account that does not
// exist is simply no friend.
func (s *Server) friendCheck(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	to, _ := o.strList("To_Account", true)
	typ := o.str("CheckType", true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	switch {
	case len(to) == 0 || len(to) > maxFriendCheckItems:
		return fail(chatapi.CodeSNSBadParam, "To_Account must list 1 to 1000 accounts")
	case typ != chatapi.CheckSingle && typ != chatapi.CheckBoth:
		return fail(chatapi.CodeSNSBadParam, "CheckType must be CheckResult_Type_Single or CheckResult_Type_Both")
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeSNSNoAccount, "From_Account does not exist")
	}
	resp := &chatapi.FriendCheckResponse{}
	for _, f := range to {
		rel := chatapi.RelationNoRelated
		if s.world.areFriends(user, f) {
			rel = chatapi.RelationAWithB
			if typ == chatapi.CheckBoth {
				rel = relationBoth
			}
		}
		resp.InfoItem = append(resp.InfoItem, chatapi.FriendCheckItem{To_Account: f, Relation: rel})
	}
	return succeed(resp)
}
