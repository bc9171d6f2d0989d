package chatsim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Roles of get_role_in_group and group types of get_group_info, as the vendor names them.
const (
	roleOwner  = "Owner"
	roleAdmin  = "Admin"
	roleMember = "Member"

	typePublic     = "Public"
	typeAVChatRoom = "AVChatRoom"
)

// groupTypes are the Types a World may give a group other than a Community.
func groupTypes() []string {
	return []string{"Private", typePublic, "ChatRoom", typeAVChatRoom, "Work", "Meeting"}
}

// Bounds of IDs (docs/vendor-api.md, "Limits").
const (
	maxCustomGroupIDBytes = 48
	maxUserIDBytes        = 32
)

// world is a World indexed for O(1) lookups.
type world struct {
	lenient     bool
	communities map[string]bool   // GroupId → topic feature enabled
	groups      map[string]string // GroupId → Type, communities included
	members     map[string]map[string]string
	users       map[string]struct{}
	notImported map[string]struct{}
	friends     map[string]map[string]struct{}
	topicQuota  int
	existing    State // checked; TopicIds and GroupIds may still be missing
	dialect     Dialect
}

func compileWorld(w *World) (*world, error) {
	if w == nil {
		w = &World{Lenient: true}
	}
	if w.TopicQuota < 0 {
		return nil, fmt.Errorf("world: TopicQuota %d is negative", w.TopicQuota)
	}
	if _, err := w.Dialect.normalize(); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	cw := &world{
		lenient:     w.Lenient,
		communities: make(map[string]bool, len(w.Communities)),
		groups:      make(map[string]string, len(w.Communities)+len(w.Groups)),
		members:     make(map[string]map[string]string, len(w.GroupMembers)),
		users:       make(map[string]struct{}, len(w.Users)),
		notImported: make(map[string]struct{}, len(w.NotImported)),
		friends:     make(map[string]map[string]struct{}),
		topicQuota:  w.TopicQuota,
		dialect:     w.Dialect, // unnormalised: Config.Dialect may override it whole
	}
	if err := cw.addGroups(w); err != nil {
		return nil, err
	}
	if err := cw.addUsers(w); err != nil {
		return nil, err
	}
	if w.Existing != nil {
		ex, err := cw.checkExisting(*w.Existing)
		if err != nil {
			return nil, err
		}
		cw.existing = ex
	}
	return cw, nil
}

// addGroups indexes the World's communities, groups, group types and members' roles.
func (cw *world) addGroups(w *World) error {
	for _, c := range w.Communities {
		if !strings.HasPrefix(c.GroupId, chatapi.CommunityPrefix) {
			return fmt.Errorf("world: community %q does not start with %s", c.GroupId, chatapi.CommunityPrefix)
		}
		if why := badGroupID(c.GroupId); why != "" {
			return fmt.Errorf("world: community %q: %s", c.GroupId, why)
		}
		cw.communities[c.GroupId] = c.Topics
		cw.groups[c.GroupId] = chatapi.GroupTypeCommunity
	}
	declare := func(id, typ string) error {
		if id == "" {
			return fmt.Errorf("world: empty group ID")
		}
		if why := badGroupID(id); why != "" {
			return fmt.Errorf("world: group %q: %s", id, why)
		}
		if strings.HasPrefix(id, chatapi.CommunityPrefix) {
			if typ != "" {
				return fmt.Errorf("world: group %q is a Community: list it in Communities, not GroupTypes", id)
			}
			if _, ok := cw.groups[id]; !ok {
				cw.groups[id] = chatapi.GroupTypeCommunity
				cw.communities[id] = false
			}
			return nil
		}
		switch {
		case typ != "":
			if !slices.Contains(groupTypes(), typ) {
				return fmt.Errorf("world: group %q: type %q is not one of %s", id, typ, strings.Join(groupTypes(), ", "))
			}
			cw.groups[id] = typ
		case cw.groups[id] == "":
			cw.groups[id] = typePublic
		}
		return nil
	}
	for _, g := range w.Groups {
		if err := declare(g, ""); err != nil {
			return err
		}
	}
	for g, typ := range w.GroupTypes {
		if err := declare(g, typ); err != nil {
			return err
		}
	}
	for g, m := range w.GroupMembers {
		if err := declare(g, ""); err != nil {
			return err
		}
		roles := make(map[string]string)
		put := func(u, role string) error {
			if u == "" {
				return fmt.Errorf("world: group %q: empty member ID", g)
			}
			if prev, dup := roles[u]; dup {
				return fmt.Errorf("world: group %q: %q is both %s and %s", g, u, prev, role)
			}
			roles[u] = role
			return nil
		}
		if m.Owner != "" {
			if err := put(m.Owner, roleOwner); err != nil {
				return err
			}
		}
		for _, u := range m.Admins {
			if err := put(u, roleAdmin); err != nil {
				return err
			}
		}
		for _, u := range m.Members {
			if err := put(u, roleMember); err != nil {
				return err
			}
		}
		cw.members[g] = roles
	}
	return nil
}

