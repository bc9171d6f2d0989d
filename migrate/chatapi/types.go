// Package chatapi speaks the wire format of Tencent Cloud Chat's server REST API as chatmigrate
// uses it: typed requests and responses, the error classes of docs/vendor-api.md, regions and
// UserSig. It knows nothing about files, plans or checkpoints.
package chatapi

import "encoding/json"

// Service paths, relative to {base}/v4/. import_topic has two documented paths; the client's
// Config.ImportTopicPath selects one (PathImportTopic by default).
const (
	PathImportTopic        = "group_open_http_svc/import_topic"
	PathImportTopicMillion = "million_group_open_http_svc/import_topic"
	PathGetTopic           = "million_group_open_http_svc/get_topic"
	PathGroupAdd           = "sns/group_add"
	PathGroupGet           = "sns/group_get"
	PathCreateContactGroup = "recentcontact/create_contact_group"
	PathUpdateContactGroup = "recentcontact/update_contact_group"
	PathGetContactGroup    = "recentcontact/get_contact_group"
)

// Limits documented by the vendor (bytes are UTF-8 bytes). See docs/vendor-api.md, "Limits".
const (
	MaxTopicNameBytes       = 30
	MaxNotificationBytes    = 300
	MaxIntroductionBytes    = 240
	MaxFaceURLBytes         = 100
	MaxCustomStringBytes    = 3000
	MaxTopicIDBytes         = 96
	MaxFriendGroupNameBytes = 30
	MaxContactGroupName     = 32 // 32 by the error list, 64 by newer pages (docs/vendor-api.md, "Limits")
	MaxFriendGroupsPerUser  = 32
	MaxFriendGroupsPerReq   = 32
	MaxFriendsPerReq        = 1000
	MaxFriendsPerUser       = 3000
	MaxContactGroupsPerUser = 20
	MaxContactsPerUser      = 1000 // distinct conversations in all of a user's groups, shared with conversation marks (51008)
	MaxContactsPerRequest   = 100  // conversations in one create or update (51006)
	DefaultRPS              = 200
)

// Group and topic ID markers.
const (
	CommunityPrefix = "@TGS#_"
	TopicMarker     = "@TOPIC#_"
)

// Limits of IDs and names, and the ID forms, that the vendor's revised pages give
// (docs/vendor-api.md, "Limits").
const (
	MaxUserIDBytes        = 32 // every UserID: From_Account, To_Account
	MaxCustomGroupIDBytes = 48 // a group ID an app chose (one that does not start with GroupIDPrefix)
	// MaxContactGroupNameNewer is the conversation group name limit of the newer create and
	// update pages; the error list (51011) says MaxContactGroupName. Names in between are
	// sent, with a warning.
	MaxContactGroupNameNewer = 64
	// GroupIDPrefix starts every group ID the vendor assigns, and a Community's
	// (CommunityPrefix); a custom ID of any other group must not start with it.
	GroupIDPrefix = "@TGS#"
	// VendorTopicMarker is in every TopicId the vendor assigns ({GroupId}@TOPIC#_@TOPIC#...):
	// such an ID cannot be imported as a custom one.
	VendorTopicMarker = "@TOPIC#_@TOPIC#"
)

// Contact types (ContactItem.Type).
const (
	ContactC2C   = 1
	ContactGroup = 2
)

// Contact operation types (ContactUpdateItem.ContactOptType).
const (
	ContactOptAdd    = 1
	ContactOptDelete = 2
)

// UpdateGroupType values.
const (
	UpdateGroupRename  = 1
	UpdateGroupMembers = 2
)

// BaseResponse is the envelope every answer carries.
type BaseResponse struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
	ErrorDisplay string `json:"ErrorDisplay,omitempty"`
}

// Base returns the envelope; every response type embeds BaseResponse and so satisfies
// the client's response interface.
func (b *BaseResponse) Base() *BaseResponse { return b }

// ImportTopicRequest is the body of import_topic. Optional fields are omitted when empty:
// a strict server refuses "" or 0 in their place.
type ImportTopicRequest struct {
	Type         string `json:"Type,omitempty"`
	GroupId      string `json:"GroupId"`
	TopicId      string `json:"TopicId,omitempty"`
	TopicName    string `json:"TopicName"`
	From_Account string `json:"From_Account,omitempty"`
	CustomString string `json:"CustomString,omitempty"`
	FaceUrl      string `json:"FaceUrl,omitempty"`
	Notification string `json:"Notification,omitempty"`
	Introduction string `json:"Introduction,omitempty"`
	CreateTime   int64  `json:"CreateTime,omitempty"`
}

// ImportTopicResponse is the answer of import_topic.
type ImportTopicResponse struct {
	BaseResponse
	TopicId string `json:"TopicId,omitempty"`
}

