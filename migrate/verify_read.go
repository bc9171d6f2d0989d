package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

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

// readTopics returns a Community group's topics (get_topic, every topic, every field; in
// pieces when one answer would be too big). The items with a non-zero ErrorCode are not there.
func (v *verifier) readTopics(ctx context.Context, groupID string) ([]chatapi.TopicInfo, error) {
	topics, err := topicReads{v.c, v.opt.API}.all(ctx, chatapi.GetTopicRequest{GroupId: groupID, From_Account: v.admin()})
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []chatapi.TopicInfo
	for _, t := range topics {
		if t.ErrorCode == 0 {
			out = append(out, t.TopicInfo)
		}
	}
	return out, nil
}

// readFriendGroups returns a user's friend groups with their friends, read as run reads them
// (readFriendGroups: sns/friend_get page by page when one answer would be too big); a user
// the target does not know has none.
func (v *verifier) readFriendGroups(ctx context.Context, user string) ([]chatapi.FriendGroupInfo, error) {
	groups, err := readFriendGroups(ctx, v.c, v.opt.API, user)
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return groups, nil
}

// readContactGroups returns a user's conversation groups by name (readContactPages); a user
// the target does not know has none.
func (v *verifier) readContactGroups(ctx context.Context, user string) (map[string][]chatapi.ContactItem, error) {
	pages, err := readContactPages(ctx, v.c, v.opt.API, user)
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return pages.groups(), nil
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
