package chatsim

import (
	"cmp"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// State is a snapshot of everything the emulator has been told, as Dump returns it and Tamper
// edits it. Every list is sorted, so two dumps of the same content marshal to the same JSON.
type State struct {
	// Topics maps a GroupId to its topics, sorted by TopicId.
	Topics map[string][]Topic `json:"Topics"`
	// FriendGroups maps a From_Account to its friend groups, each with its friends, sorted.
	FriendGroups map[string]map[string][]string `json:"FriendGroups"`
	// ContactGroups maps a From_Account to its conversation groups, sorted by GroupId, each
	// with its conversations sorted by Type then ID.
	ContactGroups map[string][]ContactGroup `json:"ContactGroups"`
}

// Topic is one imported topic.
type Topic struct {
	TopicId      string `json:"TopicId"`
	TopicName    string `json:"TopicName"`
	From_Account string `json:"From_Account,omitempty"`
	CustomString string `json:"CustomString,omitempty"`
	FaceUrl      string `json:"FaceUrl,omitempty"`
	Notification string `json:"Notification,omitempty"`
	Introduction string `json:"Introduction,omitempty"`
	CreateTime   int64  `json:"CreateTime"`
}

// ContactGroup is one conversation group of a user.
type ContactGroup struct {
	GroupId   int                   `json:"GroupId"`
	GroupName string                `json:"GroupName"`
	Contacts  []chatapi.ContactItem `json:"Contacts"`
}

// contactKey identifies a conversation: Type 1 with a user ID or Type 2 with a group ID.
type contactKey struct {
	typ int
	id  string
}

func (k contactKey) item() chatapi.ContactItem {
	if k.typ == chatapi.ContactGroup {
		return chatapi.ContactItem{Type: k.typ, ToGroupId: k.id}
	}
	return chatapi.ContactItem{Type: k.typ, To_Account: k.id}
}

func compareContacts(a, b contactKey) int {
	return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.id, b.id))
}

// state is the emulator's store, indexed for O(1) lookups; guarded by Server.mu.
type state struct {
	topics   map[string]map[string]*Topic // GroupId → TopicId → topic
	topicSeq uint64                       // feeds generated TopicIds
	friends  map[string]*friendUser
	contacts map[string]*contactUser
}

type friendUser struct {
	seq    int64    // CurrentSequence, bumped by every change
	order  []string // group names in creation order, as group_get lists them
	groups map[string]map[string]struct{}
}

// create adds an empty friend group, last in creation order.
func (fu *friendUser) create(name string) {
	fu.groups[name] = make(map[string]struct{})
	fu.order = append(fu.order, name)
}

// groupsOf lists the friend groups that hold friend, in creation order.
func (fu *friendUser) groupsOf(friend string) []string {
	out := []string{}
	for _, n := range fu.order {
		if _, in := fu.groups[n][friend]; in {
			out = append(out, n)
		}
	}
	return out
}

type contactUser struct {
	user   string
	nextID int             // group IDs are per user, from 1, never reused
	groups []*contactGroup // in GroupId order; two may share a name (Dialect.CreateExisting)
	// refs counts, per conversation, the user's groups that hold it: the vendor's 1000 is a
	// limit on distinct conversations across all of a user's groups.
	refs map[contactKey]int
}