// GetTopicRequest is the body of get_topic. An empty TopicIdList asks for every topic.
type GetTopicRequest struct {
	GroupId        string   `json:"GroupId"`
	From_Account   string   `json:"From_Account"`
	TopicIdList    []string `json:"TopicIdList,omitempty"`
	ResponseFilter []string `json:"ResponseFilter,omitempty"`
}

// GetTopicResponse is the answer of get_topic. Its top-level ErrorCode is meaningless per the
// vendor: read each TopicAndSelfInfo[].ErrorCode.
type GetTopicResponse struct {
	BaseResponse
	TopicAndSelfInfo []TopicAndSelfInfo `json:"TopicAndSelfInfo"`
}

// TopicAndSelfInfo is one topic in a get_topic answer, with its own result code.
type TopicAndSelfInfo struct {
	ErrorCode int       `json:"ErrorCode"`
	ErrorInfo string    `json:"ErrorInfo"`
	SelfInfo  *SelfInfo `json:"SelfInfo,omitempty"`
	TopicInfo TopicInfo `json:"TopicInfo"`
}

// SelfInfo is the asking user's state in a topic.
type SelfInfo struct {
	ShutUpTime int64  `json:"ShutUpTime"`
	MsgSeq     int64  `json:"MsgSeq"`
	MsgFlag    string `json:"MsgFlag,omitempty"`
}

// TopicInfo is a topic's profile as get_topic returns it.
type TopicInfo struct {
	TopicId       string `json:"TopicId"`
	TopicName     string `json:"TopicName"`
	GroupID       string `json:"GroupID"`
	FaceUrl       string `json:"FaceUrl,omitempty"`
	Notification  string `json:"Notification,omitempty"`
	Introduction  string `json:"Introduction,omitempty"`
	CreateTime    int64  `json:"CreateTime,omitempty"`
	CustomString  string `json:"CustomString,omitempty"`
	NextMsgSeq    int64  `json:"NextMsgSeq,omitempty"`
	LastMsgTime   int64  `json:"LastMsgTime"`
	MuteAllMember string `json:"MuteAllMember,omitempty"`
}

// GroupAddRequest is the body of sns/group_add: every To_Account goes into every GroupName.
type GroupAddRequest struct {
	From_Account string   `json:"From_Account"`
	GroupName    []string `json:"GroupName"`
	To_Account   []string `json:"To_Account,omitempty"`
}

// GroupAddResponse is the answer of sns/group_add. ErrorCode 0 does not mean every friend was
// added: read ResultItem and Fail_Account.
type GroupAddResponse struct {
	BaseResponse
	ResultItem      []FriendResultItem `json:"ResultItem,omitempty"`
	Fail_Account    []string           `json:"Fail_Account,omitempty"`
	CurrentSequence int64              `json:"CurrentSequence"`
}

// FriendResultItem is one friend's outcome in sns/group_add.
type FriendResultItem struct {
	To_Account string `json:"To_Account"`
	ResultCode int    `json:"ResultCode"`
	ResultInfo string `json:"ResultInfo"`
}

// NeedFriendYes asks sns/group_get to list each group's friends.
const NeedFriendYes = "Need_Friend_Type_Yes"

// GroupGetRequest is the body of sns/group_get.
type GroupGetRequest struct {
	From_Account string   `json:"From_Account"`
	NeedFriend   string   `json:"NeedFriend,omitempty"`
	GroupName    []string `json:"GroupName,omitempty"`
}

// GroupGetResponse is the answer of sns/group_get.
type GroupGetResponse struct {
	BaseResponse
	ResultItem      []FriendGroupInfo `json:"ResultItem,omitempty"`
	CurrentSequence int64             `json:"CurrentSequence"`
}

// FriendGroupInfo is one friend group as sns/group_get returns it.
type FriendGroupInfo struct {
	GroupName    string   `json:"GroupName"`
	FriendNumber int      `json:"FriendNumber"`
	To_Account   []string `json:"To_Account,omitempty"`
}

// ContactItem is a conversation: Type 1 (C2C) with To_Account, or Type 2 (group) with ToGroupId.
type ContactItem struct {
	Type       int    `json:"Type"`
	To_Account string `json:"To_Account,omitempty"`
	ToGroupId  string `json:"ToGroupId,omitempty"`
}

// CreateContactGroupRequest is the body of create_contact_group. The project sends one group
// per request.
type CreateContactGroupRequest struct {
	From_Account     string             `json:"From_Account"`
	GroupContactItem []GroupContactItem `json:"GroupContactItem"`
}

// GroupContactItem is a group to create with its first conversations. ContactItem is always
// sent, [] for an empty group: one vendor page marks it required (docs/vendor-api.md,
// "Endpoints").
type GroupContactItem struct {
	GroupName   string        `json:"GroupName"`
	ContactItem []ContactItem `json:"ContactItem"`
}

// MarshalJSON writes ContactItem as [] when it is nil, never as null.
func (g GroupContactItem) MarshalJSON() ([]byte, error) {
	type plain GroupContactItem // without the method, so that Marshal does not recurse
	p := plain(g)
	if p.ContactItem == nil {
		p.ContactItem = []ContactItem{}
	}
	return json.Marshal(p)
}

