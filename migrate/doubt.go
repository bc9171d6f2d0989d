package migrate

import (
	"context"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Settling in-doubt units: a request that went out but whose answer never came (a lost
// answer, a timeout, a killed run) may or may not have been applied. Before it is sent again,
// the target is asked, or the request is one that is harmless to repeat (API.md's model:
// group_add and conversation adds and removes are idempotent).

// topicReader returns get_topic's From_Account for req: its own, else the admin's.
func (e *executor) topicReader(req *chatapi.ImportTopicRequest) string {
	if req.From_Account != "" {
		return req.From_Account
	}
	if e.opt.Admin != "" {
		return e.opt.Admin
	}
	return "administrator"
}

// getTopics asks get_topic for the group's topics (ids nil: all of them).
func (e *executor) getTopics(ctx context.Context, req *chatapi.ImportTopicRequest, ids []string) (*chatapi.GetTopicResponse, error) {
	var resp *chatapi.GetTopicResponse
	q := &chatapi.GetTopicRequest{GroupId: req.GroupId, From_Account: e.topicReader(req), TopicIdList: ids}
	err := e.c.do(ctx, chatapi.PathGetTopic, capture(&resp, e.opt.API.GetTopic, q))
	return resp, err
}

// findTopic looks for an in-doubt topic without a TopicId among its group's topics, by name
// and, when the input gives one, creation time. The plan refuses two topics with one name in
// a group, so a match is this topic (or one that existed before, which a person would not
// want duplicated either).
func (e *executor) findTopic(ctx context.Context, req *chatapi.ImportTopicRequest) (id string, found bool, err error) {
	resp, err := e.getTopics(ctx, req, nil)
	if err != nil {
		return "", false, err
	}
	for _, t := range resp.TopicAndSelfInfo {
		ti := t.TopicInfo
		if t.ErrorCode == 0 && ti.TopicName == req.TopicName && (req.CreateTime == 0 || ti.CreateTime == req.CreateTime) {
			return ti.TopicId, true, nil
		}
	}
	return "", false, nil
}

// confirmTopic reports whether the topic holding req's TopicId (which answered 10021) is
// req's: same name. Another topic under the ID is a real conflict.
func (e *executor) confirmTopic(ctx context.Context, req *chatapi.ImportTopicRequest) (bool, error) {
	resp, err := e.getTopics(ctx, req, []string{req.TopicId})
	if err != nil {
		return false, err
	}
	for _, t := range resp.TopicAndSelfInfo {
		if t.ErrorCode == 0 && t.TopicInfo.TopicId == req.TopicId {
			return t.TopicInfo.TopicName == req.TopicName, nil
		}
	}
	return false, nil
}

// hasContactGroup reports whether user has a conversation group called name. Every page of
// get_contact_group lists all the user's groups, so the first page is enough.
func (e *executor) hasContactGroup(ctx context.Context, user, name string) (bool, error) {
	var resp *chatapi.GetContactGroupResponse
	err := e.c.do(ctx, chatapi.PathGetContactGroup, capture(&resp, e.opt.API.GetContactGroup, &chatapi.GetContactGroupRequest{From_Account: user}))
	if err != nil {
		return false, err
	}
	for _, g := range resp.GroupItem {
		if g.GroupName == name {
			return true, nil
		}
	}
	return false, nil
}

// readdCreated finishes a create whose group exists (an in-doubt create that was applied, or
// a group made earlier): its conversations are added with an update, whose per-conversation
// results stand for the create's (an add of a conversation already in the group answers 0).
func (e *executor) readdCreated(ctx context.Context, u *Unit) (outcome, error) {
	gci := u.Create.GroupContactItem[0]
	if len(gci.ContactItem) == 0 {
		return outcome{}, nil
	}
	upd := &chatapi.UpdateContactGroupRequest{From_Account: u.Create.From_Account, UpdateType: 1,
		UpdateGroup: chatapi.UpdateGroup{UpdateGroupType: chatapi.UpdateGroupMembers, OldGroupName: gci.GroupName}}
	for _, ci := range gci.ContactItem {
		upd.UpdateGroup.ContactUpdateItem = append(upd.UpdateGroup.ContactUpdateItem,
			chatapi.ContactUpdateItem{ContactOptType: chatapi.ContactOptAdd, ContactItem: ci})
	}
	var resp *chatapi.UpdateContactGroupResponse
	err := e.c.do(ctx, chatapi.PathUpdateContactGroup, capture(&resp, e.opt.API.UpdateContactGroup, upd))
	if err != nil {
		return requestFailed(ctx, u, err, false)
	}
	return contactOutcome(u, resp.UpdateGroupResult.ContactResultItem), nil
}
