// Package sources streams the legacy export files of chatmigrate's three kinds (topics, friend
// groups, conversation groups) from CSV or JSONL, optionally gzip-compressed. Every record
// carries the file it came from and its physical line, so that every later report can point a
// person at the exact place. Fields are kept as the strings the file held: converting and
// checking them is validation's job, which lets it name the exact field that is wrong.
package sources

// Kind names one of the three kinds of legacy data; the values are those of docs/contract.md,
// "Output".
type Kind string

// The three kinds.
const (
	Topics        Kind = "topics"
	FriendGroups  Kind = "friend_groups"
	ContactGroups Kind = "contact_groups"
)

// Kinds lists the kinds in the order reports print them.
var Kinds = []Kind{Topics, FriendGroups, ContactGroups}

// Pos is where a record starts: the input file as the user gave it and its physical line,
// 1-based (counting quoted newlines, blank lines and CRLF as a text editor does).
type Pos struct {
	File string
	Line int
}

// Topic is one row or line of a topics file.
type Topic struct {
	Pos          Pos
	GroupId      string
	TopicId      string
	TopicName    string
	From_Account string
	CustomString string
	FaceUrl      string
	Notification string
	Introduction string
	CreateTime   string // unix seconds as written; "" when absent
}

// FriendGroup is one CSV row (one friend, or none for an empty group) or one JSONL line
// (any number of friends) of a friend-groups file.
type FriendGroup struct {
	Pos          Pos
	From_Account string
	GroupName    string
	To_Account   []string
}

// ContactGroup is one CSV row (one conversation) or one JSONL line (any number) of a
// conversation-groups file. Op is "", "add", "remove" or "rename" as written.
type ContactGroup struct {
	Pos          Pos
	From_Account string
	GroupName    string
	Op           string
	NewGroupName string
	ContactItem  []Contact
}

// Contact is one conversation as written: Type "1" (C2C, To_Account) or "2" (group, ToGroupId).
type Contact struct {
	Type       string
	To_Account string
	ToGroupId  string
}
