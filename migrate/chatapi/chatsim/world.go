package chatsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// World is what exists on the vendor's side before a migration starts: the groups, users and
// friendships the migration's records refer to. It is read-only for the emulator's lifetime.
//
// In a strict world (Lenient false) only what is listed exists. A nil World, or one with
// Lenient set, is the lenient world: every "@TGS#_" group is a topic-enabled Community, every
// user exists, every two distinct users are friends, and every group ID names an existing group;
// TopicQuota still applies. That is what `chatmigrate run --sim` rehearses against.
//
// JSON form (see LoadWorld):
//
//	{"Communities": [{"GroupId": "@TGS#_a", "Topics": true}, {"GroupId": "@TGS#_b"}],
//	 "Groups": ["@TGS#2XYZ"],
//	 "Users": ["alice", "bob"],
//	 "Friends": {"alice": ["bob"]},
//	 "TopicQuota": 100}
type World struct {
	Lenient bool `json:"Lenient,omitempty"`
	// Communities are the Community groups; Topics marks those with the topic feature enabled
	// (import_topic into one without it answers 11000).
	Communities []Community `json:"Communities,omitempty"`
	// Groups are further groups of any type, known only as targets of Type 2 conversations.
	// A Type 2 conversation whose ToGroupId is neither here nor a Community fails with 51007.
	Groups []string `json:"Groups,omitempty"`
	// Users are the imported accounts. Everyone named in Friends exists too.
	Users []string `json:"Users,omitempty"`
	// Friends lists friendships; they are symmetric, so listing each pair once is enough.
	// A user may have at most 3000 friends (chatapi.MaxFriendsPerUser).
	Friends map[string][]string `json:"Friends,omitempty"`
	// TopicQuota caps the topics of one group (import_topic answers 10037 past it); 0 = no cap.
	TopicQuota int `json:"TopicQuota,omitempty"`
}

// Community is a Community group of the World.
type Community struct {
	GroupId string `json:"GroupId"`
	Topics  bool   `json:"Topics,omitempty"`
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

// world is a World indexed for O(1) lookups.
type world struct {
	lenient     bool
	communities map[string]bool // GroupId → topic feature enabled
	groups      map[string]struct{}
	users       map[string]struct{}
	friends     map[string]map[string]struct{}
	topicQuota  int
}

func compileWorld(w *World) (*world, error) {
	if w == nil {
		return &world{lenient: true}, nil
	}
	if w.TopicQuota < 0 {
		return nil, fmt.Errorf("world: TopicQuota %d is negative", w.TopicQuota)
	}
	cw := &world{
		lenient:     w.Lenient,
		communities: make(map[string]bool, len(w.Communities)),
		groups:      make(map[string]struct{}, len(w.Communities)+len(w.Groups)),
		users:       make(map[string]struct{}, len(w.Users)),
		friends:     make(map[string]map[string]struct{}),
		topicQuota:  w.TopicQuota,
	}
	for _, c := range w.Communities {
		if !strings.HasPrefix(c.GroupId, chatapi.CommunityPrefix) {
			return nil, fmt.Errorf("world: community %q does not start with %s", c.GroupId, chatapi.CommunityPrefix)
		}
		cw.communities[c.GroupId] = c.Topics
		cw.groups[c.GroupId] = struct{}{}
	}
	for _, g := range w.Groups {
		if g == "" {
			return nil, fmt.Errorf("world: empty group ID")
		}
		cw.groups[g] = struct{}{}
	}
	for _, u := range w.Users {
		if u == "" {
			return nil, fmt.Errorf("world: empty user ID")
		}
		cw.users[u] = struct{}{}
	}
	befriend := func(a, b string) {
		set := cw.friends[a]
		if set == nil {
			set = make(map[string]struct{})
			cw.friends[a] = set
		}
		set[b] = struct{}{}
	}
	for a, list := range w.Friends {
		for _, b := range list {
			if a == "" || b == "" || a == b {
				return nil, fmt.Errorf("world: bad friendship %q-%q", a, b)
			}
			cw.users[a], cw.users[b] = struct{}{}, struct{}{}
			befriend(a, b)
			befriend(b, a)
		}
	}
	for u, set := range cw.friends {
		if len(set) > chatapi.MaxFriendsPerUser {
			return nil, fmt.Errorf("world: user %q has %d friends, more than %d", u, len(set), chatapi.MaxFriendsPerUser)
		}
	}
	return cw, nil
}

// community reports whether a Community group exists and whether it has the topic feature.
func (w *world) community(id string) (exists, topics bool) {
	if w.lenient {
		ok := strings.HasPrefix(id, chatapi.CommunityPrefix)
		return ok, ok
	}
	topics, exists = w.communities[id]
	return exists, topics
}

func (w *world) groupExists(id string) bool {
	if w.lenient {
		return true
	}
	_, ok := w.groups[id]
	return ok
}

func (w *world) userExists(u string) bool {
	if w.lenient {
		return true
	}
	_, ok := w.users[u]
	return ok
}

func (w *world) areFriends(a, b string) bool {
	if w.lenient {
		return a != b
	}
	_, ok := w.friends[a][b]
	return ok
}
