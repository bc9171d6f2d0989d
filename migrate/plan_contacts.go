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

// contactCollector applies the per-record and cross-record rules in input order. A group is
// known by its current name: rows after a rename may use the new name, and the old name is
// free again for a new group.
type contactCollector struct {
	d       *contactData
	names   map[[2]int32]int32 // (user, current name) -> group
	nGroups map[int32]int32    // user -> groups
	members map[member]struct{}
	size    []int32 // group -> conversations now in it
}

func newContactCollector() *contactCollector {
	return &contactCollector{
		d:       &contactData{strs: newStrtab()},
		names:   make(map[[2]int32]int32),
		nGroups: make(map[int32]int32),
		members: make(map[member]struct{}),
	}
}

// readFile reads one conversation-groups file, counting into st and reporting each problem.
func (c *contactCollector) readFile(ctx context.Context, name string, h hash.Hash, st *KindStats, report func(Problem)) error {
	return collectFile(ctx, sources.ContactGroups, name, h, sources.NewContactGroups, c.add, st, report)
}

// add applies the rules to one record, keeps its valid operations and returns its problems.
func (c *contactCollector) add(r *sources.ContactGroup) []Problem {
	var probs []Problem
	invalid := func(it Item, issues ...issue) {
		probs = append(probs, problemOf(sources.ContactGroups, it, issues))
	}
	if issues := contactRecordIssues(r); len(issues) > 0 {
		if len(r.ContactItem) == 0 {
			invalid(contactItem(r, nil), issues...)
		}
		for i := range r.ContactItem {
			ct := &r.ContactItem[i]
			more, _ := contactIssues(ct)
			invalid(contactItem(r, ct), slices.Concat(issues, more)...)
		}
		return probs
	}
	// Each conversation on its own.
	type valid struct {
		it Item
		ci chatapi.ContactItem
	}
	var ok []valid
	for i := range r.ContactItem {
		ct := &r.ContactItem[i]
		it := contactItem(r, ct)
		if issues, ci := contactIssues(ct); len(issues) > 0 {
			invalid(it, issues...)
		} else {
			ok = append(ok, valid{it, ci})
		}
	}
	if len(r.ContactItem) > 0 && len(ok) == 0 {
		return probs
	}
	d := c.d
	op, _ := contactOp(r.Op)
	user, name := d.strs.id(r.From_Account), d.strs.id(r.GroupName)
	file, line := d.files.id(r.Pos.File), int64(r.Pos.Line)
	var newName int32
	if op == opRename {
		newName = d.strs.id(r.NewGroupName)
		if _, taken := c.names[[2]int32{user, newName}]; taken {
			invalid(contactItem(r, nil), issue{"NewGroupName", r.NewGroupName, "the user already has a conversation group of that name"})
			return probs
		}
	}
	group, known := c.names[[2]int32{user, name}]
	if !known {
		if c.nGroups[user] >= chatapi.MaxContactGroupsPerUser {
			reason := fmt.Sprintf("the user already has %d conversation groups, the most allowed", chatapi.MaxContactGroupsPerUser)
			if len(ok) == 0 {
				invalid(contactItem(r, nil), issue{"GroupName", r.GroupName, reason})
			}
			for _, v := range ok {
				invalid(v.it, issue{"GroupName", r.GroupName, reason})
			}
			return probs
		}
		group = int32(len(d.groups))
		d.groups = append(d.groups, name)
		c.size = append(c.size, 0)
		c.names[[2]int32{user, name}] = group
		c.nGroups[user]++
		if len(ok) == 0 && op == opAdd {
			d.ops = append(d.ops, cop{user: user, group: group, kind: copDeclare, target: -1, file: file, line: line})
		}
	}
	switch op {
	case opRename:
		delete(c.names, [2]int32{user, name})
		c.names[[2]int32{user, newName}] = group
		d.ops = append(d.ops, cop{user: user, group: group, kind: copRename, target: newName, file: file, line: line})
	case opAdd:
		for _, v := range ok {
			m := member{group: group, target: d.strs.id(contactTarget(v.ci)), typ: uint8(v.ci.Type)}
			if _, dup := c.members[m]; dup {
				probs = append(probs, Problem{Kind: sources.ContactGroups, Pos: r.Pos, Field: contactField(v.ci),
					Excerpt: excerpt(contactTarget(v.ci)), Reason: "duplicate conversation in the group: merged with an earlier row",
					Warning: true, Item: v.it})
				continue
			}
			if c.size[group] >= chatapi.MaxContactsPerGroup {
				invalid(v.it, issue{contactField(v.ci), contactTarget(v.ci),
					fmt.Sprintf("the group already holds %d conversations, the most allowed", chatapi.MaxContactsPerGroup)})
				continue
			}
			c.members[m] = struct{}{}
			c.size[group]++
			d.ops = append(d.ops, cop{user: user, group: group, kind: copAdd, typ: m.typ, target: m.target, file: file, line: line})
		}
	case opRemove:
		for _, v := range ok {
			m := member{group: group, target: d.strs.id(contactTarget(v.ci)), typ: uint8(v.ci.Type)}
			if _, in := c.members[m]; in {
				delete(c.members, m)
				c.size[group]--
			}
			// A conversation this input never added may be in the target already: remove it.
			d.ops = append(d.ops, cop{user: user, group: group, kind: copRemove, typ: m.typ, target: m.target, file: file, line: line})
		}
	}
	return probs
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
	c.names, c.nGroups, c.members, c.size = nil, nil, nil, nil
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