// byName returns the user's first group (lowest GroupId) of that name, or nil: with two of
// one name, updates reach the older one.
func (cu *contactUser) byName(name string) *contactGroup {
	for _, g := range cu.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// put adds a conversation to one of the user's groups.
func (cu *contactUser) put(g *contactGroup, k contactKey) {
	if _, in := g.members[k]; !in {
		g.members[k] = struct{}{}
		cu.refs[k]++
	}
}

// remove takes a conversation out of one of the user's groups.
func (cu *contactUser) remove(g *contactGroup, k contactKey) {
	if _, in := g.members[k]; in {
		delete(g.members, k)
		if cu.refs[k]--; cu.refs[k] == 0 {
			delete(cu.refs, k)
		}
	}
}

type contactGroup struct {
	id      int
	name    string
	members map[contactKey]struct{}
}

func newState() *state {
	return &state{
		topics:   make(map[string]map[string]*Topic),
		friends:  make(map[string]*friendUser),
		contacts: make(map[string]*contactUser),
	}
}

func (st *state) friendUser(u string) *friendUser {
	fu := st.friends[u]
	if fu == nil {
		fu = &friendUser{groups: make(map[string]map[string]struct{})}
		st.friends[u] = fu
	}
	return fu
}

func (st *state) contactUser(u string) *contactUser {
	cu := st.contacts[u]
	if cu == nil {
		cu = &contactUser{user: u, nextID: 1, refs: make(map[contactKey]int)}
		st.contacts[u] = cu
	}
	return cu
}

// export deep-copies the store into a sorted State.
func (st *state) export() State {
	out := State{
		Topics:        make(map[string][]Topic, len(st.topics)),
		FriendGroups:  make(map[string]map[string][]string, len(st.friends)),
		ContactGroups: make(map[string][]ContactGroup, len(st.contacts)),
	}
	for gid, set := range st.topics {
		if len(set) == 0 {
			continue
		}
		list := make([]Topic, 0, len(set))
		for _, t := range set {
			list = append(list, *t)
		}
		slices.SortFunc(list, func(a, b Topic) int { return cmp.Compare(a.TopicId, b.TopicId) })
		out.Topics[gid] = list
	}
	for u, fu := range st.friends {
		if len(fu.groups) == 0 {
			continue
		}
		gs := make(map[string][]string, len(fu.groups))
		for name, members := range fu.groups {
			list := make([]string, 0, len(members))
			for m := range members {
				list = append(list, m)
			}
			slices.Sort(list)
			gs[name] = list
		}
		out.FriendGroups[u] = gs
	}
	for u, cu := range st.contacts {
		if len(cu.groups) == 0 {
			continue
		}
		list := make([]ContactGroup, 0, len(cu.groups))
		for _, g := range cu.groups {
			list = append(list, ContactGroup{GroupId: g.id, GroupName: g.name, Contacts: sortedContacts(g.members)})
		}
		out.ContactGroups[u] = list
	}
	return out
}

func sortedContacts(members map[contactKey]struct{}) []chatapi.ContactItem {
	keys := make([]contactKey, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareContacts)
	items := make([]chatapi.ContactItem, len(keys))
	for i, k := range keys {
		items[i] = k.item()
	}
	return items
}

// load replaces the store's content with a State (after Tamper). Sequences and next group IDs
// carry over from old, so a tampered store never hands out an ID twice.
func (st *state) load(in State, old *state) {
	st.topics = make(map[string]map[string]*Topic, len(in.Topics))
	st.topicSeq = old.topicSeq
	for gid, list := range in.Topics {
		set := make(map[string]*Topic, len(list))
		for _, t := range list {
			t := t
			set[t.TopicId] = &t
		}
		st.topics[gid] = set
	}
	st.friends = make(map[string]*friendUser, len(in.FriendGroups))
	for u, gs := range in.FriendGroups {
		fu := st.friendUser(u)
		if prev := old.friends[u]; prev != nil {
			fu.seq = prev.seq
		}
		for name, members := range gs {
			set := make(map[string]struct{}, len(members))
			for _, m := range members {
				set[m] = struct{}{}
			}
			fu.groups[name] = set
			fu.order = append(fu.order, name)
		}
		slices.Sort(fu.order)
	}
	st.contacts = make(map[string]*contactUser, len(in.ContactGroups))
	for u, gs := range in.ContactGroups {
		cu := st.contactUser(u)
		if prev := old.contacts[u]; prev != nil {
			cu.nextID = prev.nextID
		}
		for _, g := range gs {
			cg := &contactGroup{id: g.GroupId, name: g.GroupName, members: make(map[contactKey]struct{}, len(g.Contacts))}
			for _, c := range g.Contacts {
				k := contactKey{typ: c.Type, id: c.To_Account}
				if c.Type == chatapi.ContactGroup {
					k.id = c.ToGroupId
				}
				cu.put(cg, k)
			}
			cu.groups = append(cu.groups, cg)
			cu.nextID = max(cu.nextID, cg.id+1)
		}
		slices.SortFunc(cu.groups, func(a, b *contactGroup) int { return cmp.Compare(a.id, b.id) })
	}
}

// Dump returns a deep copy of the emulator's state.
func (s *Server) Dump() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.export()
}

// Tamper lets a test change the state under the emulator's lock, as if someone had edited the
// vendor's side behind the migration's back (delete a topic, rename a group, move a
// conversation): fn edits a snapshot, which then replaces the state.
func (s *Server) Tamper(fn func(*State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.st.export()
	fn(&snap)
	next := newState()
	next.load(snap, s.st)
	s.st = next
}
