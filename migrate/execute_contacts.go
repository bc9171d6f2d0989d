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
		failed: make(map[int]failRecord), applied: make(map[int]bool), dead: make(map[int]bool)}
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

// outcome is the unit's failures in Items order.
func (r *contactRun) outcome() outcome {
	var out outcome
	for _, f := range r.failed {
		out.fails = append(out.fails, f)
	}
	slices.SortFunc(out.fails, func(a, b failRecord) int { return cmp.Compare(a.Index, b.Index) })
	return out
}
