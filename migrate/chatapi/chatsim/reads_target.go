package chatsim

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Limits of the target-reading endpoints as the vendor's pages give them.
const (
	maxAccountCheckItems = 100
	maxGroupInfoIDs      = 50
	maxRoleInGroupUsers  = 500
	maxAnswerBytes       = 1 << 20 // past it: 10018
)

// accountCheck serves im_open_login_svc/account_check: for each of at most 100 UserIDs,
// Imported or NotImported, each with ResultCode 0.
func (s *Server) accountCheck(o *object, _ time.Time) reply {
	items := o.objList("CheckItem", true)
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.str("UserID", true))
	}
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if len(ids) == 0 || len(ids) > maxAccountCheckItems {
		return fail(codeAccountBadParam, "CheckItem must list 1 to 100 accounts")
	}
	resp := &chatapi.AccountCheckResponse{}
	for _, id := range ids {
		status := chatapi.AccountNotImported
		if s.world.userExists(id) {
			status = chatapi.AccountImported
		}
		resp.ResultItem = append(resp.ResultItem, chatapi.AccountCheckResult{UserID: id, AccountStatus: status})
	}
	return succeed(resp)
}

// groupInfoResponse is get_group_info's answer with the fields an unfiltered answer carries
// beyond chatapi.GroupInfo: the owner, the member count and the member list.
type groupInfoResponse struct {
	chatapi.BaseResponse
	GroupInfo []groupInfo `json:"GroupInfo"`
}

type groupInfo struct {
	chatapi.GroupInfo
	Owner_Account string               `json:"Owner_Account,omitempty"`
	MemberNum     int                  `json:"MemberNum,omitempty"`
	MemberList    []chatapi.MemberRole `json:"MemberList,omitempty"`
}

// getGroupInfo serves group_open_http_svc/get_group_info for at most 50 groups. Each group
// carries its own ErrorCode (10010: no such group) and the top-level code is 0. The
// ResponseFilter is honoured: with a GroupBaseInfoFilter only the named base fields come back
// (of Type, Name, Owner_Account and MemberNum: the ones the emulator knows; Name is the
// GroupId, as the World names no groups), and the member list only with a MemberInfoFilter;
// without any filter everything does, members included, and an answer past 1 MB is refused
// with 10018. Whether a Community has the topic feature is not returned, as on the service.
func (s *Server) getGroupInfo(o *object, _ time.Time) reply {
	ids, _ := o.strList("GroupIdList", true)
	filter := o.obj("ResponseFilter", false)
	var base []string
	hasBase, hasMembers := false, filter == nil
	if filter != nil {
		base, hasBase = filter.strList("GroupBaseInfoFilter", false)
		_, hasMembers = filter.strList("MemberInfoFilter", false)
	}
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if len(ids) == 0 || len(ids) > maxGroupInfoIDs {
		return fail(chatapi.CodeBadParam, "GroupIdList must list 1 to 50 groups")
	}
	want := func(field string) bool { return !hasBase || slices.Contains(base, field) }
	resp := &groupInfoResponse{GroupInfo: []groupInfo{}}
	for _, id := range ids {
		typ, ok := s.world.groupType(id)
		if !ok {
			resp.GroupInfo = append(resp.GroupInfo, groupInfo{GroupInfo: chatapi.GroupInfo{
				GroupId: id, ErrorCode: chatapi.CodeGroupMissing, ErrorInfo: "group does not exist"}})
			continue
		}
		g := groupInfo{GroupInfo: chatapi.GroupInfo{GroupId: id}}
		if want("Type") {
			g.Type = typ
		}
		if want("Name") {
			g.Name = id
		}
		roles := s.world.members[id]
		if want("Owner_Account") {
			for u, r := range roles {
				if r == roleOwner {
					g.Owner_Account = u
				}
			}
		}
		if want("MemberNum") {
			g.MemberNum = len(roles)
		}
		if hasMembers {
			for u, r := range roles {
				g.MemberList = append(g.MemberList, chatapi.MemberRole{Member_Account: u, Role: r})
			}
			slices.SortFunc(g.MemberList, func(a, b chatapi.MemberRole) int {
				return cmp.Compare(a.Member_Account, b.Member_Account)
			})
		}
		resp.GroupInfo = append(resp.GroupInfo, g)
	}
	if data, err := json.Marshal(resp); err != nil || len(data) > maxAnswerBytes {
		return fail(chatapi.CodeAnswerTooBig, "answer longer than 1 MB: ask for fewer groups or filter the fields")
	}
	return succeed(resp)
}

// getRoleInGroup serves group_open_http_svc/get_role_in_group: each of at most 500 users'
// role in one group, Owner, Admin, Member or NotMember, from the World's GroupMembers (a
// group without an entry counts every existing user a member). No such group: 10010; an
// AVChatRoom: 10007, as the vendor's page says.
func (s *Server) getRoleInGroup(o *object, _ time.Time) reply {
	gid := o.str("GroupId", true)
	users, _ := o.strList("User_Account", true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if len(users) == 0 || len(users) > maxRoleInGroupUsers {
		return fail(chatapi.CodeBadParam, "User_Account must list 1 to 500 accounts")
	}
	typ, ok := s.world.groupType(gid)
	if !ok {
		return fail(chatapi.CodeGroupMissing, "group does not exist")
	}
	if typ == typeAVChatRoom {
		return fail(chatapi.CodeNoPermission, "an AVChatRoom has no member roles to read")
	}
	resp := &chatapi.GetRoleInGroupResponse{}
	for _, u := range users {
		resp.UserIdList = append(resp.UserIdList, chatapi.MemberRole{Member_Account: u, Role: s.world.role(gid, u)})
	}
	return succeed(resp)
}
