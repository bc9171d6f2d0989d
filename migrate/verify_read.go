package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// maxContactPages bounds the pages of one user's get_contact_group read: a server that never
// sets CompleteFlag must not keep verify busy forever. 20 groups of 1000 conversations at
// the emulator's 100 per page take 200 pages; 10000 leaves room for a page size of 2.
const maxContactPages = 10000

// errBadPaging marks a get_contact_group answer whose paging never ends: that user is left
// unread, the others are verified.
var errBadPaging = errors.New("get_contact_group paging does not end")

// absent reports whether err is a permanent answer that means "nothing is there": the group,
// topic or user does not exist (or cannot hold topics). Verify reads that as an empty target,
// so that everything the input wants there is reported missing.
func absent(err error) bool {
	var ce *chatapi.Error
	if !errors.As(err, &ce) || ce.Class != chatapi.ClassPermanent {
		return false
	}
	switch ce.Code {
	case chatapi.CodeGroupMissing, chatapi.CodeBadGroupID, chatapi.CodeNoTopicFeature, chatapi.CodeTopicDeleted,
		chatapi.CodeSNSNoAccount, chatapi.CodeRCNoUser:
		return true
	}
	return false
}

// readTopics returns a Community group's topics (get_topic, every topic, every field). The
// items with a non-zero ErrorCode are not there.
func (v *verifier) readTopics(ctx context.Context, groupID string) ([]chatapi.TopicInfo, error) {
	var resp *chatapi.GetTopicResponse
	req := &chatapi.GetTopicRequest{GroupId: groupID, From_Account: v.admin()}
	err := v.c.do(ctx, chatapi.PathGetTopic, capture(&resp, v.opt.API.GetTopic, req))
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []chatapi.TopicInfo
	for _, t := range resp.TopicAndSelfInfo {
		if t.ErrorCode == 0 {
			out = append(out, t.TopicInfo)
		}
	}
	return out, nil
}

// readFriendGroups returns a user's friend groups with their friends (sns/group_get).
func (v *verifier) readFriendGroups(ctx context.Context, user string) ([]chatapi.FriendGroupInfo, error) {
	var resp *chatapi.GroupGetResponse
	req := &chatapi.GroupGetRequest{From_Account: user, NeedFriend: chatapi.NeedFriendYes}
	err := v.c.do(ctx, chatapi.PathGroupGet, capture(&resp, v.opt.API.GroupGet, req))
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return resp.ResultItem, nil
}

// readContactGroups returns a user's conversation groups by name: it follows get_contact_group
// from StartIndex 0 through NextStartIndex until CompleteFlag, and names each ContactGroupId
// by the GroupItem list (which also shows the empty groups).
func (v *verifier) readContactGroups(ctx context.Context, user string) (map[string][]chatapi.ContactItem, error) {
	var pages contactPages
	start := 0
	for n := 0; ; n++ {
		if n >= maxContactPages {
			return nil, fmt.Errorf("%w: no CompleteFlag after %d pages", errBadPaging, n)
		}
		var resp *chatapi.GetContactGroupResponse
		req := &chatapi.GetContactGroupRequest{From_Account: user, StartIndex: start}
		err := v.c.do(ctx, chatapi.PathGetContactGroup, capture(&resp, v.opt.API.GetContactGroup, req))
		if absent(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		pages.add(resp)
		if resp.CompleteFlag != 0 {
			break
		}
		if resp.NextStartIndex <= start {
			return nil, fmt.Errorf("%w: NextStartIndex %d does not move past StartIndex %d", errBadPaging, resp.NextStartIndex, start)
		}
		start = resp.NextStartIndex
	}
	return pages.groups(), nil
}

// contactPages gathers the pages of one user's get_contact_group.
type contactPages struct {
	names   map[int]string
	members map[int][]chatapi.ContactItem
}

func (c *contactPages) add(r *chatapi.GetContactGroupResponse) {
	if c.names == nil {
		c.names = make(map[int]string)
		c.members = make(map[int][]chatapi.ContactItem)
	}
	for _, g := range r.GroupItem {
		c.names[g.GroupId] = g.GroupName
		if _, ok := c.members[g.GroupId]; !ok {
			c.members[g.GroupId] = nil
		}
	}
	for _, it := range r.ContactItem {
		ci := chatapi.ContactItem{Type: it.Type, To_Account: it.To_Account, ToGroupId: it.ToGroupId}
		for _, id := range it.ContactGroupId {
			c.members[id] = append(c.members[id], ci)
		}
	}
}

// groups returns the user's groups by name. A ContactGroupId no GroupItem names (the vendor
// does not promise it cannot happen) keeps its number as a name, so it shows as extra.
func (c *contactPages) groups() map[string][]chatapi.ContactItem {
	out := make(map[string][]chatapi.ContactItem, len(c.members))
	for id, ms := range c.members {
		name, ok := c.names[id]
		if !ok {
			name = fmt.Sprintf("(ContactGroupId %d)", id)
		}
		out[name] = append(out[name], ms...)
	}
	return out
}

// sampleSeed fixes the sample: the same fraction picks the same users and groups on every
// run and every machine, so that a spot check can be repeated after a fix.
const sampleSeed = "chatmigrate-verify-sample-v1\x00"

// inSample reports whether id (a From_Account or a GroupId) belongs to the sample of fraction
// f: a fixed hash of the ID, read as a number in [0, 1), is below f.
func inSample(id string, f float64) bool {
	return f >= 1 || sampleValue(id) < f
}

// sampleValue maps id to [0, 1) by a fixed hash.
func sampleValue(id string) float64 {
	// SHA-256, not FNV: FNV's top bits barely move between u1 and u2, and sequential IDs
	// would be sampled in clumps.
	sum := sha256.Sum256([]byte(sampleSeed + id))
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}
