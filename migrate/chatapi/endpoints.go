package chatapi

import (
	"context"
	"errors"
)

// Each method returns the decoded answer whenever a body was decoded, also together with an
// error, so that per-item results (ResultItem, Fail_Account, ContactResultItem,
// TopicAndSelfInfo[].ErrorCode) stay readable item by item.

// ImportTopic imports one topic into a community, on the configured ImportTopicPath.
func (c *Client) ImportTopic(ctx context.Context, req *ImportTopicRequest) (*ImportTopicResponse, error) {
	return do[ImportTopicResponse](ctx, c, c.importPath, req)
}

// GetTopic reads a community's topics. The vendor calls the top-level ErrorCode meaningless
// when topics are listed: then no error is returned, and each TopicAndSelfInfo[].ErrorCode
// is the caller's to read.
func (c *Client) GetTopic(ctx context.Context, req *GetTopicRequest) (*GetTopicResponse, error) {
	resp, err := do[GetTopicResponse](ctx, c, PathGetTopic, req)
	var e *Error
	if resp != nil && len(resp.TopicAndSelfInfo) > 0 && errors.As(err, &e) && e.Code != 0 {
		return resp, nil
	}
	return resp, err
}

// GroupAdd creates friend groups and puts friends into them. ErrorCode 0 does not mean every
// friend was added: read ResultItem and Fail_Account.
func (c *Client) GroupAdd(ctx context.Context, req *GroupAddRequest) (*GroupAddResponse, error) {
	return do[GroupAddResponse](ctx, c, PathGroupAdd, req)
}

// GroupGet reads a user's friend groups.
func (c *Client) GroupGet(ctx context.Context, req *GroupGetRequest) (*GroupGetResponse, error) {
	return do[GroupGetResponse](ctx, c, PathGroupGet, req)
}

// CreateContactGroup creates a conversation group with its first conversations; read each
// GroupResultItem[].ResultItem.
func (c *Client) CreateContactGroup(ctx context.Context, req *CreateContactGroupRequest) (*CreateContactGroupResponse, error) {
	return do[CreateContactGroupResponse](ctx, c, PathCreateContactGroup, req)
}

// UpdateContactGroup renames a conversation group or changes its members; read each
// UpdateGroupResult.ContactResultItem.
func (c *Client) UpdateContactGroup(ctx context.Context, req *UpdateContactGroupRequest) (*UpdateContactGroupResponse, error) {
	return do[UpdateContactGroupResponse](ctx, c, PathUpdateContactGroup, req)
}

// GetContactGroup reads one page of a user's conversation groups.
func (c *Client) GetContactGroup(ctx context.Context, req *GetContactGroupRequest) (*GetContactGroupResponse, error) {
	return do[GetContactGroupResponse](ctx, c, PathGetContactGroup, req)
}
