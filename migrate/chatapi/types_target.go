package chatapi

import "encoding/json"

// Service paths of the endpoints that know the target before, during and after a migration
// (docs/vendor-api.md, "Endpoints"): sns/friend_update writes; the rest only read.
const (
	PathFriendUpdate   = "sns/friend_update"
	PathFriendGet      = "sns/friend_get"
	PathFriendCheck    = "sns/friend_check"
	PathAccountCheck   = "im_open_login_svc/account_check"
	PathGetGroupInfo   = "group_open_http_svc/get_group_info"
	PathGetRoleInGroup = "group_open_http_svc/get_role_in_group"
)

// Limits of the target-reading endpoints and of friend_update (docs/vendor-api.md, "Endpoints").
const (
	MaxFriendUpdateItems = 1000 // sns/friend_update: one page caps it, the others are silent
	MaxFriendCheckItems  = 100  // sns/friend_check: 1000 on one page, 100 in one SDK: the safe side
	MaxAccountCheckItems = 100
	MaxGroupInfoIDs      = 50
	MaxRoleInGroupUsers  = 500
	AccountCheckRPS      = 100 // account_check's own limit; every other endpoint allows DefaultRPS
)

// Tags of sns friend fields (SnsItem.Tag, ValueItem.Tag).
const (
	TagFriendGroups = "Tag_SNS_IM_Group"
	TagRemark       = "Tag_SNS_IM_Remark"
)

// FriendUpdateRequest is the body of sns/friend_update: each UpdateItem sets fields of one
// friend of From_Account. With TagFriendGroups the value is the friend's list of friend groups.
type FriendUpdateRequest struct {
	From_Account string             `json:"From_Account"`
	UpdateItem   []FriendUpdateItem `json:"UpdateItem"`
}

// FriendUpdateItem is one friend's update.
type FriendUpdateItem struct {
	To_Account string    `json:"To_Account"`
	SnsItem    []SnsItem `json:"SnsItem"`
}

// SnsItem is one tagged friend field. Value is raw JSON: a string for most tags, a string array
// for TagFriendGroups.
type SnsItem struct {
	Tag   string          `json:"Tag"`
	Value json.RawMessage `json:"Value"`
}

// FriendGroupsItem returns the SnsItem that sets a friend's friend groups to groups (never
// null: an empty list is []).
func FriendGroupsItem(groups []string) SnsItem {
	if groups == nil {
		groups = []string{}
	}
	v, _ := json.Marshal(groups) // a []string always marshals
	return SnsItem{Tag: TagFriendGroups, Value: v}
}

// Strings decodes a string-array Value (TagFriendGroups); ok is false for any other value.
func (s SnsItem) Strings() (v []string, ok bool) {
	if err := json.Unmarshal(s.Value, &v); err != nil {
		return nil, false
	}
	return v, true
}

// FriendUpdateResponse is the answer of sns/friend_update. ErrorCode 0 does not mean every
// friend was updated: read ResultItem and Fail_Account.
type FriendUpdateResponse struct {
	BaseResponse
	ResultItem   []FriendResultItem `json:"ResultItem,omitempty"`
	Fail_Account []string           `json:"Fail_Account,omitempty"`
}

// FriendGetRequest is the body of sns/friend_get: one page of From_Account's friends from
// StartIndex on.
type FriendGetRequest struct {
	From_Account string `json:"From_Account"`
	StartIndex   int    `json:"StartIndex"`
}

// FriendGetResponse is one page of sns/friend_get.
type FriendGetResponse struct {
	BaseResponse
	UserDataItem   []UserDataItem `json:"UserDataItem,omitempty"`
	FriendNum      int            `json:"FriendNum"`
	CompleteFlag   int            `json:"CompleteFlag"`
	NextStartIndex int            `json:"NextStartIndex"`
}

// UserDataItem is one friend and its fields (TagFriendGroups among them).
type UserDataItem struct {
	To_Account string    `json:"To_Account"`
	ValueItem  []SnsItem `json:"ValueItem,omitempty"`
}

