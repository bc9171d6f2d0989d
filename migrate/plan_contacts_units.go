package migrate

import (
	"cmp"
	"context"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// ContactChanges is one user's intended conversation-group changes, the work of one unit.
// It says what the input wants, not which requests to send: executing it reads what the user
// has on the target, diffs, and sends only what the diff needs (execute_contacts.go), so that
// no outcome depends on how the service answers a name it already has or a repeated add
// (docs/vendor-api.md, "What the vendor leaves open").
type ContactChanges struct {
	From_Account string
	// Lineages are the user's groups in the order the input first names them.
	Lineages []ContactLineage
}

// ContactLineage is one conversation group as the input follows it through its renames. A
// name a rename frees and a later row uses again starts a lineage of its own.
type ContactLineage struct {
	// Names are the group's names in input order: its first, then each rename's new one.
	Names []string
	// Creates is set when the input adds to the group or declares it. A lineage that only
	// removes or renames changes a group the target must already have: it is never created.
	Creates bool
	// Ops is the net change of each conversation the lineage names, ordered by the input
	// position of its last row, which decides it: an add makes it present, a remove absent.
	// Conversations the input does not name keep what the target has.
	Ops []ContactOp
	// Renames and Declares are the Unit.Items indexes of the rename rows and of the rows
	// that name the group with no conversation; Items those of all of the lineage's rows.
	Renames, Declares, Items []int
}

// ContactOp is the net change of one conversation in one lineage.
type ContactOp struct {
	Contact chatapi.ContactItem
	Remove  bool
	// Items are the Unit.Items indexes of the rows of the deciding kind (the adds of a net add,
	// the removes of a net remove), last one last: they succeed or fail with its request. The
	// rows a later row overrides succeed with the lineage.
	Items []int
}

// Final returns the name the lineage ends with.
func (l *ContactLineage) Final() string { return l.Names[len(l.Names)-1] }

// last returns the input position (Unit.Items index) of the row that decides op.
func (op *ContactOp) last() int { return op.Items[len(op.Items)-1] }

// contactChunk is how many conversations one request carries: the plan's chunk, never more
// than the vendor's 100 (51006), whatever the option asked for.
func (p *Plan) contactChunk() int {
	return min(p.chunk, chatapi.MaxContactsPerRequest)
}

// contactUnits yields the conversation-group units in Ord order: one per user, users sorted
// by ID, carrying the user's rows as Items in input order and the lineages they add up to.
// No unit waits for another: a user's writes are all in its own unit.
func (p *Plan) contactUnits(ctx context.Context, fn func(*Unit) error) error {
	ord := p.Offset(sources.ContactGroups)
	return p.contacts.users(ctx, func(d *contactData, ops []cop) error {
		u := contactUnit(d, ops)
		u.Ord = ord
		u.Content = contentKey(u.Kind, u.Key, u.Items)
		ord++
		return fn(u)
	})
}

// contactUnit builds one user's unit from the user's operations, in input order.
func contactUnit(d *contactData, ops []cop) *Unit {
	user := d.strs.str(ops[0].user)
	cc := &ContactChanges{From_Account: user}
	u := &Unit{Kind: sources.ContactGroups, Key: user, Contacts: cc, Items: make([]Item, len(ops))}
	lineage := make(map[int32]int) // group → index in cc.Lineages
	opOf := make(map[member]int)   // (group, conversation) → its index in the lineage's Ops
	for i := range ops {
		o := &ops[i]
		li, seen := lineage[o.group]
		if !seen {
			li = len(cc.Lineages)
			lineage[o.group] = li
			cc.Lineages = append(cc.Lineages, ContactLineage{Names: []string{d.strs.str(d.groups[o.group])}})
		}
		l := &cc.Lineages[li]
		u.Items[i] = d.item(o, user, l.Final())
		l.Items = append(l.Items, i)
		switch o.kind {
		case copDeclare:
			l.Creates = true
			l.Declares = append(l.Declares, i)
		case copRename:
			l.Renames = append(l.Renames, i)
			l.Names = append(l.Names, d.strs.str(o.target))
		case copAdd, copRemove:
			remove := o.kind == copRemove
			l.Creates = l.Creates || !remove
			key := member{group: o.group, target: o.target, typ: o.typ}
			at, known := opOf[key]
			if !known {
				at = len(l.Ops)
				opOf[key] = at
				l.Ops = append(l.Ops, ContactOp{Contact: d.contact(o)})
			}
			op := &l.Ops[at]
			if op.Remove != remove || !known {
				op.Remove, op.Items = remove, op.Items[:0]
			}
			op.Items = append(op.Items, i)
		}
	}
	for i := range cc.Lineages {
		l := &cc.Lineages[i]
		slices.SortStableFunc(l.Ops, func(a, b ContactOp) int { return cmp.Compare(a.last(), b.last()) })
	}
	return u
}

// countContacts counts the conversation-group units and estimates their requests: per user,
// the read of its groups and the writes the diff would send to a target holding nothing.
func (p *Plan) countContacts(ctx context.Context, st *KindStats) error {
	st.Units, st.Requests, st.Items = 0, 0, 0
	chunk := p.contactChunk()
	// Not through contactUnits: a count needs no Ord or content key, and Ord depends on the
	// friend groups' count, which may be under way beside this one (collectGroups).
	return p.contacts.users(ctx, func(d *contactData, ops []cop) error {
		u := contactUnit(d, ops)
		st.Units++
		st.Items += len(u.Items)
		st.Requests++ // the first page of get_contact_group
		st.ByEndpoint[chatapi.PathGetContactGroup]++
		writes, _ := diffContacts(u.Contacts, &contactPages{}, nil, chunk)
		for _, w := range writes {
			st.Requests++
			st.ByEndpoint[w.path()]++
		}
		return nil
	})
}

// item is the Item an operation of user's group, named name at that point, reports as.
func (d *contactData) item(o *cop, user, name string) Item {
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

// EachContactUser calls fn with every user's intended conversation groups after every rename
// and removal, users sorted by ID: final group name -> conversations sorted by Type, then ID
// (an empty slice for an empty group).
func (p *Plan) EachContactUser(ctx context.Context, fn func(user string, groups map[string][]chatapi.ContactItem) error) error {
	return p.eachContactWant(ctx, func(user string, groups map[string][]chatapi.ContactItem, _ map[string]bool) error {
		return fn(user, groups)
	})
}

// eachContactWant is EachContactUser, and tells which groups the input only changes (it
// removes from them or renames them, and adds nothing): those the target must already have,
// which the run never creates.
func (p *Plan) eachContactWant(ctx context.Context, fn func(user string, groups map[string][]chatapi.ContactItem, changeOnly map[string]bool) error) error {
	return p.contacts.users(ctx, func(d *contactData, ops []cop) error {
		u := contactUnit(d, ops)
		groups := make(map[string][]chatapi.ContactItem, len(u.Contacts.Lineages))
		var changeOnly map[string]bool
		for _, l := range u.Contacts.Lineages {
			cs := make([]chatapi.ContactItem, 0, len(l.Ops))
			for _, op := range l.Ops {
				if !op.Remove {
					cs = append(cs, op.Contact)
				}
			}
			slices.SortFunc(cs, compareContacts)
			groups[l.Final()] = cs
			if !l.Creates {
				if changeOnly == nil {
					changeOnly = make(map[string]bool)
				}
				changeOnly[l.Final()] = true
			}
		}
		return fn(u.Key, groups, changeOnly)
	})
}

// compareContacts orders conversations by Type, then ID.
func compareContacts(a, b chatapi.ContactItem) int {
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(contactTarget(a), contactTarget(b))
}