// CreateContactGroupResponse is the answer of create_contact_group.
type CreateContactGroupResponse struct {
	BaseResponse
	GroupResultItem []GroupResultItem `json:"GroupResultItem,omitempty"`
}

// GroupResultItem is one created group and its per-conversation results.
type GroupResultItem struct {
	GroupItem  ContactGroupItem    `json:"GroupItem"`
	ResultItem []ContactResultItem `json:"ResultItem,omitempty"`
}

// ContactGroupItem names a conversation group and its numeric ID.
type ContactGroupItem struct {
	GroupName string `json:"GroupName"`
	GroupId   int    `json:"GroupId"`
}

// ContactResultItem is one conversation's outcome in a create or update.
type ContactResultItem struct {
	ContactOptType int         `json:"ContactOptType,omitempty"`
	ContactItem    ContactItem `json:"ContactItem"`
	ResultCode     int         `json:"ResultCode"`
	ResultInfo     string      `json:"ResultInfo"`
}

// UpdateTypeGroup is update_contact_group's only UpdateType: change one group's name or its
// conversations.
const UpdateTypeGroup = 1

// UpdateContactGroupRequest is the body of update_contact_group. Build it with
// RenameContactGroup or UpdateContactGroupMembers, which fill in the type fields.
type UpdateContactGroupRequest struct {
	From_Account string      `json:"From_Account"`
	UpdateType   int         `json:"UpdateType"`
	UpdateGroup  UpdateGroup `json:"UpdateGroup"`
}

// RenameContactGroup is the update that renames user's conversation group oldName to newName.
func RenameContactGroup(user, oldName, newName string) *UpdateContactGroupRequest {
	return &UpdateContactGroupRequest{From_Account: user, UpdateType: UpdateTypeGroup,
		UpdateGroup: UpdateGroup{UpdateGroupType: UpdateGroupRename, OldGroupName: oldName, NewGroupName: newName}}
}

// UpdateContactGroupMembers is the update that adds conversations to, or deletes them from,
// user's conversation group; items may be nil, for a caller that appends them to
// UpdateGroup.ContactUpdateItem one by one.
func UpdateContactGroupMembers(user, group string, items []ContactUpdateItem) *UpdateContactGroupRequest {
	return &UpdateContactGroupRequest{From_Account: user, UpdateType: UpdateTypeGroup,
		UpdateGroup: UpdateGroup{UpdateGroupType: UpdateGroupMembers, OldGroupName: group, ContactUpdateItem: items}}
}

// UpdateGroup is a rename (UpdateGroupType 1) or a change of members (2).
type UpdateGroup struct {
	UpdateGroupType   int                 `json:"UpdateGroupType"`
	OldGroupName      string              `json:"OldGroupName"`
	NewGroupName      string              `json:"NewGroupName,omitempty"`
	ContactUpdateItem []ContactUpdateItem `json:"ContactUpdateItem,omitempty"`
}

// ContactUpdateItem adds (1) or deletes (2) one conversation.
type ContactUpdateItem struct {
	ContactOptType int         `json:"ContactOptType"`
	ContactItem    ContactItem `json:"ContactItem"`
}

// UpdateContactGroupResponse is the answer of update_contact_group.
type UpdateContactGroupResponse struct {
	BaseResponse
	UpdateType        int               `json:"UpdateType,omitempty"`
	UpdateGroupResult UpdateGroupResult `json:"UpdateGroupResult"`
}

// UpdateGroupResult is the per-group outcome of an update.
type UpdateGroupResult struct {
	UpdateGroupType   int                 `json:"UpdateGroupType"`
	GroupName         string              `json:"GroupName"`
	GroupId           int                 `json:"GroupId"`
	OldGroupName      string              `json:"OldGroupName"`
	ContactResultItem []ContactResultItem `json:"ContactResultItem,omitempty"`
}

// GetContactGroupRequest is the body of get_contact_group; StartIndex pages through contacts.
type GetContactGroupRequest struct {
	From_Account string `json:"From_Account"`
	StartIndex   int    `json:"StartIndex"`
}

// GetContactGroupResponse is one page of a user's conversation groups.
type GetContactGroupResponse struct {
	BaseResponse
	ContactItem    []ContactWithGroups `json:"ContactItem,omitempty"`
	GroupItem      []ContactGroupItem  `json:"GroupItem,omitempty"`
	CompleteFlag   int                 `json:"CompleteFlag"`
	NextStartIndex int                 `json:"NextStartIndex"`
}

// ContactWithGroups is a conversation and the numeric IDs of the groups it belongs to.
type ContactWithGroups struct {
	Type           int    `json:"Type"`
	To_Account     string `json:"To_Account,omitempty"`
	ToGroupId      string `json:"ToGroupId,omitempty"`
	ContactGroupId []int  `json:"ContactGroupId"`
}
