package migrate

import (
	"context"
	"fmt"
	"hash"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Kinds of a valid conversation-group operation.
const (
	copDeclare uint8 = iota + 1 // the first row of a group names no conversation: create it empty
	copAdd
	copRemove
	copRename
)

// cop is one valid conversation-group operation, interned, in input order.
type cop struct {
	user   int32 // strtab ID
	group  int32 // index into contactData.groups
	kind   uint8
	typ    uint8 // chatapi.ContactC2C or ContactGroup; 0 for declare and rename
	target int32 // strtab ID of To_Account or ToGroupId; the new name for a rename
	file   int32
	line   int64
}

// contactData is the validated conversation-group input: the operations in input order
// within each user, users sorted by ID.
type contactData struct {
	strs   *strtab
	files  fileTab
	ops    []cop
	groups []int32 // group index -> its first name (strtab ID)
}

// member identifies a conversation in a group.
type member struct {
	group, target int32
	typ           uint8
}

// userContact identifies a conversation among all of a user's groups.
type userContact struct {
	user, target int32
	typ          uint8
}

// contactCollector applies the per-record and cross-record rules in input order. A group is
// known by its current name: rows after a rename may use the new name, and the old name is
// free again for a new group.
type contactCollector struct {
	d       *contactData
	names   map[[2]int32]int32 // (user, current name) -> group
	nGroups map[int32]int32    // user -> groups
	members map[member]struct{}
	// The vendor's 1000 are distinct conversations per user, across all of its groups
	// (docs/vendor-api.md, "Limits"): refs counts the user's groups holding each, distinct
	// the conversations with a ref.
	refs     map[userContact]int32
	distinct map[int32]int32
}

func newContactCollector() *contactCollector {
	return &contactCollector{
		d:        &contactData{strs: newStrtab()},
		names:    make(map[[2]int32]int32),
		nGroups:  make(map[int32]int32),
		members:  make(map[member]struct{}),
		refs:     make(map[userContact]int32),
		distinct: make(map[int32]int32),
	}
}

// readFile reads one conversation-groups file, counting into st and reporting each problem.
func (c *contactCollector) readFile(ctx context.Context, name string, h hash.Hash, st *KindStats, report func(Problem)) error {
	return collectFile(ctx, sources.ContactGroups, name, h, sources.NewContactGroups, c.add, st, report)
}

// add applies the rules to one record, keeps its valid operations and returns its problems.
func (c *contactCollector) add(r *sources.ContactGroup) []Problem {
	if issues := contactRecordIssues(r); len(issues) > 0 {
		return recordProblems(r, issues)
	}
	ok, probs := checkConversations(r)
	probs = append(probs, contactNameWarnings(r)...)
	if len(r.ContactItem) > 0 && len(ok) == 0 {
		return probs
	}
	d := c.d
	op, _ := contactOp(r.Op)
	user, name := d.strs.id(r.From_Account), d.strs.id(r.GroupName)
	at := cop{user: user, file: d.files.id(r.Pos.File), line: int64(r.Pos.Line)}
	var newName int32
	if op == opRename {
		newName = d.strs.id(r.NewGroupName)
		if _, taken := c.names[[2]int32{user, newName}]; taken {
			return append(probs, invalidContact(contactItem(r, nil),
				issue{"NewGroupName", r.NewGroupName, "the user already has a conversation group of that name"}))
		}
	}
	group, refused := c.group(r, op, at, name, ok)
	if refused != nil {
		return append(probs, refused...)
	}
	at.group = group
	switch op {
	case opRename:
		delete(c.names, [2]int32{user, name})
		c.names[[2]int32{user, newName}] = group
		at.kind, at.target = copRename, newName
		d.ops = append(d.ops, at)
	case opAdd:
		probs = append(probs, c.addConversations(r, at, ok)...)
	case opRemove:
		c.removeConversations(at, ok)
	}
	return probs
}

// conversation is one conversation of a record that passed its own checks.
type conversation struct {
	it Item
	ci chatapi.ContactItem
}

// invalidContact is the Problem of a conversation-group item that breaks rules.
func invalidContact(it Item, issues ...issue) Problem {
	return problemOf(sources.ContactGroups, it, issues)
}

// recordProblems reports a record that breaks a rule of its own (a bad user, group name or
// operation): every conversation in it is invalid, with its own issues added, or the record
// as one item when it names none.
func recordProblems(r *sources.ContactGroup, issues []issue) []Problem {
	if len(r.ContactItem) == 0 {
		return []Problem{invalidContact(contactItem(r, nil), issues...)}
	}
	probs := make([]Problem, 0, len(r.ContactItem))
	for i := range r.ContactItem {
		ct := &r.ContactItem[i]
		more, _ := contactIssues(ct)
		probs = append(probs, invalidContact(contactItem(r, ct), slices.Concat(issues, more)...))
	}
	return probs
}

// checkConversations checks each conversation of a valid record on its own: the valid ones
// go on, the others are problems.
func checkConversations(r *sources.ContactGroup) (ok []conversation, probs []Problem) {
	for i := range r.ContactItem {
		ct := &r.ContactItem[i]
		it := contactItem(r, ct)
		if issues, ci := contactIssues(ct); len(issues) > 0 {
			probs = append(probs, invalidContact(it, issues...))
		} else {
			ok = append(ok, conversation{it, ci})
		}
	}
	return ok, probs
}

// group returns the user's group of the given current name, creating it when the user has
// none of that name: an add that names no conversation then declares it, to be created
// empty. When the user already has as many groups as allowed, refused holds the problems of
// the record's items and no group is created.
func (c *contactCollector) group(r *sources.ContactGroup, op string, at cop, name int32,
	ok []conversation) (group int32, refused []Problem) {
	key := [2]int32{at.user, name}
	if group, known := c.names[key]; known {
		return group, nil
	}
	if c.nGroups[at.user] >= chatapi.MaxContactGroupsPerUser {
		is := issue{"GroupName", r.GroupName,
			fmt.Sprintf("the user already has %d conversation groups, the most allowed", chatapi.MaxContactGroupsPerUser)}
		if len(ok) == 0 {
			return 0, []Problem{invalidContact(contactItem(r, nil), is)}
		}
		for _, v := range ok {
			refused = append(refused, invalidContact(v.it, is))
		}
		return 0, refused
	}
	d := c.d
	group = int32(len(d.groups))
	d.groups = append(d.groups, name)
	c.names[key] = group
	c.nGroups[at.user]++
	if len(ok) == 0 && op == opAdd {
		at.group, at.kind, at.target = group, copDeclare, -1
		d.ops = append(d.ops, at)
	}
	return group, nil
}

// addConversations keeps the adds of the conversations ok into group at.group: one already
// in the group is merged with a warning, one new to the user beyond the user's limit is
// invalid.
func (c *contactCollector) addConversations(r *sources.ContactGroup, at cop, ok []conversation) []Problem {
	var probs []Problem
	for _, v := range ok {
		m := member{group: at.group, target: c.d.strs.id(contactTarget(v.ci)), typ: uint8(v.ci.Type)}
		if _, dup := c.members[m]; dup {
			probs = append(probs, Problem{Kind: sources.ContactGroups, Pos: r.Pos, Field: contactField(v.ci),
				Excerpt: sources.Excerpt(contactTarget(v.ci)),
				Reason:  "duplicate conversation in the group: merged with an earlier row", Warning: true, Item: v.it})
			continue
		}
		uc := userContact{user: at.user, target: m.target, typ: m.typ}
		if c.refs[uc] == 0 && c.distinct[at.user] >= chatapi.MaxContactsPerUser {
			probs = append(probs, invalidContact(v.it, issue{contactField(v.ci), contactTarget(v.ci),
				fmt.Sprintf("the user's conversation groups already hold %d distinct conversations, the most allowed",
					chatapi.MaxContactsPerUser)}))
			continue
		}
		c.members[m] = struct{}{}
		if c.refs[uc]++; c.refs[uc] == 1 {
			c.distinct[at.user]++
		}
		at.kind, at.typ, at.target = copAdd, m.typ, m.target
		c.d.ops = append(c.d.ops, at)
	}
	return probs
}

// removeConversations keeps the removes of the conversations ok from group at.group.
func (c *contactCollector) removeConversations(at cop, ok []conversation) {
	for _, v := range ok {
		m := member{group: at.group, target: c.d.strs.id(contactTarget(v.ci)), typ: uint8(v.ci.Type)}
		if _, in := c.members[m]; in {
			delete(c.members, m)
			uc := userContact{user: at.user, target: m.target, typ: m.typ}
			if c.refs[uc]--; c.refs[uc] == 0 {
				delete(c.refs, uc)
				c.distinct[at.user]--
			}
		}
		// A conversation this input never added may be in the target already: remove it.
		at.kind, at.typ, at.target = copRemove, m.typ, m.target
		c.d.ops = append(c.d.ops, at)
	}
}

// contactTarget is the ID a conversation points at.
func contactTarget(ci chatapi.ContactItem) string {
	if ci.Type == chatapi.ContactGroup {
		return ci.ToGroupId
	}
	return ci.To_Account
}

// contactField names the field contactTarget reads.
func contactField(ci chatapi.ContactItem) string {
	if ci.Type == chatapi.ContactGroup {
		return "ToGroupId"
	}
	return "To_Account"
}

// finish frees the collector's indexes and orders the operations by user, keeping input
// order within a user.
func (c *contactCollector) finish() *contactData {
	d := c.d
	c.names, c.nGroups, c.members, c.refs, c.distinct = nil, nil, nil, nil, nil
	d.strs.dropIndex()
	rank := d.strs.ranks()
	// A counting sort by the user's rank: stable like slices.SortStableFunc, but linear where
	// that one is O(n log² n), for one more copy of the operations.
	next := make([]int, len(rank)+1) // rank -> where its next operation goes, once summed
	for _, o := range d.ops {
		next[rank[o.user]+1]++
	}
	for r := 1; r < len(next); r++ {
		next[r] += next[r-1]
	}
	sorted := make([]cop, len(d.ops))
	for _, o := range d.ops {
		r := rank[o.user]
		sorted[next[r]] = o
		next[r]++
	}
	d.ops = sorted
	return d
}

// users calls fn with each user's operations in input order, users sorted by ID.
func (d *contactData) users(ctx context.Context, fn func(ops []cop) error) error {
	return eachUser(ctx, d.ops, func(o *cop) int32 { return o.user }, fn)
}

// contact returns an operation's conversation in wire form.
func (d *contactData) contact(o *cop) chatapi.ContactItem {
	ci := chatapi.ContactItem{Type: int(o.typ)}
	if o.typ == chatapi.ContactGroup {
		ci.ToGroupId = d.strs.str(o.target)
	} else {
		ci.To_Account = d.strs.str(o.target)
	}
	return ci
}
