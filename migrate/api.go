package migrate

import (
	"context"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// API is what run and verify need from the Chat REST API: the nine endpoints, one method each.
// *chatapi.Client satisfies it; tests may wrap it to count or disturb calls.
//
// A method returns the decoded answer whenever a body was decoded (per-item results are
// readable even when the request failed as a whole) and a *chatapi.Error for any failure.
type API interface {
	ImportTopic(ctx context.Context, req *chatapi.ImportTopicRequest) (*chatapi.ImportTopicResponse, error)
	GetTopic(ctx context.Context, req *chatapi.GetTopicRequest) (*chatapi.GetTopicResponse, error)
	GroupAdd(ctx context.Context, req *chatapi.GroupAddRequest) (*chatapi.GroupAddResponse, error)
	GroupGet(ctx context.Context, req *chatapi.GroupGetRequest) (*chatapi.GroupGetResponse, error)
	FriendUpdate(ctx context.Context, req *chatapi.FriendUpdateRequest) (*chatapi.FriendUpdateResponse, error)
	FriendGet(ctx context.Context, req *chatapi.FriendGetRequest) (*chatapi.FriendGetResponse, error)
	CreateContactGroup(ctx context.Context, req *chatapi.CreateContactGroupRequest) (*chatapi.CreateContactGroupResponse, error)
	UpdateContactGroup(ctx context.Context, req *chatapi.UpdateContactGroupRequest) (*chatapi.UpdateContactGroupResponse, error)
	GetContactGroup(ctx context.Context, req *chatapi.GetContactGroupRequest) (*chatapi.GetContactGroupResponse, error)
}
