package migrate

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// runFriends makes the target hold one user's intended friend groups (u.Friends) on top of
// what it already holds. It reads the user's groups with their friends (sns/group_get), diffs
// them with the intent (plan_friends_diff.go) and sends the writes one after the other. A
// write whose answer was lost sends it back to the read, never to a blind resend, so that no
// answer code has to mean "already there" (docs/vendor-api.md, "What the vendor leaves
// open"). Failed items are recorded and leave the intent; the unit ends when nothing but
// them is missing. A unit left in doubt by a stopped run is simply run again: it reads first.
func (e *executor) runFriends(ctx context.Context, u *Unit) (outcome, error) {
	r := newFriendRun(e, u)
	var lost *lostWrite
	for settles := 0; ; settles++ {
		if err := r.read(ctx); err != nil {
			return r.stop(ctx, err)
		}
		if settles == 0 {
			r.before = r.tgt.clone()
		}
		if settles > maxSettles {
			// The answers kept getting lost: what is still missing fails with the last loss.
			r.failMissing(lost.err)
			return r.outcome(), nil
		}
		r.resent = lost
		var err error
		if lost, err = r.settle(ctx); err != nil || lost == nil {
			return r.outcome(), err
		}
	}
}

// friendRun is one execution of a friend-groups unit.
type friendRun struct {
	e  *executor
	u  *Unit
	fg *FriendGroups

	want []uint32 // fg.Want less the memberships that failed
	live uint32   // fg's groups still intended: a group whose create failed leaves
	lim  friendLimits
	// tgt is the target as last read, with the answered writes since then applied to it;
	// others names its groups the unit does not (bit 32+j is others[j]).
	tgt    friendTarget
	others []string
	// before is the target as the unit's first read found it, before any write of this run:
	// what it held already is skipped, not succeeded (outcome).
	before friendTarget

	item   map[int64]int // group<<32 | friend+1 → index in u.Items
	fails  map[int]failRecord
	resent *lostWrite // the lost write the current round settles, for the retry count
}

// lostWrite is a write whose answer was lost: the endpoint and the error.
type lostWrite struct {
	endpoint string
	err      error
}

func newFriendRun(e *executor, u *Unit) *friendRun {
	fg := u.Friends
	r := &friendRun{e: e, u: u, fg: fg, want: slices.Clone(fg.Want), live: uint32(1)<<len(fg.Groups) - 1,
		lim: vendorFriendLimits, item: make(map[int64]int, len(u.Items)), fails: make(map[int]failRecord)}
	group := make(map[string]int, len(fg.Groups))
	for g, name := range fg.Groups {
		group[name] = g
	}
	for i, it := range u.Items {
		f := -1
		if it.To_Account != "" {
			f, _ = slices.BinarySearch(fg.Friends, it.To_Account)
		}
		r.item[itemKeyOf(group[it.GroupName], f)] = i
	}
	return r
}

func itemKeyOf(group, friend int) int64 { return int64(group)<<32 | int64(friend+1) }

// read reads the user's friend groups with their friends into r.tgt (readFriendGroups).
func (r *friendRun) read(ctx context.Context) error {
	groups, err := readFriendGroups(ctx, r.e.c, r.e.opt.API, r.fg.From_Account)
	if err != nil {
		return err
	}
	t, others, err := targetOf(r.fg, groups)
	if err != nil {
		return err
	}
	r.tgt, r.others = t, others
	return nil
}

// targetOf puts what sns/group_get answered in fg's terms: the unit's groups keep their bits,
// the target's others take bit 32 and up, in the answer's order.
func targetOf(fg *FriendGroups, groups []chatapi.FriendGroupInfo) (friendTarget, []string, error) {
	bit := make(map[string]int, len(fg.Groups))
	for g, name := range fg.Groups {
		bit[name] = g
	}
	t := friendTarget{have: make([]uint64, len(fg.Friends))}
	var others []string
	for _, gi := range groups {
		g, known := bit[gi.GroupName]
		if !known {
			if len(others) == chatapi.MaxFriendGroupsPerUser {
				return friendTarget{}, nil, fmt.Errorf("%s: %q has more than %d friend groups", chatapi.PathGroupGet, fg.From_Account, chatapi.MaxFriendGroupsPerUser)
			}
			g = 32 + len(others)
			others = append(others, gi.GroupName)
			bit[gi.GroupName] = g
		}
		t.exists |= 1 << g
		for _, to := range gi.To_Account {
			if i, ok := slices.BinarySearch(fg.Friends, to); ok {
				t.have[i] |= 1 << g
			}
		}
	}
	return t, others, nil
}

