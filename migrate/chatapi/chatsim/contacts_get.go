package chatsim

import (
	"slices"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// getContactGroup serves recentcontact/get_contact_group: one page of the user's
// conversations (Dialect.ContactPageSize from StartIndex, ordered by Type then ID), each with
// the IDs of its groups, and every group (GroupItem, so that empty groups are seen too) on
// every page, or only on the page from 0 (Dialect.GroupItemFirstPageOnly, question 6).
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
		if start == 0 || !s.dialect.GroupItemFirstPageOnly {
			resp.GroupItem = append(resp.GroupItem, chatapi.ContactGroupItem{GroupName: g.name, GroupId: g.id})
		}
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
	to := min(from+s.dialect.ContactPageSize, len(keys))
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
