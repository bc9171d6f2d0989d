package migrate

import (
	"maps"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// The statuses of diff.csv (docs/contract.md, "Output").
const (
	DiffMissing = "missing" // the input has it, the target does not
	DiffExtra   = "extra"   // the target has it in a group or for a user the input covers, the input does not
	DiffDiffers = "differs" // both have it, with a different field value
)

// Diff is one row of diff.csv: one difference between the input's intended end state and
// what the target holds. Which columns a row fills depends on its kind:
//
//   - topics: GroupId is the Community group; GroupName holds the TopicName (the input's,
//     or the target's for an extra topic), Member the TopicId when one is known; a differing
//     field names Field (TopicName, CustomString, FaceUrl, Notification, Introduction,
//     CreateTime) with Want and Got. From_Account is the input row's, if any.
//   - friend and conversation groups: From_Account and GroupName name the group; a whole
//     group missing or extra leaves Member empty; a single member missing from or extra in a
//     group both sides have fills Member with its ID and Field with the name of that ID's
//     column in the input (To_Account, or ToGroupId for a group conversation).
type Diff struct {
	Kind         sources.Kind
	Status       string
	From_Account string
	GroupId      string
	GroupName    string
	Member       string
	Field        string
	Want, Got    string
}

// row is the diff.csv row of d.
func (d *Diff) row() []string {
	return []string{string(d.Kind), d.Status, d.From_Account, d.GroupId, d.GroupName, d.Member, d.Field, d.Want, d.Got}
}

// checkResult is what comparing one Community group's topics, or one user's groups, found.
// Checked counts the topics or groups the input defines there, Equal those found exactly as
// intended; every difference is one Diff; missing holds the lines of missing_<kind>.jsonl.
type checkResult struct {
	checked, equal int
	diffs          []Diff
	missing        []inputLine
}

// count adds the diffs of one status.
func (r *checkResult) count(status string) int {
	n := 0
	for i := range r.diffs {
		if r.diffs[i].Status == status {
			n++
		}
	}
	return n
}

// diffFriendGroups compares a user's friend groups in the input (group → sorted members, [] for
// an empty group) with sns/group_get's answer, by diffGroups's rules. The missing lines add
// exactly what lacks: a run of them reads the target first and leaves what is there alone.
func diffFriendGroups(user string, want map[string][]string, got []chatapi.FriendGroupInfo) checkResult {
	have := make(map[string]map[string]bool, len(got))
	for _, g := range got {
		set := have[g.GroupName]
		if set == nil {
			set = make(map[string]bool, len(g.To_Account))
			have[g.GroupName] = set
		}
		for _, m := range g.To_Account {
			set[m] = true
		}
	}
	return diffGroups(user, want, have, groupRules[string]{
		kind: sources.FriendGroups,
		diff: func(status, user, group, m string) Diff {
			return Diff{Kind: sources.FriendGroups, Status: status, From_Account: user, GroupName: group,
				Member: m, Field: "To_Account"}
		},
		sorted:  func(ms []string) []string { slices.Sort(ms); return ms },
		missing: func(user, group string, ms []string) inputLine { return friendGroupInputOf(user, group, ms) },
	})
}

// diffContactGroups compares a user's conversation groups in the input (final name after
// renames → conversations after removals) with what get_contact_group's pages hold (name →
// conversations), by diffGroups's rules. A missing group's line creates it with all its
// conversations; a group that lacks some gets a line adding just those (update_contact_group
// adds into an existing group).
func diffContactGroups(user string, want, got map[string][]chatapi.ContactItem) checkResult {
	have := make(map[string]map[chatapi.ContactItem]bool, len(got))
	for name, cs := range got {
		set := make(map[chatapi.ContactItem]bool, len(cs))
		for _, c := range cs {
			set[c] = true
		}
		have[name] = set
	}
	return diffGroups(user, want, have, groupRules[chatapi.ContactItem]{
		kind:   sources.ContactGroups,
		diff:   contactDiff,
		sorted: sortedContactItems,
		missing: func(user, group string, cs []chatapi.ContactItem) inputLine {
			return contactGroupInputOf(user, group, cs)
		},
	})
}

// onlyIfThere leaves out of want the groups the input only changes (changeOnly: it removes
// from them or renames them, and adds nothing) that the target does not have: a run fails
// their rows (51009) rather than create them, so they are not missing. Those the target has
// are compared as any other.
func onlyIfThere(want, got map[string][]chatapi.ContactItem, changeOnly map[string]bool) map[string][]chatapi.ContactItem {
	if len(changeOnly) == 0 {
		return want
	}
	out := make(map[string][]chatapi.ContactItem, len(want))
	for name, cs := range want {
		if _, there := got[name]; there || !changeOnly[name] {
			out[name] = cs
		}
	}
	return out
}

// groupRules are what diffGroups needs of a kind of group with members M.
type groupRules[M comparable] struct {
	kind    sources.Kind
	diff    func(status, user, group string, m M) Diff // the row of one missing or extra member
	sorted  func([]M) []M                              // members in the order their rows go
	missing func(user, group string, ms []M) inputLine // the missing_<kind>.jsonl line adding ms
}

// diffGroups compares a user's groups in the input (group → members) with the target's
// (group → member set). A group the target lacks is one missing row, a group the input never
// names one extra row (the user is covered by the input, so all of the user's groups are
// compared); in a group both have, each missing or extra member is a row. Groups go in name
// order.
func diffGroups[M comparable](user string, want map[string][]M, have map[string]map[M]bool, r groupRules[M]) checkResult {
	res := checkResult{checked: len(want)}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		members := want[name]
		set, ok := have[name]
		if !ok {
			res.diffs = append(res.diffs, Diff{Kind: r.kind, Status: DiffMissing, From_Account: user, GroupName: name})
			res.missing = append(res.missing, r.missing(user, name, members))
			continue
		}
		var lack []M
		wanted := make(map[M]bool, len(members))
		for _, m := range members {
			wanted[m] = true
			if !set[m] {
				lack = append(lack, m)
				res.diffs = append(res.diffs, r.diff(DiffMissing, user, name, m))
			}
		}
		extra := 0
		for _, m := range r.sorted(slices.Collect(maps.Keys(set))) {
			if !wanted[m] {
				extra++
				res.diffs = append(res.diffs, r.diff(DiffExtra, user, name, m))
			}
		}
		if len(lack) > 0 {
			res.missing = append(res.missing, r.missing(user, name, lack))
		}
		if len(lack) == 0 && extra == 0 {
			res.equal++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[name]; !ok {
			res.diffs = append(res.diffs, Diff{Kind: r.kind, Status: DiffExtra, From_Account: user, GroupName: name})
		}
	}
	return res
}

func contactDiff(status, user, group string, c chatapi.ContactItem) Diff {
	return Diff{Kind: sources.ContactGroups, Status: status, From_Account: user, GroupName: group,
		Member: contactTarget(c), Field: contactField(c)}
}

func sortedContactItems(cs []chatapi.ContactItem) []chatapi.ContactItem {
	out := slices.Clone(cs)
	slices.SortFunc(out, compareContacts)
	return slices.Compact(out)
}
