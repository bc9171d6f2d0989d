package migrate

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// Codes of the vendor's "request too big" class (docs/vendor-api.md, "Error classes"): the
// request is split and sent again, never dropped.
const (
	codeAnswerTooLong   = 10018
	codeTooManyContacts = 51006
)

// msgNotSettled is the failure of the writes left when a user's answers were lost too often.
const msgNotSettled = "not settled: the answers of this user's writes were lost too often; " +
	"a rerun that retries the failed reads the target again"

// runContacts executes one user's conversation-group unit. It reads what the user has on the
// target, diffs the unit's intended changes against it (diffContacts) and sends the writes the
// diff asks for, one at a time, so that at most one write per user is in flight. When a
// write's answer is lost, nothing is resent blindly: the loop reads the target again and
// diffs anew, so that whatever the lost write did (all or nothing: docs/vendor-api.md, "What
// the vendor leaves open", question 7), no group is created twice and nothing depends on
// how the service answers a repeat. A unit found in doubt on resume is simply run again:
// it starts with a read.
func (e *executor) runContacts(ctx context.Context, u *Unit) (outcome, error) {
	r := &contactRun{e: e, u: u, chunk: e.p.contactChunk(),
		failed: make(map[int]failRecord), applied: make(map[int]bool), dead: make(map[int]bool),
		needed: make(map[int]bool)}
	// Lost answers are settled by reading, at most maxSettles times plus once per write of
	// the first diff: enough for a service that loses many answers, and an end for one that
	// loses every answer.
	doubts, maxDoubts := 0, -1
	for {
		tgt, err := readContactPages(ctx, e.c, e.opt.API, u.Contacts.From_Account)
		if err != nil {
			return r.failRest(ctx, err)
		}
		writes, fails := diffContacts(u.Contacts, tgt, r, r.chunk)
		for i := range writes {
			neededRows(u.Contacts, &writes[i], r.needed)
		}
		if maxDoubts < 0 {
			maxDoubts = maxSettles + len(writes)
		}
		for _, f := range fails {
			r.fail(f.item, f.code, f.msg)
		}
		again := false
		for i := range writes {
			w := &writes[i]
			if r.dead[w.lineage] {
				continue // its create or rename failed in this round
			}
			res, err := r.send(ctx, w)
			var gu *pacer.GiveUpError
			switch {
			case err == nil:
				r.results(w, res)
				continue
			case errors.As(err, &gu):
				if doubts >= maxDoubts {
					code, _ := failureCode(gu.Err)
					for j := range writes[i:] {
						r.failWrite(&writes[i+j], code, msgNotSettled)
					}
					return r.outcome(), nil
				}
				doubts++
				e.c.CountRetry(w.path())
				again = true
			case isTooBig(err) && w.size() > 1:
				r.chunk = w.size() / 2 // nothing was applied: diff again with smaller requests
				again = true
			default:
				if serr := stopError(ctx, err); serr != nil {
					return outcome{}, serr
				}
				code, msg := failureCode(err)
				r.failWrite(w, code, msg)
				continue
			}
			break
		}
		if !again {
			return r.outcome(), nil
		}
	}
}

// isTooBig reports whether err is the service refusing a request as too big.
func isTooBig(err error) bool {
	switch apiCode(err) {
	case codeAnswerTooLong, codeTooManyContacts:
		return true
	}
	return false
}

// contactRun is the state of one run of a user's unit, across its rounds of read and write.
type contactRun struct {
	e       *executor
	u       *Unit
	chunk   int
	failed  map[int]failRecord // Unit.Items index → its failure; the first one stands
	applied map[int]bool       // items a write carried that the service answered OK
	needed  map[int]bool       // items a diff of this run wrote or meant to (neededRows)
	dead    map[int]bool       // lineages whose create or rename was refused
}

func (r *contactRun) itemFailed(item int) bool {
	_, ok := r.failed[item]
	return ok
}