// clone returns a copy of t that the writes applied to t afterwards leave as it is.
func (t *friendTarget) clone() friendTarget {
	return friendTarget{exists: t.exists, have: slices.Clone(t.have)}
}

// settle diffs and sends until nothing is missing but failed items, or a write's answer is
// lost (returned: the caller reads again). An error stops the run.
func (r *friendRun) settle(ctx context.Context) (*lostWrite, error) {
	for pass := 0; ; pass++ {
		if pass == maxFriendPasses {
			r.failMissing(errFriendsUnsettled)
			return nil, nil
		}
		c := classify(r.want, r.live, &r.tgt, r.lim)
		if c.over != 0 {
			r.failGroups(c.over, strconv.Itoa(chatapi.CodeSNSGroupLimit),
				fmt.Sprintf("not sent: with the groups the target holds, the user would have more than %d", chatapi.MaxFriendGroupsPerUser))
		}
		ws := c.plan(r.fg.Carry, r.lim)
		if len(ws) == 0 {
			return nil, nil
		}
		if r.resent != nil {
			r.e.c.CountRetry(r.resent.endpoint)
			r.resent = nil
		}
		for _, w := range ws {
			var next writeNext
			var err error
			if w.create != 0 {
				next, err = r.groupAdd(ctx, w)
			} else {
				next, err = r.friendUpdate(ctx, w, c)
			}
			if err != nil {
				return nil, err
			}
			if next.lost != nil {
				return next.lost, nil
			}
			if next.replan {
				break
			}
		}
	}
}

// maxFriendPasses bounds the diffs of one read. Every pass but the last ends in a failure
// taken out of the intent or in a smaller limit, so a few dozen are the most a user needs;
// more would be a bug in the diff, which must not loop for ever.
const maxFriendPasses = 100

var errFriendsUnsettled = errors.New("friend groups: the writes did not close the difference (a bug: please report it)")

// writeNext is what follows a write: the next write of the diff, a new diff (replan: a
// write failed whole or was too big), or a read (lost: its answer was lost).
type writeNext struct {
	replan bool
	lost   *lostWrite
}

// groupAdd sends one sns/group_add: it creates w.create and puts the friends it carries in.
func (r *friendRun) groupAdd(ctx context.Context, w friendWrite) (writeNext, error) {
	req := r.addRequest(w)
	var resp *chatapi.GroupAddResponse
	err := r.e.c.Do(ctx, chatapi.PathGroupAdd, r.e.sending(r.u, settling(&resp, r.e.opt.API.GroupAdd, req)))
	if err == nil {
		r.tgt.exists |= uint64(w.create)
		failed := friendResults(resp.ResultItem, resp.Fail_Account)
		for _, f := range w.friends {
			if res, bad := failed[r.fg.Friends[f]]; bad {
				r.failFriend(int(f), w.create, strconv.Itoa(res.ResultCode), res.ResultInfo)
			} else {
				r.tgt.have[f] |= uint64(w.create)
			}
		}
		return writeNext{}, nil
	}
	if next, done := r.unanswered(ctx, chatapi.PathGroupAdd, err); done {
		return next, r.stopErr(ctx, err)
	}
	if chatapi.IsTooBig(err) {
		// Split: fewer friends on the create (the rest go with friend_update), else fewer
		// groups per create. Each group is still created by one request only.
		switch n := bits.OnesCount32(w.create); {
		case len(w.friends) > 0:
			r.lim.carry = len(w.friends) / 2
			return writeNext{replan: true}, nil
		case n > 1:
			r.lim.names = n / 2
			return writeNext{replan: true}, nil
		}
	}
	code, msg := failureCode(err)
	r.failGroups(w.create, code, msg)
	return writeNext{replan: true}, nil
}

