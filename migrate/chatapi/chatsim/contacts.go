package chatsim

import (
	"slices"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
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

// addContact puts one conversation into a group and says how it went: already there → 0
// (API.md's model), group full → 51008, a group conversation whose group does not exist →
// 51007. Caller holds s.mu.
func (s *Server) addContact(g *contactGroup, k contactKey) (int, string) {
	if _, have := g.members[k]; have {
		return 0, ""
	}
	if len(g.members) >= chatapi.MaxContactsPerGroup {
		return chatapi.CodeRCGroupFull, "conversation group is full (1000)"
	}
	if k.typ == chatapi.ContactGroup && !s.world.groupExists(k.id) {
		return chatapi.CodeRCLookupFailed, "group ID lookup failed"
	}
	g.members[k] = struct{}{}
	return 0, ""
}

func checkContactGroupName(name string) *apiErr {
	if len(name) > chatapi.MaxContactGroupName {
		return &apiErr{chatapi.CodeRCNameTooLong, "group name longer than 32 bytes"}
	}
	return nil
}

// createContactGroup serves recentcontact/create_contact_group, one group per request. A name
// the user already has answers 51012 and changes nothing (API.md's model).
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
	contacts := readContacts(groups[0].objList("ContactItem", false))
	if e := o.err(); e != nil {
		return failErr(e)
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
	if cu.byName[name] != nil {
		return fail(chatapi.CodeRCGroupExists, "conversation group already exists")
	}
	if len(cu.groups) >= chatapi.MaxContactGroupsPerUser {
		return fail(chatapi.CodeRCTooManyGroups, "more than 20 conversation groups")
	}
	g := &contactGroup{id: cu.nextID, name: name, members: make(map[contactKey]struct{}, len(contacts))}
	cu.nextID++
	cu.groups = append(cu.groups, g)
	cu.byName[name] = g
	item := chatapi.GroupResultItem{GroupItem: chatapi.ContactGroupItem{GroupName: name, GroupId: g.id}}
	for _, k := range contacts {
		code, info := s.addContact(g, k)
		item.ResultItem = append(item.ResultItem, chatapi.ContactResultItem{ContactItem: k.item(), ResultCode: code, ResultInfo: info})
	}
	return succeed(&chatapi.CreateContactGroupResponse{GroupResultItem: []chatapi.GroupResultItem{item}})
}

// updateContactGroup serves recentcontact/update_contact_group: a rename (51009 when the old
// name is missing, 51012 when the new one is taken) or a change of members. Deleting a
// conversation that is not in the group answers ResultCode 0 (the vendor is silent; the model
// makes deletes idempotent, like adds, so that a retried request is harmless).
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
		g = cu.byName[oldName]
	}
	if g == nil {
		return fail(chatapi.CodeRCNoGroup, "conversation group does not exist")
	}
	res := chatapi.UpdateGroupResult{UpdateGroupType: int(kind), GroupName: g.name, GroupId: g.id, OldGroupName: oldName}
	if kind == chatapi.UpdateGroupRename {
		if newName != oldName {
			if cu.byName[newName] != nil {
				return fail(chatapi.CodeRCGroupExists, "a conversation group with the new name exists")
			}
			delete(cu.byName, oldName)
			g.name = newName
			cu.byName[newName] = g
		}
		res.GroupName = newName
		return succeed(&chatapi.UpdateContactGroupResponse{UpdateType: 1, UpdateGroupResult: res})
	}
	for _, it := range items {
		code, info := 0, ""
		if it.typ == chatapi.ContactOptAdd {
			code, info = s.addContact(g, it.key)
		} else {
			delete(g.members, it.key)
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

// getContactGroup serves recentcontact/get_contact_group: one page of the user's
// conversations (PageSize from StartIndex, ordered by Type then ID), each with the IDs of its
// groups, and every group (GroupItem, on every page, so that empty groups are seen too).
// CompleteFlag is 1 on the last page; NextStartIndex is the index after the page.
func (s *Server) getContactGroup(o *object, _ time.Time) reply {
	user := o.str("From_Account", true)
	start, _ := o.integer("StartIndex", true, true)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if start < 0 {
		return fail(chatapi.CodeRCBadParam, "StartIndex is negative")
	}
	if !s.world.userExists(user) {
		return fail(chatapi.CodeRCNoUser, "From_Account has not been imported")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &chatapi.GetContactGroupResponse{}
	cu := s.st.contacts[user]
	if cu == nil {
		resp.CompleteFlag = 1
		return succeed(resp)
	}
	in := make(map[contactKey][]int)
	for _, g := range cu.groups {
		resp.GroupItem = append(resp.GroupItem, chatapi.ContactGroupItem{GroupName: g.name, GroupId: g.id})
		for k := range g.members {
			in[k] = append(in[k], g.id)
		}
	}
	keys := make([]contactKey, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareContacts)
	from := min(int(start), len(keys))
	to := min(from+s.cfg.PageSize, len(keys))
	for _, k := range keys[from:to] {
		it := k.item()
		ids := in[k]
		slices.Sort(ids)
		resp.ContactItem = append(resp.ContactItem, chatapi.ContactWithGroups{
			Type: it.Type, To_Account: it.To_Account, ToGroupId: it.ToGroupId, ContactGroupId: ids,
		})
	}
	resp.NextStartIndex = to
	if to >= len(keys) {
		resp.CompleteFlag = 1
	}
	return succeed(resp)
}
