package migrate

import (
	"context"
	"fmt"
	"math/bits"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// accountsImported asks account_check which of users are imported, 100 a request. A user
// whose item carries a ResultCode is taken as imported: the user's own read then tells.
func (pr *predictor) accountsImported(ctx context.Context, users []string) (map[string]bool, error) {
	out := make(map[string]bool, len(users))
	for part := range slices.Chunk(users, chatapi.MaxAccountCheckItems) {
		req := &chatapi.AccountCheckRequest{CheckItem: make([]chatapi.AccountCheckItem, len(part))}
		for i, u := range part {
			req.CheckItem[i] = chatapi.AccountCheckItem{UserID: u}
			out[u] = true
		}
		var resp *chatapi.AccountCheckResponse
		if err := pr.c.Do(ctx, chatapi.PathAccountCheck, pacer.Capture(&resp, pr.opt.API.AccountCheck, req)); err != nil {
			return nil, err
		}
		for _, r := range resp.ResultItem {
			if r.ResultCode == 0 && r.AccountStatus == chatapi.AccountNotImported {
				out[r.UserID] = false
			}
		}
	}
	return out, nil
}

// perUser streams kind k's units (one per user), checks their users' accounts a batch at a
// time, predicts every item of a user not imported with notImported, and hands the others to
// read on a worker each.
func (pr *predictor) perUser(ctx context.Context, k sources.Kind, notImported int, read func(context.Context, *Unit) error) error {
	g, gctx := pr.pool(ctx)
	var batch []*Unit
	flush := func() error {
		users := make([]string, len(batch))
		for i, u := range batch {
			users[i] = u.Key
		}
		imported, err := pr.accountsImported(gctx, users)
		if err != nil {
			// Not known: each user's own read tells, as the run's would.
			if serr := stopError(gctx, err); serr != nil {
				return serr
			}
			imported = nil
		}
		for _, u := range batch {
			if imported != nil && !imported[u.Key] {
				if err := pr.predictAll(u, fmt.Sprint(notImported), "From_Account is not imported (account_check)"); err != nil {
					return err
				}
				continue
			}
			if err := gctx.Err(); err != nil {
				return err
			}
			g.Go(func() error { return read(gctx, u) })
		}
		batch = batch[:0]
		return nil
	}
	err := pr.p.Units(gctx, k, func(u *Unit) error {
		batch = append(batch, u)
		if len(batch) == chatapi.MaxAccountCheckItems {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if werr := g.Wait(); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("preflight %s: %w", k, err)
	}
	return nil
}

// friends predicts the friend groups: a user not imported fails whole (30003, as the run's
// sns/group_get would answer); else the user's groups are read as the run reads them and
// diffed as the run diffs them (classify): the groups past 32 with the target's fail with
// 30011, and each friend the diff would write is asked of sns/friend_check: one that is not a
// friend fails its memberships with 32216.
func (pr *predictor) friends(ctx context.Context) error {
	return pr.perUser(ctx, sources.FriendGroups, chatapi.CodeSNSNoAccount, pr.friendUser)
}

func (pr *predictor) friendUser(ctx context.Context, u *Unit) error {
	r := newFriendRun(pr.executor(), u)
	if err := r.read(ctx); err != nil {
		return pr.readFailed(ctx, u, err)
	}
	c := classify(r.want, r.live, &r.tgt, r.lim)
	var ask []string // friends the diff writes, sorted
	for f, m := range c.missing {
		if m != 0 {
			ask = append(ask, r.fg.Friends[f])
		}
	}
	notFriend, err := pr.notFriends(ctx, r.fg.From_Account, ask)
	if err != nil {
		return pr.unread(ctx, u, err)
	}
	group := make(map[string]int, len(r.fg.Groups))
	for g, name := range r.fg.Groups {
		group[name] = g
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	present := 0
	for _, it := range u.Items {
		bit := uint32(1) << group[it.GroupName]
		f := -1
		if it.To_Account != "" {
			f, _ = slices.BinarySearch(r.fg.Friends, it.To_Account)
		}
		switch {
		case c.over&bit != 0:
			err = pr.predict(u.Kind, it, fmt.Sprint(chatapi.CodeSNSGroupLimit), fmt.Sprintf(
				"with the %d friend groups the target holds, the user would have more than %d",
				bits.OnesCount64(r.tgt.exists), chatapi.MaxFriendGroupsPerUser))
		case f >= 0 && c.missing[f]&bit != 0 && notFriend[it.To_Account]:
			err = pr.predict(u.Kind, it, fmt.Sprint(chatapi.CodeNotFriend), "To_Account is not a friend of From_Account (friend_check)")
		case f < 0 && r.tgt.exists&uint64(bit) != 0, f >= 0 && r.tgt.in(f)&uint64(bit) != 0:
			present++
		}
		if err != nil {
			return err
		}
	}
	pr.present(u.Kind, present)
	return nil
}

// notFriends returns which of friends are not in user's friend list (sns/friend_check, one
// way), MaxFriendCheckItems a request. A friend whose item carries a ResultCode is not
// counted: the run's write tells.
func (pr *predictor) notFriends(ctx context.Context, user string, friends []string) (map[string]bool, error) {
	out := make(map[string]bool)
	for part := range slices.Chunk(friends, chatapi.MaxFriendCheckItems) {
		req := &chatapi.FriendCheckRequest{From_Account: user, To_Account: part, CheckType: chatapi.CheckSingle}
		var resp *chatapi.FriendCheckResponse
		if err := pr.c.Do(ctx, chatapi.PathFriendCheck, pacer.Capture(&resp, pr.opt.API.FriendCheck, req)); err != nil {
			return nil, err
		}
		for _, it := range resp.InfoItem {
			if it.ResultCode == 0 && it.Relation != chatapi.RelationAWithB && it.Relation != relationBothWay {
				out[it.To_Account] = true
			}
		}
	}
	return out, nil
}

// relationBothWay is friend_check's relation, asked with CheckResult_Type_Both, of two users
// in each other's lists: To_Account is in From_Account's list then too.
const relationBothWay = "CheckResult_Type_BothWay"
