package migrate

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/chatmigrate/chatmigrate/sources"
)

// contentKey is what the checkpoint knows a unit by: its kind, in the top two bits, and 62
// bits of the SHA-256 of its Key and of every item's fields but the source position (a
// topic's fields; a user's memberships or operations, in input order). It names what the unit
// sends and asks for, not where the input has it: rows added, removed or moved elsewhere in
// the input leave a unit's key as it was, and any change to what the unit asks for gives a new
// key, which no earlier run finished.
//
// Two distinct units of a kind share a key with probability about n²/2⁶³ (1e-7 for a million
// units); the later one would then be skipped as done. SHA-256 rather than a faster 64-bit
// hash, because near-identical rows (a name differing in one byte) are the common case of a
// migration's input, and SHA-256 spreads them as well as random keys.
func contentKey(k sources.Kind, key string, items []Item) uint64 {
	b := make([]byte, 0, 64+len(key)+len(items)*64)
	b = appendField(b, string(k))
	b = appendField(b, key)
	for i := range items {
		b = appendItem(b, &items[i])
	}
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8])>>2 | uint64(kindIndex(k))<<62
}

// contentKind returns the kind a content key was made for.
func contentKind(key uint64) sources.Kind {
	return sources.Kinds[min(int(key>>62), len(sources.Kinds)-1)]
}

// topicContentKey is the content key of the unit topicUnits makes of t.
func topicContentKey(t *sources.Topic) uint64 {
	return contentKey(sources.Topics, t.GroupId, []Item{topicItem(t)})
}

func kindIndex(k sources.Kind) int {
	for i, kk := range sources.Kinds {
		if kk == k {
			return i
		}
	}
	return len(sources.Kinds)
}

// appendItem appends it's fields but Pos, each length-prefixed, so that no two items have
// the same bytes.
func appendItem(b []byte, it *Item) []byte {
	for _, f := range [...]string{it.From_Account, it.GroupId, it.GroupName, it.To_Account, it.ToGroupId,
		it.TopicName, it.Op, it.NewGroupName, it.TopicId, it.CustomString, it.FaceUrl, it.Notification,
		it.Introduction, it.CreateTime, it.TypeText} {
		b = appendField(b, f)
	}
	return binary.AppendVarint(b, int64(it.Type))
}

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
