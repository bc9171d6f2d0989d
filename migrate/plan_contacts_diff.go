package migrate

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// contactKey identifies a conversation: its Type and the ID it points at.
type contactKey struct {
	typ int
	id  string
}

func keyOf(ci chatapi.ContactItem) contactKey {
	if ci.Type == chatapi.ContactGroup {
		return contactKey{ci.Type, ci.ToGroupId}
	}
	return contactKey{ci.Type, ci.To_Account}
}

// contactWrite is one request a user's diff asks for, and the Unit.Items it carries.
type contactWrite struct {
	lineage int // index in ContactChanges.Lineages
	create  *chatapi.CreateContactGroupRequest
	update  *chatapi.UpdateContactGroupRequest
	// rows are the items that stand or fall with the request as a whole: a rename's rows; a
	// create's declaring and rename rows (the group is created under its final name).
	rows []int
	// items are the rows of each conversation the request carries, which its per-conversation
	// ResultCode decides.
	items map[contactKey][]int
}

// path is the service path of the write.
func (w *contactWrite) path() string {
	if w.create != nil {
		return chatapi.PathCreateContactGroup
	}
	return chatapi.PathUpdateContactGroup
}

// size is how many conversations the write carries.
func (w *contactWrite) size() int { return len(w.items) }

// contactFail is an item the diff fails without a request: a limit the target's state
// leaves no room for, or a group that is not there to change.
type contactFail struct {
	item int
	code string
	msg  string
}

// contactFailures tells a diff what failed before it: those leave the intended state.
type contactFailures interface {
	itemFailed(item int) bool       // a Unit.Items index
	lineageFailed(lineage int) bool // its create or rename was refused
}

// noFailures is a diff's before when nothing failed.
type noFailures struct{}

func (noFailures) itemFailed(int) bool    { return false }
func (noFailures) lineageFailed(int) bool { return false }

// userDiff is the state the diff walks: the target's groups as the writes so far leave them.
type userDiff struct {
	cc      *ContactChanges
	before  contactFailures // what failed before this diff
	now     map[int]bool    // failed by this diff
	chunk   int
	live    map[string]int              // current name → GroupId; < 0 for a group the diff creates
	members map[int]map[contactKey]bool // GroupId → its conversations on the target
	present map[contactKey]bool         // conversations in any of the user's groups
	groups  int                         // the user's groups
	writes  []contactWrite
	fails   []contactFail
}

// resolved is what the diff decided for one lineage.
type resolved struct {
	skip   bool   // failed or nothing to do
	id     int    // the target's group, when exists
	exists bool   // the target has the group (under from)
	from   string // its name on the target before this diff's renames
	rename string // the name it has when its rename is sent, "" for none
}

// diffContacts returns the writes that take the target tgt (one user's groups) to what cc
// intends, in the order they must be sent, and the items that fail without a request. before
// (nil for nothing) tells what failed already.
//
// A lineage whose final name the user has is updated; one whose earlier name the user has is
// renamed first; one of neither name is created directly under its final name with up to
// chunk conversations, the rest in updates of chunk at most. No request names a group the
// user already has in a create (docs/vendor-api.md, "What the vendor leaves open", question
// 3), adds a conversation the group holds or removes one it does not (question 5). Removes go
// first, so that the conversations they free count for the adds. Past the limits, counted
// with what the target holds, the 21st group fails with 51010 and the 1001st distinct
// conversation with 51008, in input order; a lineage that only removes or renames a group
// the user does not have fails with 51009.
func diffContacts(cc *ContactChanges, tgt *contactPages, before contactFailures, chunk int) ([]contactWrite, []contactFail) {
	if before == nil {
		before = noFailures{}
	}
	chunk = max(1, min(chunk, chatapi.MaxContactsPerRequest))
	d := &userDiff{cc: cc, before: before, now: make(map[int]bool), chunk: chunk, live: make(map[string]int),
		members: make(map[int]map[contactKey]bool), present: make(map[contactKey]bool)}
	ids := tgt.groupIDs()
	d.groups = len(ids)
	for _, id := range ids {
		set := make(map[contactKey]bool)
		for _, ci := range tgt.members[id] {
			k := keyOf(ci)
			set[k] = true
			d.present[k] = true
		}
		d.members[id] = set
		if name, ok := tgt.names[id]; ok {
			if _, taken := d.live[name]; !taken {
				d.live[name] = id // of two groups of one name (ids ascending), the older one
			}
		}
	}
	res := make([]resolved, len(cc.Lineages))
	for i := range cc.Lineages {
		res[i] = d.resolve(i)
	}
	d.removes(res)
	accepted := d.limitAdds(res)
	for i := range cc.Lineages {
		d.lineageWrites(i, res[i], accepted[i])
	}
	return d.writes, d.fails
}