// friendUpdate sends one sns/friend_update: it puts the friends of w into the groups they miss.
func (r *friendRun) friendUpdate(ctx context.Context, w friendWrite, c *friendClasses) (writeNext, error) {
	req := r.updateRequest(w, c)
	var resp *chatapi.FriendUpdateResponse
	err := r.e.c.Do(ctx, chatapi.PathFriendUpdate, r.e.sending(r.u, settling(&resp, r.e.opt.API.FriendUpdate, req)))
	if err == nil {
		failed := friendResults(resp.ResultItem, resp.Fail_Account)
		for _, f := range w.friends {
			if res, bad := failed[r.fg.Friends[f]]; bad {
				r.failFriend(int(f), c.missing[f], strconv.Itoa(res.ResultCode), res.ResultInfo)
			} else {
				r.tgt.have[f] |= uint64(c.missing[f])
			}
		}
		return writeNext{}, nil
	}
	if next, done := r.unanswered(ctx, chatapi.PathFriendUpdate, err); done {
		return next, r.stopErr(ctx, err)
	}
	if chatapi.IsTooBig(err) && len(w.friends) > 1 {
		r.lim.update = len(w.friends) / 2
		return writeNext{replan: true}, nil
	}
	code, msg := failureCode(err)
	for _, f := range w.friends {
		r.failFriend(int(f), c.missing[f], code, msg)
	}
	return writeNext{replan: true}, nil
}

// unanswered handles the failures of a write that are not the items': an answer lost (read
// again) or an error that stops the run. done is false for a failure of the request itself.
func (r *friendRun) unanswered(ctx context.Context, endpoint string, err error) (next writeNext, done bool) {
	var gu *pacer.GiveUpError
	if errors.As(err, &gu) {
		return writeNext{lost: &lostWrite{endpoint, gu.Err}}, true
	}
	return writeNext{}, r.stopErr(ctx, err) != nil
}