func (r *contactRun) lineageFailed(i int) bool { return r.dead[i] }

// fail records item's failure, unless it failed already.
func (r *contactRun) fail(item int, code, msg string) {
	if _, ok := r.failed[item]; !ok {
		r.failed[item] = failRecord{Index: item, Code: code, Msg: msg, Item: toItemRecord(r.u.Items[item])}
	}
}

// send sends one write through the pacer and returns its per-conversation results. An answer
// lost after the request went out comes back as a *pacer.GiveUpError, not retried: the
// caller reads the target before anything is sent again.
func (r *contactRun) send(ctx context.Context, w *contactWrite) ([]chatapi.ContactResultItem, error) {
	var results []chatapi.ContactResultItem
	api := r.e.opt.API
	err := r.e.c.Do(ctx, w.path(), r.e.sending(r.u, func(ctx context.Context) error {
		var err error
		if w.create != nil {
			var resp *chatapi.CreateContactGroupResponse
			if resp, err = api.CreateContactGroup(ctx, w.create); err == nil {
				results = results[:0]
				for _, g := range resp.GroupResultItem {
					results = append(results, g.ResultItem...)
				}
			}
		} else {
			var resp *chatapi.UpdateContactGroupResponse
			if resp, err = api.UpdateContactGroup(ctx, w.update); err == nil {
				results = resp.UpdateGroupResult.ContactResultItem
			}
		}
		if err != nil && inDoubt(err) {
			return pacer.GiveUp(err)
		}
		return err
	}))
	return results, err
}

// results records a write's answer: a conversation with a non-zero ResultCode fails its
// rows; the others, and the write's own rows, are applied. A conversation without a result
// went in with its request (the vendor is silent on it; the emulator answers each).
func (r *contactRun) results(w *contactWrite, res []chatapi.ContactResultItem) {
	bad := make(map[contactKey]chatapi.ContactResultItem)
	for _, ri := range res {
		if ri.ResultCode != 0 {
			bad[keyOf(ri.ContactItem)] = ri
		}
	}
	for k, items := range w.items {
		ri, failed := bad[k]
		for _, it := range items {
			if failed {
				r.fail(it, strconv.Itoa(ri.ResultCode), ri.ResultInfo)
			} else {
				r.applied[it] = true
			}
		}
	}
	for _, it := range w.rows {
		r.applied[it] = true
	}
}

// failWrite fails what a write carries. A create or rename refused as a whole fails its
// lineage: the rows that were not applied before fail as skipped, pointing at its row.
func (r *contactRun) failWrite(w *contactWrite, code, msg string) {
	for _, it := range w.rows {
		r.fail(it, code, msg)
	}
	for _, items := range w.items {
		for _, it := range items {
			r.fail(it, code, msg)
		}
	}
	whole := w.create != nil || w.update.UpdateGroup.UpdateGroupType == chatapi.UpdateGroupRename
	if !whole {
		return
	}
	r.dead[w.lineage] = true
	skipped, why := CodeSkippedCreateFailed, "not sent: the create of this group failed (see its row)"
	if w.create == nil {
		skipped, why = CodeSkippedRenameFailed, "not sent: the rename of this group failed (see its row)"
	}
	for _, it := range r.u.Contacts.Lineages[w.lineage].Items {
		if !r.applied[it] {
			r.fail(it, skipped, why)
		}
	}
}

// failRest ends the unit on an error outside any one write (a read that failed): the items
// not applied yet fail with its code. A fatal error, the end of ctx or a local failure is
// returned instead, and the unit stays as the journal has it, for a rerun.
func (r *contactRun) failRest(ctx context.Context, err error) (outcome, error) {
	if serr := stopError(ctx, err); serr != nil {
		return outcome{}, serr
	}
	code, msg := failureCode(err)
	for i := range r.u.Items {
		if !r.applied[i] {
			r.fail(i, code, msg)
		}
	}
	return r.outcome(), nil
}