// failed reports whether item failed, before or in this diff.
func (d *userDiff) failed(item int) bool { return d.now[item] || d.before.itemFailed(item) }

// fail fails item, unless it failed already.
func (d *userDiff) fail(item, code int, msg string) {
	d.failWith(item, strconv.Itoa(code), msg)
}

func (d *userDiff) failWith(item int, code, msg string) {
	if !d.failed(item) {
		d.now[item] = true
		d.fails = append(d.fails, contactFail{item, code, msg})
	}
}

// lineageFailed reports whether every row of l failed.
func (d *userDiff) lineageFailed(l *ContactLineage) bool {
	for _, i := range l.Items {
		if !d.failed(i) {
			return false
		}
	}
	return true
}

// opFailed reports whether a row of op failed.
func (d *userDiff) opFailed(op *ContactOp) bool {
	return slices.ContainsFunc(op.Items, d.failed)
}

// failLineage fails every row of lineage i not failed yet.
func (d *userDiff) failLineage(i, code int, msg string) {
	for _, it := range d.cc.Lineages[i].Items {
		d.fail(it, code, msg)
	}
}

// resolve finds lineage i's group among the live names, latest name first, and plays its
// rename or creation on them, so that later lineages see the names as they will be.
func (d *userDiff) resolve(i int) resolved {
	l := &d.cc.Lineages[i]
	if d.lineageFailed(l) || d.before.lineageFailed(i) {
		return resolved{skip: true}
	}
	final := l.Final()
	for j := len(l.Names) - 1; j >= 0; j-- {
		id, ok := d.live[l.Names[j]]
		if !ok {
			continue
		}
		if id < 0 {
			// Another lineage of the input is created under this name: the input's checks
			// rule it out, and creating a second group of one name is never right.
			d.failLineage(i, chatapi.CodeRCBadParam, fmt.Sprintf(
				"not sent: another conversation group of the input ends up named %q", l.Names[j]))
			return resolved{skip: true}
		}
		r := resolved{id: id, exists: true, from: l.Names[j]}
		if j != len(l.Names)-1 {
			r.rename = final
			delete(d.live, l.Names[j])
			d.live[final] = id
		}
		return r
	}
	if !l.Creates {
		d.failLineage(i, chatapi.CodeRCNoGroup, fmt.Sprintf(
			"not sent: the user has no conversation group %q to change, and the input does not create it", l.Names[0]))
		return resolved{skip: true}
	}
	if d.groups >= chatapi.MaxContactGroupsPerUser {
		d.failLineage(i, chatapi.CodeRCTooManyGroups, fmt.Sprintf(
			"not sent: the user would have more than %d conversation groups, counting those the target holds", chatapi.MaxContactGroupsPerUser))
		return resolved{skip: true}
	}
	d.groups++
	d.live[final] = -1 - i
	return resolved{}
}

// removes appends the removes of the lineages whose group exists, under the names the
// target has them by, and takes their conversations out of the state.
func (d *userDiff) removes(res []resolved) {
	for i := range d.cc.Lineages {
		r := res[i]
		if r.skip || !r.exists {
			continue
		}
		var batch *contactWrite
		set := d.members[r.id]
		for _, op := range d.cc.Lineages[i].Ops {
			k := keyOf(op.Contact)
			if !op.Remove || !set[k] || d.opFailed(&op) {
				continue
			}
			if batch == nil || batch.size() == d.chunk {
				d.writes = append(d.writes, contactWrite{lineage: i, items: make(map[contactKey][]int),
					update: chatapi.UpdateContactGroupMembers(d.cc.From_Account, r.from, nil)})
				batch = &d.writes[len(d.writes)-1]
			}
			ug := &batch.update.UpdateGroup
			ug.ContactUpdateItem = append(ug.ContactUpdateItem, chatapi.ContactUpdateItem{ContactOptType: chatapi.ContactOptDelete, ContactItem: op.Contact})
			batch.items[k] = op.Items
			delete(set, k)
		}
	}
	d.present = make(map[contactKey]bool, len(d.present))
	for _, set := range d.members {
		for k := range set {
			d.present[k] = true
		}
	}
}