// addUsers indexes the accounts and the friendships; members of groups and friends exist.
func (cw *world) addUsers(w *World) error {
	for _, u := range w.NotImported {
		if u == "" {
			return fmt.Errorf("world: empty user ID in NotImported")
		}
		cw.notImported[u] = struct{}{}
	}
	exist := func(u, where string) error {
		if u == "" || len(u) > maxUserIDBytes {
			return fmt.Errorf("world: user ID %q in %s is not 1 to %d bytes", u, where, maxUserIDBytes)
		}
		if _, gone := cw.notImported[u]; gone {
			return fmt.Errorf("world: user %q is NotImported but named in %s", u, where)
		}
		cw.users[u] = struct{}{}
		return nil
	}
	for _, u := range w.Users {
		if err := exist(u, "Users"); err != nil {
			return err
		}
	}
	for g, roles := range cw.members {
		for u := range roles {
			if err := exist(u, "GroupMembers of "+g); err != nil {
				return err
			}
		}
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
				return fmt.Errorf("world: bad friendship %q-%q", a, b)
			}
			if err := exist(a, "Friends"); err != nil {
				return err
			}
			if err := exist(b, "Friends"); err != nil {
				return err
			}
			befriend(a, b)
			befriend(b, a)
		}
	}
	for u, set := range cw.friends {
		if len(set) > chatapi.MaxFriendsPerUser {
			return fmt.Errorf("world: user %q has %d friends, more than %d", u, len(set), chatapi.MaxFriendsPerUser)
		}
	}
	return nil
}

// badGroupID says why id cannot be a group ID, or "": printable ASCII, and a custom ID (one
// not starting with "@TGS#") at most 48 bytes (docs/vendor-api.md, "Limits").
func badGroupID(id string) string {
	if id == "" {
		return "empty"
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return "not printable ASCII"
		}
	}
	if !strings.HasPrefix(id, "@TGS#") && len(id) > maxCustomGroupIDBytes {
		return "a custom group ID longer than 48 bytes"
	}
	return ""
}

// community reports whether a Community group exists and whether it has the topic feature.
func (w *world) community(id string) (exists, topics bool) {
	if topics, listed := w.communities[id]; listed {
		return true, topics
	}
	if w.lenient {
		ok := strings.HasPrefix(id, chatapi.CommunityPrefix) && badGroupID(id) == ""
		return ok, ok
	}
	return false, false
}

// groupType returns a group's Type, or false when there is no such group.
func (w *world) groupType(id string) (string, bool) {
	if typ, ok := w.groups[id]; ok {
		return typ, true
	}
	if !w.lenient || badGroupID(id) != "" {
		return "", false
	}
	if strings.HasPrefix(id, chatapi.CommunityPrefix) {
		return chatapi.GroupTypeCommunity, true
	}
	return typePublic, true
}

func (w *world) groupExists(id string) bool {
	_, ok := w.groupType(id)
	return ok
}

// role is a user's role in an existing group: from its GroupMembers entry when it has one;
// otherwise every existing user is a member.
func (w *world) role(group, user string) string {
	if !w.userExists(user) {
		return chatapi.RoleNotMember
	}
	if roles, listed := w.members[group]; listed {
		if r, in := roles[user]; in {
			return r
		}
		return chatapi.RoleNotMember
	}
	return roleMember
}

func (w *world) userExists(u string) bool {
	if _, gone := w.notImported[u]; gone {
		return false
	}
	if w.lenient {
		return len(u) <= maxUserIDBytes // a longer one cannot have been imported
	}
	_, ok := w.users[u]
	return ok
}

func (w *world) areFriends(a, b string) bool {
	if w.lenient {
		return a != b && w.userExists(a) && w.userExists(b)
	}
	_, ok := w.friends[a][b]
	return ok
}
