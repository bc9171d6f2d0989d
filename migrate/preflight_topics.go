package migrate

import (
	"context"
	"fmt"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// groupInfoFilter asks get_group_info for the Type alone: an unfiltered answer carries member
// lists (docs/vendor-api.md, "Endpoints").
var groupInfoFilter = &chatapi.GroupInfoFilter{GroupBaseInfoFilter: []string{"Type"}}

// groupState is what get_group_info says of a topic's group.
type groupState struct {
	code int    // the group's ErrorCode (10010: no such group), 0 when it exists
	typ  string // its Type
}

// topics predicts the topics. The groups the input names are looked up with get_group_info
// (50 a request): a missing group fails its topics with 10010, a group that is not a Community
// with 10007. Each Community's topics are then read as the run reads them (knownTopics, the
// same lookahead): get_topic answering 11000 (no topic feature) or another refusal fails the
// Community's topics with that code; a topic found there is present, and one whose TopicId
// another topic holds fails with 10021 (matchTopic).
func (pr *predictor) topics(ctx context.Context) error {
	var ids []string
	seen := make(map[string]bool)
	err := pr.p.Units(ctx, sources.Topics, func(u *Unit) error {
		if !seen[u.Key] {
			seen[u.Key] = true
			ids = append(ids, u.Key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("preflight topics: %w", err)
	}
	info := make(map[string]groupState, len(ids))
	var infoErr error // get_group_info failed: get_topic alone tells
	for part := range slices.Chunk(ids, chatapi.MaxGroupInfoIDs) {
		req := &chatapi.GetGroupInfoRequest{GroupIdList: part, ResponseFilter: groupInfoFilter}
		var resp *chatapi.GetGroupInfoResponse
		if err := pr.c.Do(ctx, chatapi.PathGetGroupInfo, pacer.Capture(&resp, pr.opt.API.GetGroupInfo, req)); err != nil {
			if serr := stopError(ctx, err); serr != nil {
				return serr
			}
			infoErr = err
			break
		}
		for _, g := range resp.GroupInfo {
			info[g.GroupId] = groupState{code: g.ErrorCode, typ: g.Type}
		}
	}
	known := newKnownTopics(topicReads{pr.c, pr.opt.API}, pr.admin(), maxIdleCommunities)
	defer known.wait()
	// Without get_group_info's answer every group is read with get_topic, which answers
	// for a missing group or one without topics as the import would.
	reads := func(gid string) bool {
		st, ok := info[gid]
		return infoErr != nil || ok && st.code == 0 && st.typ == chatapi.GroupTypeCommunity
	}
	queue := make(chan *Unit, topicLookahead)
	scanned := make(chan error, 1)
	go func() {
		defer close(queue)
		scanned <- pr.p.Units(ctx, sources.Topics, func(u *Unit) error {
			if reads(u.Key) {
				known.want(ctx, u.Key)
			}
			select {
			case queue <- u:
				return nil
			case <-ctx.Done():
				if reads(u.Key) {
					known.release(u.Key)
				}
				return ctx.Err()
			}
		})
	}()
	var derr error
	for u := range queue {
		if derr == nil {
			st, ok := info[u.Key]
			derr = pr.topic(ctx, u, st, ok, infoErr, known)
		}
		if reads(u.Key) {
			known.release(u.Key)
		}
	}
	if err := <-scanned; err != nil && derr == nil {
		derr = fmt.Errorf("preflight topics: %w", err)
	}
	return derr
}

// topic predicts one topic.
func (pr *predictor) topic(ctx context.Context, u *Unit, st groupState, listed bool, infoErr error, known *knownTopics) error {
	switch {
	case infoErr != nil:
	case !listed: // the answer left the group out
		pr.counts[u.Kind].unread.Add(int64(len(u.Items)))
		return nil
	case st.code != 0:
		return pr.predictAll(u, fmt.Sprint(st.code), "the group does not exist (get_group_info)")
	case st.typ != chatapi.GroupTypeCommunity:
		return pr.predictAll(u, fmt.Sprint(chatapi.CodeNoPermission), fmt.Sprintf("the group is a %s group, not a Community (get_group_info)", st.typ))
	}
	m, err := known.lookup(ctx, u.Topic)
	switch {
	case err != nil:
		if apiCode(err) == chatapi.CodeNoTopicFeature {
			return pr.predictAll(u, fmt.Sprint(chatapi.CodeNoTopicFeature), "the Community has no topic feature (get_topic)")
		}
		return pr.readFailed(ctx, u, err)
	case m.conflict:
		return pr.predictAll(u, fmt.Sprint(chatapi.CodeTopicIDUsed), "another topic (another TopicName) holds this TopicId on the target (get_topic)")
	case m.id != "":
		pr.present(u.Kind, len(u.Items))
	}
	return nil
}