// limitAdds picks, per lineage, the adds to send (indexes into its Ops): those not failed,
// not in the group already, and within the user's 1000 distinct conversations, counted in
// input order from what the target holds once the removes are done.
func (d *userDiff) limitAdds(res []resolved) [][]int {
	type add struct{ lineage, op int }
	var adds []add
	for i := range d.cc.Lineages {
		if res[i].skip {
			continue
		}
		var set map[contactKey]bool // nil for a group to create
		if res[i].exists {
			set = d.members[res[i].id]
		}
		for j := range d.cc.Lineages[i].Ops {
			op := &d.cc.Lineages[i].Ops[j]
			if !op.Remove && !set[keyOf(op.Contact)] && !d.opFailed(op) {
				adds = append(adds, add{i, j})
			}
		}
	}
	slices.SortStableFunc(adds, func(a, b add) int {
		return d.cc.Lineages[a.lineage].Ops[a.op].last() - d.cc.Lineages[b.lineage].Ops[b.op].last()
	})
	accepted := make([][]int, len(d.cc.Lineages))
	for _, a := range adds {
		op := &d.cc.Lineages[a.lineage].Ops[a.op]
		k := keyOf(op.Contact)
		if !d.present[k] {
			if len(d.present) >= chatapi.MaxContactsPerUser {
				for _, it := range op.Items {
					d.fail(it, chatapi.CodeRCGroupFull, fmt.Sprintf(
						"not sent: the user's conversation groups would hold more than %d distinct conversations, counting those the target holds",
						chatapi.MaxContactsPerUser))
				}
				continue
			}
			d.present[k] = true
		}
		accepted[a.lineage] = append(accepted[a.lineage], a.op)
	}
	for i := range accepted {
		slices.Sort(accepted[i]) // Ops order, which is input order within the lineage
	}
	return accepted
}

// lineageWrites appends lineage i's rename or create and its adds, chunk at a time.
func (d *userDiff) lineageWrites(i int, r resolved, adds []int) {
	if r.skip {
		return
	}
	l := &d.cc.Lineages[i]
	user, name := d.cc.From_Account, l.Final()
	if r.rename != "" {
		d.writes = append(d.writes, contactWrite{lineage: i, rows: l.Renames,
			update: chatapi.RenameContactGroup(user, r.from, r.rename)})
	}
	var batch *contactWrite
	if !r.exists {
		if len(adds) == 0 && !slices.ContainsFunc(l.Declares, func(i int) bool { return !d.failed(i) }) {
			// Every conversation the group was to hold failed: an empty group nobody asked
			// for is not created, and its renames cannot be done.
			for _, it := range l.Renames {
				d.failWith(it, CodeSkippedCreateFailed, "not sent: none of the group's conversations can go in (see their rows)")
			}
			return
		}
		rows := slices.Concat(l.Declares, l.Renames)
		slices.Sort(rows)
		d.writes = append(d.writes, contactWrite{lineage: i, rows: rows, items: make(map[contactKey][]int),
			create: &chatapi.CreateContactGroupRequest{From_Account: user, GroupContactItem: []chatapi.GroupContactItem{
				{GroupName: name, ContactItem: make([]chatapi.ContactItem, 0, min(len(adds), d.chunk))}}}})
		batch = &d.writes[len(d.writes)-1]
	}
	for _, j := range adds {
		op := &l.Ops[j]
		if batch == nil || batch.size() == d.chunk {
			d.writes = append(d.writes, contactWrite{lineage: i, items: make(map[contactKey][]int),
				update: chatapi.UpdateContactGroupMembers(user, name, nil)})
			batch = &d.writes[len(d.writes)-1]
		}
		if batch.create != nil {
			g := &batch.create.GroupContactItem[0]
			g.ContactItem = append(g.ContactItem, op.Contact)
		} else {
			ug := &batch.update.UpdateGroup
			ug.ContactUpdateItem = append(ug.ContactUpdateItem, chatapi.ContactUpdateItem{ContactOptType: chatapi.ContactOptAdd, ContactItem: op.Contact})
		}
		batch.items[keyOf(op.Contact)] = op.Items
	}
}
