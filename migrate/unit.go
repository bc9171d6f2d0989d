package migrate

import (
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Item is one thing whose outcome is reported on its own: a topic, one friend's membership in
// one friend group (To_Account "" for a declared empty group), one conversation in a
// conversation group, or a rename. It keeps the source position of the row it came from.
type Item struct {
	Pos          sources.Pos
	From_Account string
	GroupId      string
	GroupName    string
	To_Account   string
	ToGroupId    string
	Type         int
	TopicName    string
	Op           string // contact groups: "add", "remove" or "rename"
	NewGroupName string // contact groups: the new name of a rename

	// The rest of a topic's row, so that failed_topics.jsonl can give the whole row back.
	TopicId      string
	CustomString string
	FaceUrl      string
	Notification string
	Introduction string
	CreateTime   string // as written in the input
	// TypeText is a conversation's Type as written, kept when it is not a valid integer (Type
	// is then 0), so that the failure report shows what the row said.
	TypeText string
}

// Unit is one planned request, or for friend and conversation groups one user's work (see
// FriendGroups, ContactChanges). Ord is its position in the plan, Content what the checkpoint
// knows it by: a key of what it sends (contentKey), so that a rerun after any edit of the
// input skips exactly the units whose content an earlier run finished. Exactly one of the
// request fields is set.
type Unit struct {
	Ord     int
	Kind    sources.Kind
	Key     string // From_Account (friend and contact groups) or GroupId (topics): writes for one Key are serialized
	Content uint64 // contentKey(Kind, Key, Items)

	Topic    *chatapi.ImportTopicRequest
	Friends  *FriendGroups
	Contacts *ContactChanges

	Items []Item

	// journalled is set once this run recorded the unit as Sent: its later requests need no
	// entry of their own. Only the goroutine running the unit touches it.
	journalled bool
}

// Endpoint returns the service path the unit is sent to (import_topic's default path), or
// for a user's unit the path of its first request.
func (u *Unit) Endpoint() string {
	switch {
	case u.Topic != nil:
		return chatapi.PathImportTopic
	case u.Friends != nil:
		return chatapi.PathGroupGet // a user's friend groups are read before they are written
	default: // a user's conversation groups are read before they are written
		return chatapi.PathGetContactGroup
	}
}

// Problem is an input record that failed validation (Warning false: the record is left out
// of the plan) or that was accepted with a remark (Warning true, e.g. a duplicate membership
// that was merged).
type Problem struct {
	Kind    sources.Kind
	Pos     sources.Pos
	Field   string // the column or JSON key at fault, "" for the whole record
	Excerpt string // a short, printable excerpt of the offending value
	Reason  string
	Warning bool
	Item    Item // what the record would have migrated, for failures.csv and failed_<kind>.jsonl
}
