package migrate

import (
	"cmp"
	"context"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// cunit is a conversation-group unit being planned: its group, and the input position (index
// in the user's operations) of its first operation, by which a user's units are ordered.
type cunit struct {
	group int32
	first int
	u     *Unit
}

// contactUnits yields the conversation-group units in Ord order. Per user (sorted by ID), each
// group gets one create_contact_group carrying the adds that precede its first other
// operation (at most chunk of them), then update_contact_group requests in input order: runs
// of adds and removes in chunks, each rename on its own. A user's units are ordered by the
// input position of their first operation, so that renames and creates happen in the order
// the input gives them (a rename that frees a name comes before the create that reuses it);
// each unit's After is the previous unit of its group, so a group is created before it changes.
func (p *Plan) contactUnits(ctx context.Context, fn func(*Unit) error) error {
	d := p.contacts
	ord := p.Offset(sources.ContactGroups)
	return d.users(ctx, func(ops []cop) error {
		units := planContactUser(d, ops, p.chunk)
		last := make(map[int32]int)
		for _, cu := range units {
			cu.u.Ord = ord
			cu.u.After = -1
			if prev, ok := last[cu.group]; ok {
				cu.u.After = prev
			}
			last[cu.group] = ord
			ord++
			if err := fn(cu.u); err != nil {
				return err
			}
		}
		return nil
	})
}

// planContactUser plans one user's operations (input order) into units, ordered.
func planContactUser(d *contactData, ops []cop, chunk int) []cunit {
	user := d.strs.str(ops[0].user)
	var order []int32 // groups by first appearance
	byGroup := make(map[int32][]int)
	for i := range ops {
		g := ops[i].group
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	var units []cunit
	for _, g := range order {
		units = appendGroupUnits(units, d, user, g, ops, byGroup[g], chunk)
	}
	slices.SortStableFunc(units, func(a, b cunit) int { return cmp.Compare(a.first, b.first) })
	return units
}

// appendGroupUnits plans one group: idx are its operations' indexes in ops, in input order.
func appendGroupUnits(units []cunit, d *contactData, user string, g int32, ops []cop, idx []int, chunk int) []cunit {
	name := d.strs.str(d.groups[g])
	item := func(o *cop) Item {
		it := Item{Pos: sources.Pos{File: d.files[o.file], Line: int(o.line)}, From_Account: user, GroupName: name}
		switch o.kind {
		case copDeclare, copAdd:
			it.Op = opAdd
		case copRemove:
			it.Op = opRemove
		case copRename:
			it.Op, it.NewGroupName = opRename, d.strs.str(o.target)
		}
		if o.kind == copAdd || o.kind == copRemove {
			ci := d.contact(o)
			it.Type, it.To_Account, it.ToGroupId = ci.Type, ci.To_Account, ci.ToGroupId
		}
		return it
	}

	// The create: the leading adds, at most chunk conversations.
	gci := chatapi.GroupContactItem{GroupName: name}
	create := &Unit{Kind: sources.ContactGroups, Key: user,
		Create: &chatapi.CreateContactGroupRequest{From_Account: user}}
	k := 0
	for ; k < len(idx); k++ {
		o := &ops[idx[k]]
		if o.kind == copDeclare {
			create.Items = append(create.Items, item(o))
			continue
		}
		if o.kind != copAdd || len(gci.ContactItem) == chunk {
			break
		}
		gci.ContactItem = append(gci.ContactItem, d.contact(o))
		create.Items = append(create.Items, item(o))
	}
	create.Create.GroupContactItem = []chatapi.GroupContactItem{gci}
	if len(create.Items) == 0 {
		// The group's first row is a rename or a remove: the create has no row of its own, so
		// it reports as the empty group's creation at that row (every unit has an item).
		first := &ops[idx[0]]
		create.Items = []Item{{Pos: sources.Pos{File: d.files[first.file], Line: int(first.line)},
			From_Account: user, GroupName: name, Op: opAdd}}
	}
	units = append(units, cunit{group: g, first: idx[0], u: create})

	// The updates, in input order.
	var batch *Unit
	var inBatch map[member]bool
	for ; k < len(idx); k++ {
		o := &ops[idx[k]]
		if o.kind == copRename {
			batch = nil
			it := item(o)
			u := &Unit{Kind: sources.ContactGroups, Key: user, Items: []Item{it},
				Update: &chatapi.UpdateContactGroupRequest{From_Account: user, UpdateType: 1,
					UpdateGroup: chatapi.UpdateGroup{UpdateGroupType: chatapi.UpdateGroupRename,
						OldGroupName: name, NewGroupName: it.NewGroupName}}}
			units = append(units, cunit{group: g, first: idx[k], u: u})
			name = it.NewGroupName
			continue
		}
		m := member{target: o.target, typ: o.typ}
		// A batch never names one conversation twice: the vendor does not say in which order
		// it applies the items of one request.
		if batch == nil || len(batch.Update.UpdateGroup.ContactUpdateItem) == chunk || inBatch[m] {
			batch = &Unit{Kind: sources.ContactGroups, Key: user,
				Update: &chatapi.UpdateContactGroupRequest{From_Account: user, UpdateType: 1,
					UpdateGroup: chatapi.UpdateGroup{UpdateGroupType: chatapi.UpdateGroupMembers, OldGroupName: name}}}
			inBatch = make(map[member]bool)
			units = append(units, cunit{group: g, first: idx[k], u: batch})
		}
		opt := chatapi.ContactOptAdd
		if o.kind == copRemove {
			opt = chatapi.ContactOptDelete
		}
		ug := &batch.Update.UpdateGroup
		ug.ContactUpdateItem = append(ug.ContactUpdateItem, chatapi.ContactUpdateItem{ContactOptType: opt, ContactItem: d.contact(o)})
		batch.Items = append(batch.Items, item(o))
		inBatch[m] = true
	}
	return units
}

// EachContactUser calls fn with every user's intended conversation groups after every rename
// and removal, users sorted by ID: final group name -> conversations sorted by Type, then ID
// (an empty slice for an empty group).
func (p *Plan) EachContactUser(ctx context.Context, fn func(user string, groups map[string][]chatapi.ContactItem) error) error {
	d := p.contacts
	return d.users(ctx, func(ops []cop) error {
		names := make(map[int32]string)
		sets := make(map[int32]map[member]bool)
		var order []int32
		for i := range ops {
			o := &ops[i]
			if _, ok := names[o.group]; !ok {
				names[o.group] = d.strs.str(d.groups[o.group])
				sets[o.group] = make(map[member]bool)
				order = append(order, o.group)
			}
			m := member{target: o.target, typ: o.typ}
			switch o.kind {
			case copAdd:
				sets[o.group][m] = true
			case copRemove:
				delete(sets[o.group], m)
			case copRename:
				names[o.group] = d.strs.str(o.target)
			}
		}
		groups := make(map[string][]chatapi.ContactItem, len(order))
		for _, g := range order {
			cs := make([]chatapi.ContactItem, 0, len(sets[g]))
			for m := range sets[g] {
				cs = append(cs, d.contact(&cop{typ: m.typ, target: m.target}))
			}
			slices.SortFunc(cs, compareContacts)
			groups[names[g]] = cs
		}
		return fn(d.strs.str(ops[0].user), groups)
	})
}

// compareContacts orders conversations by Type, then ID.
func compareContacts(a, b chatapi.ContactItem) int {
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(contactTarget(a), contactTarget(b))
}
