package migrate

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// contacts predicts the conversation groups: a user not imported fails whole (50001, as the
// run's get_contact_group would answer); else the user's groups are read as the run reads
// them (readContactPages) and diffed as the run diffs them (diffContacts): the limits counted
// with what the target holds (51010, 51008), a change of a group the user lacks (51009). A
// group conversation the diff would add needs the user in the group: get_role_in_group reads
// the roles, 500 users of one group a request, while the users are read, and a user who is
// not a member (or a group that does not exist) fails those rows with 51007.
func (pr *predictor) contacts(ctx context.Context) error {
	roles := &contactRoles{need: make(map[string][]string)}
	// The roles are read at the same time as the users, on their own endpoint; the rows
	// that wait for them are judged once both are done.
	var rolesErr error
	var wg sync.WaitGroup
	collected := make(chan struct{})
	wg.Go(func() {
		<-collected
		rolesErr = pr.readRoles(ctx, roles)
	})
	err := pr.p.Units(ctx, sources.ContactGroups, func(u *Unit) error {
		for _, l := range u.Contacts.Lineages {
			for _, op := range l.Ops {
				if !op.Remove && op.Contact.Type == chatapi.ContactGroup {
					roles.need[op.Contact.ToGroupId] = append(roles.need[op.Contact.ToGroupId], u.Key)
				}
			}
		}
		return nil
	})
	close(collected)
	if err == nil {
		err = pr.perUser(ctx, sources.ContactGroups, chatapi.CodeRCNoUser, func(ctx context.Context, u *Unit) error {
			return pr.contactUser(ctx, u, roles)
		})
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if rolesErr != nil {
		if serr := stopError(ctx, rolesErr); serr != nil {
			return serr
		}
	}
	return roles.judge(pr, rolesErr)
}

// contactRoles are the memberships the conversation groups need, and what the target says.
type contactRoles struct {
	need map[string][]string // ToGroupId → users with an add of it (repeats allowed)

	mu      sync.Mutex
	member  map[string]map[string]bool // ToGroupId → user → a member (Owner, Admin, Member)
	missing map[string]bool            // ToGroupId → get_role_in_group answered 10010
	failed  map[string]error           // ToGroupId → the read failed otherwise
	waiting []waitingRows              // rows judged when the roles are in
}

// waitingRows are the rows of one group conversation a user's diff adds.
type waitingRows struct {
	kind  sources.Kind
	user  string
	group string
	items []Item
}

// readRoles reads every needed role, a group at a time, MaxRoleInGroupUsers users a request.
func (pr *predictor) readRoles(ctx context.Context, r *contactRoles) error {
	r.member, r.missing, r.failed = make(map[string]map[string]bool), make(map[string]bool), make(map[string]error)
	g, gctx := pr.pool(ctx)
	for gid, users := range r.need {
		slices.Sort(users)
		users = slices.Compact(users)
		for part := range slices.Chunk(users, chatapi.MaxRoleInGroupUsers) {
			if err := gctx.Err(); err != nil {
				break
			}
			g.Go(func() error {
				req := &chatapi.GetRoleInGroupRequest{GroupId: gid, User_Account: part}
				var resp *chatapi.GetRoleInGroupResponse
				err := pr.c.Do(gctx, chatapi.PathGetRoleInGroup, pacer.Capture(&resp, pr.opt.API.GetRoleInGroup, req))
				r.mu.Lock()
				defer r.mu.Unlock()
				switch {
				case apiCode(err) == chatapi.CodeGroupMissing:
					r.missing[gid] = true
				case err != nil:
					if serr := stopError(gctx, err); serr != nil {
						return serr
					}
					r.failed[gid] = err
				default:
					m := r.member[gid]
					if m == nil {
						m = make(map[string]bool)
						r.member[gid] = m
					}
					for _, mr := range resp.UserIdList {
						m[mr.Member_Account] = mr.Role != chatapi.RoleNotMember
					}
				}
				return nil
			})
		}
	}
	return g.Wait()
}

// judge predicts the waiting rows: 51007 for a user outside the group or a group that does
// not exist; unread when the group's roles could not be read.
func (r *contactRoles) judge(pr *predictor, all error) error {
	for _, w := range r.waiting {
		switch {
		case all != nil || r.failed[w.group] != nil:
			pr.counts[w.kind].unread.Add(int64(len(w.items)))
			continue
		case r.missing[w.group]:
			for _, it := range w.items {
				if err := pr.predict(w.kind, it, fmt.Sprint(chatapi.CodeRCLookupFailed), "the group does not exist (get_role_in_group)"); err != nil {
					return err
				}
			}
		case !r.member[w.group][w.user]:
			for _, it := range w.items {
				if err := pr.predict(w.kind, it, fmt.Sprint(chatapi.CodeRCLookupFailed), "From_Account is not a member of the group (get_role_in_group)"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (pr *predictor) contactUser(ctx context.Context, u *Unit, roles *contactRoles) error {
	cc := u.Contacts
	tgt, err := readContactPages(ctx, pr.c, pr.opt.API, cc.From_Account)
	if err != nil {
		return pr.readFailed(ctx, u, err)
	}
	writes, fails := diffContacts(cc, tgt, noFailures{}, pr.p.contactChunk())
	failed := make([]bool, len(u.Items))
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for _, f := range fails {
		failed[f.item] = true
		if err := pr.predict(u.Kind, u.Items[f.item], f.code, f.msg); err != nil {
			return err
		}
	}
	var wait []waitingRows
	need := make(map[int]bool)
	for i := range writes {
		w := &writes[i]
		neededRows(cc, w, need) // present is what the run counts as skipped
		for k, items := range w.items {
			if k.typ == chatapi.ContactGroup && adds(w) {
				rows := make([]Item, len(items))
				for j, it := range items {
					rows[j] = u.Items[it]
				}
				wait = append(wait, waitingRows{kind: u.Kind, user: cc.From_Account, group: k.id, items: rows})
			}
		}
	}
	pr.present(u.Kind, contactSkipped(cc, u.Items, need, func(i int) bool { return failed[i] }))
	roles.mu.Lock()
	roles.waiting = append(roles.waiting, wait...)
	roles.mu.Unlock()
	return nil
}

// adds reports whether w puts its conversations in (a create, or an update's adds) rather
// than takes them out.
func adds(w *contactWrite) bool {
	if w.create != nil {
		return true
	}
	items := w.update.UpdateGroup.ContactUpdateItem
	return len(items) > 0 && items[0].ContactOptType == chatapi.ContactOptAdd
}
