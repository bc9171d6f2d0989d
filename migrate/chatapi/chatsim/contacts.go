package chatsim

import (
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Limits of conversation groups as the emulator keeps them (docs/vendor-api.md, "Limits").
// The names may be 64 bytes, as the newer create and update pages say, although the error
// list gives 32: the emulator accepts what a client may meet on either kind of server.
const (
	maxContactGroupNameBytes = 64
	maxContactsPerUser       = 1000 // distinct conversations across all of a user's groups
	maxContactsPerRequest    = 100
)

// readContacts reads a list of ContactItem objects.
func readContacts(list []*object) []contactKey {
	out := make([]contactKey, 0, len(list))
	for _, c := range list {
		k, good := c.contact()
		if !good {
			return nil
		}
		out = append(out, k)
	}
	return out
}

// addContact puts one conversation into a user's group and says how it went. Already there:
// Dialect.RepeatAddAbsentRemove (question 5). A group conversation whose group does not exist,
// or whose group the user is not in: 51007. A conversation new to the user past the 1000 its
// groups may hold together: 51008 (the vendor shares the 1000 with conversation marks, which
// the emulator does not model). Caller holds s.mu.
func (s *Server) addContact(cu *contactUser, g *contactGroup, k contactKey) (int, string) {
	if _, have := g.members[k]; have {
		if s.dialect.RepeatAddAbsentRemove == RepeatError {
			return chatapi.CodeRCBadParam, "conversation is already in the group"
		}
		return 0, ""
	}
	if k.typ == chatapi.ContactGroup {
		if !s.world.groupExists(k.id) {
			return chatapi.CodeRCLookupFailed, "group ID lookup failed"
		}
		if s.world.role(k.id, cu.user) == chatapi.RoleNotMember {
			return chatapi.CodeRCLookupFailed, "the user is not a member of the group"
		}
	}
	if cu.refs[k] == 0 && len(cu.refs) >= maxContactsPerUser {
		return chatapi.CodeRCGroupFull, "the user's conversation groups hold 1000 conversations"
	}
	cu.put(g, k)
	return 0, ""
}

// deleteContact takes one conversation out of a user's group; one that is not there follows
// Dialect.RepeatAddAbsentRemove. Caller holds s.mu.
func (s *Server) deleteContact(cu *contactUser, g *contactGroup, k contactKey) (int, string) {
	if _, have := g.members[k]; !have && s.dialect.RepeatAddAbsentRemove == RepeatError {
		return chatapi.CodeRCBadParam, "conversation is not in the group"
	}
	cu.remove(g, k)
	return 0, ""
}

func checkContactGroupName(name string) *apiErr {
	if len(name) > maxContactGroupNameBytes {
		return &apiErr{chatapi.CodeRCNameTooLong, "group name longer than 64 bytes"}
	}
	return nil
}

// nameTaken answers a create or rename to a name the user already has, per
// Dialect.CreateExisting (question 3); nil means go ahead and make a second group of it.
func (s *Server) nameTaken() reply {
	switch s.dialect.CreateExisting {
	case CreateExistingDuplicate:
		return nil
	case CreateExisting50002:
		return fail(chatapi.CodeRCBadParam, "a conversation group of that name exists")
	default:
		// 51012 is the pinned-conversation limit in the vendor's list: answering it here
		// catches a client that takes it for "already exists".
		return fail(chatapi.CodeRCPinnedLimit, "conversation group name already used")
	}
}

// createContactGroup serves recentcontact/create_contact_group, one group per request, with
// at most 100 conversations (51006). Without ContactItem: Dialect.ContactItemRequired
// (question 4). A name the user already has: Dialect.CreateExisting.
func (s *Server) createContactGroup(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	groups := o.objList("GroupContactItem", true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if len(groups) != 1 {
		return fail(chatapi.CodeRCBadParam, "GroupContactItem must hold exactly one group")
	}
	name := groups[0].str("GroupName", true)
	items := groups[0].objList("ContactItem", false)
	contacts := readContacts(items)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if s.dialect.ContactItemRequired && !groups[0].has("ContactItem") {
		return fail(chatapi.CodeRCBadParam, "GroupContactItem[0].ContactItem is required")
	}
	if len(contacts) > maxContactsPerRequest {
		return fail(chatapi.CodeRCTooManyContacts, "more than 100 conversations in one request")
	}
	if e := checkContactGroupName(name); e != nil {
		return failErr(e)
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeRCNoUser, "From_Account has not been imported")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cu := s.st.contactUser(user)
	if cu.byName(name) != nil {
		if r := s.nameTaken(); r != nil {
			return r
		}
	}
	if len(cu.groups) >= chatapi.MaxContactGroupsPerUser {
		return fail(chatapi.CodeRCTooManyGroups, "more than 20 conversation groups")
	}
	g := &contactGroup{id: cu.nextID, name: name, members: make(map[contactKey]struct{}, len(contacts))}
	cu.nextID++
	cu.groups = append(cu.groups, g)
	item := chatapi.GroupResultItem{GroupItem: chatapi.ContactGroupItem{GroupName: name, GroupId: g.id}}
	for _, k := range contacts {
		code, info := s.addContact(cu, g, k)
		item.ResultItem = append(item.ResultItem, chatapi.ContactResultItem{ContactItem: k.item(), ResultCode: code, ResultInfo: info})
	}
	return succeed(&chatapi.CreateContactGroupResponse{GroupResultItem: []chatapi.GroupResultItem{item}})
}

// updateContactGroup serves recentcontact/update_contact_group: a rename (51009 when the old
// name is missing; a new name the user has follows Dialect.CreateExisting) or a change of at
// most 100 members (51006), whose repeated adds and absent deletes follow
// Dialect.RepeatAddAbsentRemove. With two groups of the old name, the older one is changed.
func (s *Server) updateContactGroup(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	updType, _ := o.integer("UpdateType", true, false)
	ug := o.obj("UpdateGroup", true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if updType != 1 {
		return fail(chatapi.CodeRCBadParam, "UpdateType must be 1")
	}
	kind, _ := ug.integer("UpdateGroupType", true, false)
	oldName := ug.str("OldGroupName", true)
	var newName string
	var ops []*object
	switch kind {
	case chatapi.UpdateGroupRename:
		newName = ug.str("NewGroupName", true)
	case chatapi.UpdateGroupMembers:
		ops = ug.objList("ContactUpdateItem", true)
	default:
		if o.err() == nil {
			return fail(chatapi.CodeRCBadParam, "UpdateGroupType must be 1 or 2")
		}
	}
	type op struct {
		typ int
		key contactKey
	}
	items := make([]op, 0, len(ops))
	for _, c := range ops {
		typ, _ := c.integer("ContactOptType", true, false)
		k, _ := c.obj("ContactItem", true).contactOrNil()
		if o.err() != nil {
			break
		}
		if typ != chatapi.ContactOptAdd && typ != chatapi.ContactOptDelete {
			return fail(chatapi.CodeRCBadParam, "ContactOptType must be 1 or 2")
		}
		items = append(items, op{int(typ), k})
	}
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if kind == chatapi.UpdateGroupMembers && len(items) == 0 {
		return fail(chatapi.CodeRCBadParam, "ContactUpdateItem is empty")
	}
	if len(items) > maxContactsPerRequest {
		return fail(chatapi.CodeRCTooManyContacts, "more than 100 conversations in one request")
	}
	if e := checkContactGroupName(newName); e != nil {
		return failErr(e)
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeRCNoUser, "From_Account has not been imported")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cu := s.st.contacts[user]
	var g *contactGroup
	if cu != nil {
		g = cu.byName(oldName)
	}
	if g == nil {
		return fail(chatapi.CodeRCNoGroup, "conversation group does not exist")
	}
	res := chatapi.UpdateGroupResult{UpdateGroupType: int(kind), GroupName: g.name, GroupId: g.id, OldGroupName: oldName}
	if kind == chatapi.UpdateGroupRename {
		if newName != oldName {
			if cu.byName(newName) != nil {
				if r := s.nameTaken(); r != nil {
					return r
				}
			}
			g.name = newName
		}
		res.GroupName = newName
		return succeed(&chatapi.UpdateContactGroupResponse{UpdateType: 1, UpdateGroupResult: res})
	}
	for _, it := range items {
		var code int
		var info string
		if it.typ == chatapi.ContactOptAdd {
			code, info = s.addContact(cu, g, it.key)
		} else {
			code, info = s.deleteContact(cu, g, it.key)
		}
		res.ContactResultItem = append(res.ContactResultItem, chatapi.ContactResultItem{
			ContactOptType: it.typ, ContactItem: it.key.item(), ResultCode: code, ResultInfo: info,
		})
	}
	return succeed(&chatapi.UpdateContactGroupResponse{UpdateType: 1, UpdateGroupResult: res})
}

// contactOrNil reads a ContactItem from an object that may be nil after an earlier error.
func (o *object) contactOrNil() (contactKey, bool) {
	if o == nil {
		return contactKey{}, false
	}
	return o.contact()
}