// outcome is the unit's failures in Items order, and the count of its skipped rows.
func (r *contactRun) outcome() outcome {
	out := outcome{skipped: contactSkipped(r.u.Contacts, r.u.Items, r.needed, r.itemFailed)}
	for _, f := range r.failed {
		out.fails = append(out.fails, f)
	}
	slices.SortFunc(out.fails, func(a, b failRecord) int { return cmp.Compare(a.Index, b.Index) })
	return out
}

// Which conversation-group rows are skipped: those whose state the target held when the unit
// first read it, so that no write of the run is for them. A row a diff of the run carries
// in a write needs one (neededRows) and succeeds unless it fails, even when a lost answer
// is settled by the next read finding it applied. The others:
//
//   - an add whose conversation the group held already, a remove whose conversation it did
//     not hold, a row declaring a group the user has: skipped. A remove from a group the
//     run creates succeeds with the create, which makes the group without it; a lineage
//     that needs no create (its adds are all undone) and no other write is skipped whole;
//   - a rename row: a rename goes straight to the final name and carries every rename row
//     of its group, but a row whose new name the group had on the target already, or had
//     passed, is skipped; a group created under its final name succeeds with all of them;
//   - a row that a later row of the same conversation overrides (an add a later remove
//     undoes, a remove a later add undoes): it counts as the rows that decide the
//     conversation, skipped only when all of those are.

// neededRows marks in need the Unit.Items indexes of cc whose state write w makes.
func neededRows(cc *ContactChanges, w *contactWrite, need map[int]bool) {
	if w.update != nil && w.update.UpdateGroup.UpdateGroupType == chatapi.UpdateGroupRename {
		l := &cc.Lineages[w.lineage]
		// The latest of the lineage's names that the rename starts from, as diffContacts
		// picks it; Renames[k] is the row that gives the group Names[k+1].
		from := len(l.Names) - 1
		for from > 0 && l.Names[from] != w.update.UpdateGroup.OldGroupName {
			from--
		}
		for k, it := range l.Renames {
			if k+1 > from {
				need[it] = true
			}
		}
		return
	}
	for _, it := range w.rows {
		need[it] = true
	}
	for _, items := range w.items {
		for _, it := range items {
			need[it] = true
		}
	}
	if w.create != nil { // the group is created without the conversations its lineage removes
		for _, op := range cc.Lineages[w.lineage].Ops {
			if op.Remove {
				for _, it := range op.Items {
					need[it] = true
				}
			}
		}
	}
}

// contactSkipped counts the rows of cc (whose Unit.Items are items) that are skipped: not
// failed, not needed, and, for a row a later one overrides, with its conversation's deciding
// rows all skipped as well.
func contactSkipped(cc *ContactChanges, items []Item, need map[int]bool, failed func(int) bool) int {
	skip := func(i int) bool { return !need[i] && !failed(i) }
	n := 0
	for li := range cc.Lineages {
		l := &cc.Lineages[li]
		own := make(map[int]bool, len(l.Items)) // rows that decide for themselves
		for _, it := range slices.Concat(l.Declares, l.Renames) {
			own[it] = true
		}
		decided := make(map[contactKey]bool, len(l.Ops)) // conversation → all its deciding rows skip
		for _, op := range l.Ops {
			all := true
			for _, it := range op.Items {
				own[it] = true
				all = all && skip(it)
			}
			decided[keyOf(op.Contact)] = all
		}
		for _, it := range l.Items {
			if !skip(it) {
				continue
			}
			if own[it] || decided[keyOf(contactOf(items[it]))] {
				n++
			}
		}
	}
	return n
}

// contactOf returns the conversation an add or remove row names.
func contactOf(it Item) chatapi.ContactItem {
	return chatapi.ContactItem{Type: it.Type, To_Account: it.To_Account, ToGroupId: it.ToGroupId}
}
