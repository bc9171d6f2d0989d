package migrate

import (
	"context"
	"fmt"

	"github.com/chatmigrate/chatmigrate/sources"
)

// UncreatedGroups calls fn with a Problem for every row that removes from or renames a
// conversation group that no row of the input creates (adds to or declares), and returns how
// many records (rows or lines) hold one. Such a row changes a group the target must already have: a run applies it when the
// user has the group there and fails it with 51009 when not, never creating the group empty.
// Offline, nothing tells which, so validate reports each such row as invalid in its own
// report; the plan keeps it (BuildPlan does not call these problems), since a run must still
// be able to rename a group that exists on the target.
func (p *Plan) UncreatedGroups(ctx context.Context, fn func(Problem)) (int, error) {
	records := make(map[sources.Pos]bool)
	err := p.Units(ctx, sources.ContactGroups, func(u *Unit) error {
		for _, l := range u.Contacts.Lineages {
			if l.Creates {
				continue
			}
			for _, i := range l.Items {
				it := u.Items[i]
				fn(Problem{Kind: sources.ContactGroups, Pos: it.Pos, Field: "GroupName",
					Reason: fmt.Sprintf("conversation group %q is only %s, never added to or declared: it must exist on the target for %s "+
						"(a run fails this row with 51009 if it does not, and never creates the group)", l.Names[0], changeVerb(l), u.Key),
					Item: it})
				records[it.Pos] = true
			}
		}
		return nil
	})
	return len(records), err
}

// changeVerb says what the input does to the group of l.
func changeVerb(l ContactLineage) string {
	switch {
	case len(l.Renames) == 0:
		return "removed from"
	case len(l.Renames) == len(l.Items):
		return "renamed"
	}
	return "removed from and renamed"
}
