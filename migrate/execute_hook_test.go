package migrate

import (
	"context"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// hookAPI wraps an API for tests: after runs once the real call returned and may replace
// its error (e.g. to lose an answer the server did apply).
type hookAPI struct {
	API
	after func(endpoint string, req any, err error) error
}

func hook[Req, Resp any](h *hookAPI, endpoint string, req Req, call func() (Resp, error)) (Resp, error) {
	resp, err := call()
	if h.after != nil {
		if herr := h.after(endpoint, req, err); herr != err {
			var zero Resp
			return zero, herr
		}
	}
	return resp, err
}

func (h *hookAPI) ImportTopic(ctx context.Context, req *chatapi.ImportTopicRequest) (*chatapi.ImportTopicResponse, error) {
	return hook(h, chatapi.PathImportTopic, req, func() (*chatapi.ImportTopicResponse, error) { return h.API.ImportTopic(ctx, req) })
}

func (h *hookAPI) GetTopic(ctx context.Context, req *chatapi.GetTopicRequest) (*chatapi.GetTopicResponse, error) {
	return hook(h, chatapi.PathGetTopic, req, func() (*chatapi.GetTopicResponse, error) { return h.API.GetTopic(ctx, req) })
}

func (h *hookAPI) GroupAdd(ctx context.Context, req *chatapi.GroupAddRequest) (*chatapi.GroupAddResponse, error) {
	return hook(h, chatapi.PathGroupAdd, req, func() (*chatapi.GroupAddResponse, error) { return h.API.GroupAdd(ctx, req) })
}

func (h *hookAPI) GroupGet(ctx context.Context, req *chatapi.GroupGetRequest) (*chatapi.GroupGetResponse, error) {
	return hook(h, chatapi.PathGroupGet, req, func() (*chatapi.GroupGetResponse, error) { return h.API.GroupGet(ctx, req) })
}

func (h *hookAPI) FriendUpdate(ctx context.Context, req *chatapi.FriendUpdateRequest) (*chatapi.FriendUpdateResponse, error) {
	return hook(h, chatapi.PathFriendUpdate, req, func() (*chatapi.FriendUpdateResponse, error) { return h.API.FriendUpdate(ctx, req) })
}

func (h *hookAPI) FriendGet(ctx context.Context, req *chatapi.FriendGetRequest) (*chatapi.FriendGetResponse, error) {
	return hook(h, chatapi.PathFriendGet, req, func() (*chatapi.FriendGetResponse, error) { return h.API.FriendGet(ctx, req) })
}

func (h *hookAPI) CreateContactGroup(ctx context.Context, req *chatapi.CreateContactGroupRequest) (*chatapi.CreateContactGroupResponse, error) {
	return hook(h, chatapi.PathCreateContactGroup, req, func() (*chatapi.CreateContactGroupResponse, error) {
		return h.API.CreateContactGroup(ctx, req)
	})
}

func (h *hookAPI) UpdateContactGroup(ctx context.Context, req *chatapi.UpdateContactGroupRequest) (*chatapi.UpdateContactGroupResponse, error) {
	return hook(h, chatapi.PathUpdateContactGroup, req, func() (*chatapi.UpdateContactGroupResponse, error) {
		return h.API.UpdateContactGroup(ctx, req)
	})
}

func (h *hookAPI) GetContactGroup(ctx context.Context, req *chatapi.GetContactGroupRequest) (*chatapi.GetContactGroupResponse, error) {
	return hook(h, chatapi.PathGetContactGroup, req, func() (*chatapi.GetContactGroupResponse, error) {
		return h.API.GetContactGroup(ctx, req)
	})
}

// lostAnswer is the error of a request that was sent and applied but never answered.
func lostAnswer(endpoint string) error {
	return &chatapi.Error{Endpoint: endpoint, Info: "connection reset (test)", Class: chatapi.ClassTransient, Sent: true}
}
