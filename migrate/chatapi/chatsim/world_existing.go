package chatsim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// checkExisting checks a World's Existing state against the rest of the World and the
// vendor's limits, as if the service had been written to by a client that kept them, and
// returns a deep copy with each user's conversation groups numbered.
func (w *world) checkExisting(ex State) (State, error) {
	out := State{
		Topics:        make(map[string][]Topic, len(ex.Topics)),
		FriendGroups:  make(map[string]map[string][]string, len(ex.FriendGroups)),
		ContactGroups: make(map[string][]ContactGroup, len(ex.ContactGroups)),
	}
	for gid, list := range ex.Topics {
		checked, err := w.existingTopics(gid, list)
		if err != nil {
			return State{}, fmt.Errorf("world: Existing topics of %q: %w", gid, err)
		}
		out.Topics[gid] = checked
	}
	for user, groups := range ex.FriendGroups {
		checked, err := w.existingFriendGroups(user, groups)
		if err != nil {
			return State{}, fmt.Errorf("world: Existing friend groups of %q: %w", user, err)
		}
		out.FriendGroups[user] = checked
	}
	for user, groups := range ex.ContactGroups {
		checked, err := w.existingContactGroups(user, groups)
		if err != nil {
			return State{}, fmt.Errorf("world: Existing conversation groups of %q: %w", user, err)
		}
		out.ContactGroups[user] = checked
	}
	return out, nil
}

func (w *world) existingTopics(gid string, list []Topic) ([]Topic, error) {
	exists, topics := w.community(gid)
	switch {
	case !exists:
		return nil, fmt.Errorf("no such Community in the World")
	case !topics:
		return nil, fmt.Errorf("the Community has no topic feature")
	case w.topicQuota > 0 && len(list) > w.topicQuota:
		return nil, fmt.Errorf("%d topics, more than TopicQuota %d", len(list), w.topicQuota)
	}
	seen := make(map[string]bool, len(list))
	out := slices.Clone(list)
	for _, t := range out {
		if t.TopicName == "" {
			return nil, fmt.Errorf("a topic without TopicName")
		}
		if why := topicFieldsTooLong(t); why != "" {
			return nil, fmt.Errorf("topic %q: %s", t.TopicName, why)
		}
		if t.CreateTime < 0 {
			return nil, fmt.Errorf("topic %q: CreateTime is negative", t.TopicName)
		}
		if t.TopicId == "" {
			continue // New generates one, in the vendor's own form
		}
		// Not checkTopicID: a topic the service made itself has the vendor's default form,
		// which an import refuses but the target may well hold.
		rest, found := strings.CutPrefix(t.TopicId, gid+chatapi.TopicMarker)
		if !found || rest == "" || len(t.TopicId) > chatapi.MaxTopicIDBytes || !printableASCII(t.TopicId) {
			return nil, fmt.Errorf("TopicId %q is not GroupId + @TOPIC#_ + printable ASCII, 96 bytes at most", t.TopicId)
		}
		if seen[t.TopicId] {
			return nil, fmt.Errorf("TopicId %q twice", t.TopicId)
		}
		seen[t.TopicId] = true
	}
	return out, nil
}

