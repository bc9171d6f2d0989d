package migrate

import (
	"context"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Settling in-doubt topics: an import that went out but whose answer never came (a lost
// answer, a timeout, a killed run) may or may not have been applied. Before it is sent again,
// the target is asked (docs/vendor-api.md, "What the vendor leaves open", question 7).
// Friend and conversation groups need no settling of their own: every run of a user's unit
// starts by reading the target (execute_friends.go, execute_contacts.go).

// topicReader returns get_topic's From_Account for req: its own, else the admin's.
func (e *executor) topicReader(req *chatapi.ImportTopicRequest) string {
	if req.From_Account != "" {
		return req.From_Account
	}
	if e.opt.Admin != "" {
		return e.opt.Admin
	}
	return chatapi.DefaultIdentifier
}

// topicQuery is the get_topic request for req's group, read as req's From_Account would.
func (e *executor) topicQuery(req *chatapi.ImportTopicRequest) chatapi.GetTopicRequest {
	return chatapi.GetTopicRequest{GroupId: req.GroupId, From_Account: e.topicReader(req)}
}

// findTopic looks for an in-doubt topic without a TopicId among its group's topics, by name
// and, when the input gives one, creation time. The plan refuses two topics with one name in
// a group, so a match is this topic (or one that existed before, which a person would not
// want duplicated either).
func (e *executor) findTopic(ctx context.Context, req *chatapi.ImportTopicRequest) (id string, found bool, err error) {
	topics, err := topicReads{e.c, e.opt.API}.names(ctx, e.topicQuery(req))
	if err != nil {
		return "", false, err
	}
	for _, t := range topics {
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
	q := e.topicQuery(req)
	q.TopicIdList = []string{req.TopicId}
	topics, err := topicReads{e.c, e.opt.API}.all(ctx, q)
	if err != nil {
		return false, err
	}
	for _, t := range topics {
		if t.ErrorCode == 0 && t.TopicInfo.TopicId == req.TopicId {
			return t.TopicInfo.TopicName == req.TopicName, nil
		}
	}
	return false, nil
}
