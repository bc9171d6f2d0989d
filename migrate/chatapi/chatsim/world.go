package chatsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// World is what exists on the vendor's side before a migration starts: the groups, users and
// friendships the migration's records refer to, and optionally what the target already holds
// (Existing). It is read-only for the emulator's lifetime; Existing only seeds the state.
//
// In a strict world (Lenient false) only what is listed exists. A nil World, or one with
// Lenient set, is the lenient world: every "@TGS#_" group is a topic-enabled Community, every
// other well-formed group ID names a Public group, every user exists but those NotImported,
// every two distinct users are friends, and everyone is a member of every group without a
// GroupMembers entry; TopicQuota still applies. That is what a rehearsal against the built-in
// emulator runs on.
//
// JSON form (see LoadWorld):
//
//	{"Communities": [{"GroupId": "@TGS#_a", "Topics": true}, {"GroupId": "@TGS#_b"}],
//	 "Groups": ["@TGS#2XYZ", "team-7"],
//	 "GroupTypes": {"team-7": "Private"},
//	 "GroupMembers": {"team-7": {"Owner": "alice", "Admins": ["bob"], "Members": ["carol"]}},
//	 "Users": ["alice", "bob", "carol"],
//	 "NotImported": ["dave"],
//	 "Friends": {"alice": ["bob"]},
//	 "TopicQuota": 100,
//	 "Existing": {"Topics": {"@TGS#_a": [{"TopicId": "@TGS#_a@TOPIC#_old", "TopicName": "old"}]},
//	              "FriendGroups": {"alice": {"work": ["bob"]}},
//	              "ContactGroups": {"alice": [{"GroupName": "fav", "Contacts": [{"Type": 1, "To_Account": "bob"}]}]}},
//	 "Dialect": {"GroupAddExisting": "refuse"}}
type World struct {
	Lenient bool `json:"Lenient,omitempty"`
	// Communities are the Community groups; Topics marks those with the topic feature enabled
	// (import_topic into one without it answers 11000).
	Communities []Community `json:"Communities,omitempty"`
	// Groups are further groups of any type, known as targets of Type 2 conversations and to
	// get_group_info. A Type 2 conversation whose ToGroupId is neither here nor a Community
	// fails with 51007. An ID is the vendor's ("@TGS#...") or a custom one: printable ASCII,
	// at most 48 bytes, not starting with "@TGS#".
	Groups []string `json:"Groups,omitempty"`
	// GroupTypes gives the Type get_group_info answers for a group of Groups (default
	// "Public"): Private, Public, ChatRoom, AVChatRoom, Work or Meeting. Communities are
	// always "Community". A group named here exists.
	GroupTypes map[string]string `json:"GroupTypes,omitempty"`
	// GroupMembers lists the members of groups, by role; a group named here exists, and so do
	// its members. A group without an entry counts every existing user as a member.
	GroupMembers map[string]GroupMembers `json:"GroupMembers,omitempty"`
	// Users are the imported accounts. Everyone named in Friends or GroupMembers exists too.
	Users []string `json:"Users,omitempty"`
	// NotImported are accounts that do not exist, also in a lenient world.
	NotImported []string `json:"NotImported,omitempty"`
	// Friends lists friendships; they are symmetric, so listing each pair once is enough.
	// A user may have at most 3000 friends (chatapi.MaxFriendsPerUser).
	Friends map[string][]string `json:"Friends,omitempty"`
	// TopicQuota caps the topics of one group (import_topic answers 10037 past it); 0 = no cap.
	TopicQuota int `json:"TopicQuota,omitempty"`
	// Existing is what the target holds before the migration, in Dump's form: topics, friend
	// groups and conversation groups, checked against the rest of the World and the vendor's
	// limits. A topic without TopicId gets a generated one; a conversation group without
	// GroupId gets the next free one.
	Existing *State `json:"Existing,omitempty"`
	// Dialect is the reading of each open question the emulator follows, unless Config.Dialect
	// sets one.
	Dialect Dialect `json:"Dialect,omitzero"`
}

// Community is a Community group of the World.
type Community struct {
	GroupId string `json:"GroupId"`
	Topics  bool   `json:"Topics,omitempty"`
}

// GroupMembers are the members of one group, by role (get_role_in_group's Owner, Admin and
// Member).
type GroupMembers struct {
	Owner   string   `json:"Owner,omitempty"`
	Admins  []string `json:"Admins,omitempty"`
	Members []string `json:"Members,omitempty"`
}

// LoadWorld reads a World from a JSON file. Unknown keys are refused, so that a misspelt
// "Freinds" does not silently leave everyone without friends.
func LoadWorld(path string) (*World, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	w, err := ParseWorld(data)
	if err != nil {
		return nil, fmt.Errorf("load world %s: %w", path, err)
	}
	return w, nil
}

// ParseWorld decodes and checks a World from its JSON form.
func ParseWorld(data []byte) (*World, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w World
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("decode: trailing data after the world object")
	}
	if _, err := compileWorld(&w); err != nil {
		return nil, err
	}
	return &w, nil
}
