package chatapi

import "context"

// FriendUpdate sets fields of From_Account's friends (their friend groups among them). ErrorCode
// 0 does not mean every friend was updated: read ResultItem and Fail_Account.
func (c *Client) FriendUpdate(ctx context.Context, req *FriendUpdateRequest) (*FriendUpdateResponse, error) {
	return do[FriendUpdateResponse](ctx, c, PathFriendUpdate, req)
}

// FriendGet reads one page of a user's friends with their fields.
func (c *Client) FriendGet(ctx context.Context, req *FriendGetRequest) (*FriendGetResponse, error) {
	return do[FriendGetResponse](ctx, c, PathFriendGet, req)
}

// FriendCheck reads whether each To_Account is a friend of From_Account; read each InfoItem's
// ResultCode before its Relation.
func (c *Client) FriendCheck(ctx context.Context, req *FriendCheckRequest) (*FriendCheckResponse, error) {
	return do[FriendCheckResponse](ctx, c, PathFriendCheck, req)
}

// AccountCheck reads whether accounts are imported.
func (c *Client) AccountCheck(ctx context.Context, req *AccountCheckRequest) (*AccountCheckResponse, error) {
	return do[AccountCheckResponse](ctx, c, PathAccountCheck, req)
}

// GetGroupInfo reads groups' base info; each GroupInfo carries its own ErrorCode.
func (c *Client) GetGroupInfo(ctx context.Context, req *GetGroupInfoRequest) (*GetGroupInfoResponse, error) {
	return do[GetGroupInfoResponse](ctx, c, PathGetGroupInfo, req)
}

// GetRoleInGroup reads users' roles in one group (NotMember for a user outside it).
func (c *Client) GetRoleInGroup(ctx context.Context, req *GetRoleInGroupRequest) (*GetRoleInGroupResponse, error) {
	return do[GetRoleInGroupResponse](ctx, c, PathGetRoleInGroup, req)
}