// Relations of sns/friend_check. CheckSingle asks only whether To_Account is in
// From_Account's friend list.
const (
	CheckSingle       = "CheckResult_Type_Single"
	CheckBoth         = "CheckResult_Type_Both"
	RelationAWithB    = "CheckResult_Type_AWithB" // To_Account is in From_Account's list
	RelationNoRelated = "CheckResult_Type_NoRelation"
)

// FriendCheckRequest is the body of sns/friend_check.
type FriendCheckRequest struct {
	From_Account string   `json:"From_Account"`
	To_Account   []string `json:"To_Account"`
	CheckType    string   `json:"CheckType"`
}

// FriendCheckResponse is the answer of sns/friend_check (note the field name InfoItem).
type FriendCheckResponse struct {
	BaseResponse
	InfoItem     []FriendCheckItem `json:"InfoItem,omitempty"`
	Fail_Account []string          `json:"Fail_Account,omitempty"`
}

// FriendCheckItem is one checked friend: read ResultCode before Relation.
type FriendCheckItem struct {
	To_Account string `json:"To_Account"`
	Relation   string `json:"Relation"`
	ResultCode int    `json:"ResultCode"`
	ResultInfo string `json:"ResultInfo,omitempty"`
}

// Account statuses of im_open_login_svc/account_check.
const (
	AccountImported    = "Imported"
	AccountNotImported = "NotImported"
)

// AccountCheckRequest is the body of im_open_login_svc/account_check.
type AccountCheckRequest struct {
	CheckItem []AccountCheckItem `json:"CheckItem"`
}

// AccountCheckItem names one account to check.
type AccountCheckItem struct {
	UserID string `json:"UserID"`
}

// AccountCheckResponse is the answer of account_check.
type AccountCheckResponse struct {
	BaseResponse
	ResultItem []AccountCheckResult `json:"ResultItem,omitempty"`
}

// AccountCheckResult is one account's status.
type AccountCheckResult struct {
	UserID        string `json:"UserID"`
	ResultCode    int    `json:"ResultCode"`
	ResultInfo    string `json:"ResultInfo,omitempty"`
	AccountStatus string `json:"AccountStatus"`
}

// Group types as get_group_info names them.
const GroupTypeCommunity = "Community"

// GetGroupInfoRequest is the body of get_group_info. Always set a ResponseFilter: unfiltered
// answers carry member lists and quickly pass the 1 MB answer cap.
type GetGroupInfoRequest struct {
	GroupIdList    []string         `json:"GroupIdList"`
	ResponseFilter *GroupInfoFilter `json:"ResponseFilter,omitempty"`
}

// GroupInfoFilter selects the base fields get_group_info returns.
type GroupInfoFilter struct {
	GroupBaseInfoFilter []string `json:"GroupBaseInfoFilter"`
}

// GetGroupInfoResponse is the answer of get_group_info.
type GetGroupInfoResponse struct {
	BaseResponse
	GroupInfo []GroupInfo `json:"GroupInfo,omitempty"`
}

// GroupInfo is one group's base info, or its per-group ErrorCode (10010: no such group).
type GroupInfo struct {
	GroupId   string `json:"GroupId"`
	ErrorCode int    `json:"ErrorCode"`
	ErrorInfo string `json:"ErrorInfo,omitempty"`
	Type      string `json:"Type,omitempty"`
	Name      string `json:"Name,omitempty"`
}

// Roles of get_role_in_group.
const RoleNotMember = "NotMember"

// GetRoleInGroupRequest is the body of get_role_in_group.
type GetRoleInGroupRequest struct {
	GroupId      string   `json:"GroupId"`
	User_Account []string `json:"User_Account"`
}

// GetRoleInGroupResponse is the answer of get_role_in_group.
type GetRoleInGroupResponse struct {
	BaseResponse
	UserIdList []MemberRole `json:"UserIdList,omitempty"`
}

// MemberRole is one user's role in the group: Owner, Admin, Member or NotMember.
type MemberRole struct {
	Member_Account string `json:"Member_Account"`
	Role           string `json:"Role"`
}