// topicFieldsTooLong says which field of a topic is past its limit, or "".
func topicFieldsTooLong(t Topic) string {
	for _, lim := range []struct {
		name, v string
		max     int
	}{
		{"TopicName", t.TopicName, chatapi.MaxTopicNameBytes},
		{"Notification", t.Notification, chatapi.MaxNotificationBytes},
		{"Introduction", t.Introduction, chatapi.MaxIntroductionBytes},
		{"FaceUrl", t.FaceUrl, chatapi.MaxFaceURLBytes},
		{"CustomString", t.CustomString, chatapi.MaxCustomStringBytes},
	} {
		if len(lim.v) > lim.max {
			return lim.name + " is longer than the limit"
		}
	}
	return ""
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (w *world) existingFriendGroups(user string, groups map[string][]string) (map[string][]string, error) {
	if !w.userExists(user) {
		return nil, fmt.Errorf("no such user")
	}
	if len(groups) > chatapi.MaxFriendGroupsPerUser {
		return nil, fmt.Errorf("%d friend groups, more than %d", len(groups), chatapi.MaxFriendGroupsPerUser)
	}
	out := make(map[string][]string, len(groups))
	for name, friends := range groups {
		if name == "" || len(name) > chatapi.MaxFriendGroupNameBytes {
			return nil, fmt.Errorf("group name %q is not 1 to %d bytes", name, chatapi.MaxFriendGroupNameBytes)
		}
		for _, f := range friends {
			if !w.areFriends(user, f) {
				return nil, fmt.Errorf("group %q: %q is not a friend", name, f)
			}
		}
		out[name] = slices.Clone(friends)
	}
	return out, nil
}

func (w *world) existingContactGroups(user string, groups []ContactGroup) ([]ContactGroup, error) {
	if !w.userExists(user) {
		return nil, fmt.Errorf("no such user")
	}
	if len(groups) > chatapi.MaxContactGroupsPerUser {
		return nil, fmt.Errorf("%d conversation groups, more than %d", len(groups), chatapi.MaxContactGroupsPerUser)
	}
	names := make(map[string]bool, len(groups))
	ids := make(map[int]bool, len(groups))
	distinct := make(map[contactKey]struct{})
	out := make([]ContactGroup, 0, len(groups))
	for _, g := range groups {
		if g.GroupName == "" || len(g.GroupName) > maxContactGroupNameBytes {
			return nil, fmt.Errorf("group name %q is not 1 to %d bytes", g.GroupName, maxContactGroupNameBytes)
		}
		if names[g.GroupName] {
			return nil, fmt.Errorf("group name %q twice", g.GroupName)
		}
		names[g.GroupName] = true
		if g.GroupId < 0 || (g.GroupId > 0 && ids[g.GroupId]) {
			return nil, fmt.Errorf("group %q: GroupId %d is negative or taken", g.GroupName, g.GroupId)
		}
		ids[g.GroupId] = g.GroupId > 0
		for _, c := range g.Contacts {
			k, why := w.existingContact(user, c)
			if why != "" {
				return nil, fmt.Errorf("group %q: %s", g.GroupName, why)
			}
			distinct[k] = struct{}{}
		}
		out = append(out, ContactGroup{GroupId: g.GroupId, GroupName: g.GroupName, Contacts: slices.Clone(g.Contacts)})
	}
	if len(distinct) > maxContactsPerUser {
		return nil, fmt.Errorf("%d distinct conversations, more than %d", len(distinct), maxContactsPerUser)
	}
	next := 1
	for i := range out {
		if out[i].GroupId != 0 {
			continue
		}
		for ids[next] {
			next++
		}
		out[i].GroupId = next
		ids[next] = true
	}
	slices.SortFunc(out, func(a, b ContactGroup) int { return cmp.Compare(a.GroupId, b.GroupId) })
	return out, nil
}

// existingContact checks one conversation of a pre-existing group as the service would have
// when it was added.
func (w *world) existingContact(user string, c chatapi.ContactItem) (contactKey, string) {
	switch {
	case c.Type == chatapi.ContactC2C && c.To_Account != "" && c.ToGroupId == "":
		return contactKey{typ: c.Type, id: c.To_Account}, ""
	case c.Type == chatapi.ContactGroup && c.ToGroupId != "" && c.To_Account == "":
		if !w.groupExists(c.ToGroupId) || w.role(c.ToGroupId, user) == chatapi.RoleNotMember {
			return contactKey{}, fmt.Sprintf("group conversation %q: no such group, or the user is not in it", c.ToGroupId)
		}
		return contactKey{typ: c.Type, id: c.ToGroupId}, ""
	}
	return contactKey{}, fmt.Sprintf("conversation %+v is neither Type 1 with To_Account nor Type 2 with ToGroupId", c)
}

// loadExisting seeds the store with the World's pre-existing state. A topic that came without
// a TopicId gets one in the vendor's own form, drawn from the seed. Called once by New.
func (s *Server) loadExisting(ex State) {
	named := ex
	named.Topics = make(map[string][]Topic, len(ex.Topics))
	unnamed := make(map[string][]Topic)
	for gid, list := range ex.Topics {
		for _, t := range list {
			if t.TopicId == "" {
				unnamed[gid] = append(unnamed[gid], t)
			} else {
				named.Topics[gid] = append(named.Topics[gid], t)
			}
		}
	}
	s.st.load(named, newState())
	for gid, list := range unnamed {
		set := s.st.topics[gid]
		if set == nil {
			set = make(map[string]*Topic, len(list))
			s.st.topics[gid] = set
		}
		for _, t := range list {
			t.TopicId = s.newTopicID(gid, set)
			set[t.TopicId] = &t
		}
	}
}