// stopErr returns err when it stops the run (a fatal answer, a local failure, ctx's end), else
// nil. The unit then stays as the journal has it, for a rerun to run again.
func (r *friendRun) stopErr(ctx context.Context, err error) error {
	var fe *pacer.FatalError
	var le *localError
	var gu *pacer.GiveUpError
	switch {
	case errors.As(err, &gu):
		return nil
	case errors.As(err, &fe) || errors.As(err, &le):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return nil
}

// stop ends the unit after a read failed: a stop of the run is returned, any other failure
// fails what is still missing as far as the last read and the answers since tell.
func (r *friendRun) stop(ctx context.Context, err error) (outcome, error) {
	if serr := r.stopErr(ctx, err); serr != nil {
		return outcome{}, serr
	}
	r.failMissing(err)
	return r.outcome(), nil
}

// addRequest builds the sns/group_add of w.
func (r *friendRun) addRequest(w friendWrite) *chatapi.GroupAddRequest {
	req := &chatapi.GroupAddRequest{From_Account: r.fg.From_Account, GroupName: r.groupNames(uint64(w.create))}
	if len(w.friends) > 0 {
		req.To_Account = r.friendNames(w.friends)
	}
	return req
}

// updateRequest builds the sns/friend_update of w: each friend's Tag_SNS_IM_Group is its
// complete intended list, the groups the target has it in and the input's, so that replacing
// the list and adding it come to the same.
func (r *friendRun) updateRequest(w friendWrite, c *friendClasses) *chatapi.FriendUpdateRequest {
	req := &chatapi.FriendUpdateRequest{From_Account: r.fg.From_Account, UpdateItem: make([]chatapi.FriendUpdateItem, len(w.friends))}
	for k, f := range w.friends {
		list := r.tgt.in(int(f)) | uint64(r.want[f]&r.live&^c.over)
		req.UpdateItem[k] = chatapi.FriendUpdateItem{To_Account: r.fg.Friends[f],
			SnsItem: []chatapi.SnsItem{chatapi.FriendGroupsItem(r.groupNames(list))}}
	}
	return req
}

// settling returns a send for Do like pacer.Capture, except that a request whose answer was
// lost is given up at once: the caller reads the target rather than send it again blindly.
func settling[Req, Resp any](resp *Resp, api func(context.Context, Req) (Resp, error), req Req) func(context.Context) error {
	return func(ctx context.Context) error {
		got, err := api(ctx, req)
		if err != nil {
			if inDoubt(err) {
				return pacer.GiveUp(err)
			}
			return err
		}
		*resp = got
		return nil
	}
}

// friendResults maps each friend a write failed for to its result. A friend listed in
// Fail_Account without a ResultItem fails with 32216: the vendor names no code for it.
func friendResults(items []chatapi.FriendResultItem, failAccounts []string) map[string]chatapi.FriendResultItem {
	failed := make(map[string]chatapi.FriendResultItem)
	for _, ri := range items {
		if ri.ResultCode != 0 {
			failed[ri.To_Account] = ri
		}
	}
	for _, a := range failAccounts {
		if _, ok := failed[a]; !ok {
			failed[a] = chatapi.FriendResultItem{To_Account: a, ResultCode: chatapi.CodeNotFriend, ResultInfo: "listed in Fail_Account"}
		}
	}
	return failed
}

// groupNames returns the names of the groups in mask, the unit's first (input order), then
// the target's others (read order).
func (r *friendRun) groupNames(mask uint64) []string {
	names := make([]string, 0, bits.OnesCount64(mask))
	for m := mask; m != 0; m &= m - 1 {
		g := bits.TrailingZeros64(m)
		if g < 32 {
			names = append(names, r.fg.Groups[g])
		} else {
			names = append(names, r.others[g-32])
		}
	}
	return names
}

func (r *friendRun) friendNames(fs []int32) []string {
	names := make([]string, len(fs))
	for k, f := range fs {
		names[k] = r.fg.Friends[f]
	}
	return names
}

// failFriend fails friend f's memberships in the groups of mask and takes them out of the intent.
func (r *friendRun) failFriend(f int, mask uint32, code, msg string) {
	mask &= r.want[f]
	r.want[f] &^= mask
	for m := mask; m != 0; m &= m - 1 {
		r.fail(itemKeyOf(bits.TrailingZeros32(m), f), code, msg)
	}
}

// failGroups fails every item of the groups of mask (a create that failed, no room left) and
// takes the groups out of the intent.
func (r *friendRun) failGroups(mask uint32, code, msg string) {
	mask &= r.live
	r.live &^= mask
	for m := mask; m != 0; m &= m - 1 {
		r.fail(itemKeyOf(bits.TrailingZeros32(m), -1), code, msg)
	}
	for f := range r.want {
		r.failFriend(f, mask, code, msg)
	}
}

func (r *friendRun) fail(key int64, code, msg string) {
	i, ok := r.item[key]
	if !ok {
		return // a declaration of a group that has members: the group's items stand for it
	}
	if _, dup := r.fails[i]; !dup {
		r.fails[i] = failRecord{Index: i, Code: code, Msg: msg, Item: toItemRecord(r.u.Items[i])}
	}
}

// failMissing fails, with err's code, every item the target does not hold as far as r knows.
func (r *friendRun) failMissing(err error) {
	code, msg := failureCode(err)
	c := classify(r.want, r.live, &r.tgt, r.lim)
	r.failGroups(c.fresh|c.over, code, msg)
	for f, m := range c.missing {
		r.failFriend(f, m, code, msg)
	}
}

// outcome returns the failures, in the order of the unit's items, and counts the skipped
// ones. An item is skipped when the unit's first read found its state on the target: the
// friend in that group, or, for an empty group the input declares, the group. That holds
// item by item: a friend already in one of its groups is skipped for that group even when
// a friend_update puts it into another (the item of the other group succeeds). Whatever
// this run wrote, or found written after an answer was lost, succeeded.
func (r *friendRun) outcome() outcome {
	var out outcome
	for _, f := range r.fails {
		out.fails = append(out.fails, f)
	}
	for key, i := range r.item {
		if _, failed := r.fails[i]; failed {
			continue
		}
		g, f := uint(key>>32), int(key&(1<<32-1))-1
		held := r.before.exists // an empty group's declaration: the group
		if f >= 0 {
			held = r.before.in(f)
		}
		if held&(1<<g) != 0 {
			out.skipped++
		}
	}
	slices.SortFunc(out.fails, func(a, b failRecord) int { return a.Index - b.Index })
	return out
}
