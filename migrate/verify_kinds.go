package migrate

import (
	"context"
	"fmt"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// topics checks the sampled Community groups. The topics of a group are gathered from the
// input (which need not list a group's topics together) and checked once the group is
// complete: a first pass counts each group's topics, so a group is held in memory only
// from its first topic to its last.
func (v *verifier) topics(ctx context.Context) error {
	left := make(map[string]int)
	err := v.p.EachTopic(ctx, func(t sources.Topic) error {
		if inSample(t.GroupId, v.opt.Sample) {
			left[t.GroupId]++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify topics: %w", err)
	}
	if v.opt.Progress != nil {
		v.opt.Progress.Start(sources.Topics, len(left))
	}
	pl := v.newPool(ctx, sources.Topics)
	pending := make(map[string][]verifyTopic)
	dispatch := func(gid string) error {
		want := pending[gid]
		delete(pending, gid)
		delete(left, gid)
		return pl.check(gid, func(ctx context.Context) (checkResult, error) {
			got, err := v.readTopics(ctx, gid)
			if err != nil {
				return checkResult{}, err
			}
			return diffTopics(gid, want, got), nil
		})
	}
	err = v.p.EachTopic(ctx, func(t sources.Topic) error {
		if _, ok := left[t.GroupId]; !ok {
			return nil
		}
		pending[t.GroupId] = append(pending[t.GroupId], newVerifyTopic(t, v.opt.TopicIDs))
		if len(pending[t.GroupId]) < left[t.GroupId] {
			return nil
		}
		return dispatch(t.GroupId)
	})
	// Groups still pending: the input changed between the passes. Check what was read.
	for gid := range pending {
		if err != nil {
			break
		}
		err = dispatch(gid)
	}
	return pl.wait(err)
}

// friends checks the sampled users' friend groups.
func (v *verifier) friends(ctx context.Context) error {
	if v.opt.Progress != nil {
		n, err := countUsers(ctx, v.opt.Sample, v.p.EachFriendUser)
		if err != nil {
			return fmt.Errorf("verify friend groups: %w", err)
		}
		v.opt.Progress.Start(sources.FriendGroups, n)
	}
	pl := v.newPool(ctx, sources.FriendGroups)
	err := v.p.EachFriendUser(ctx, func(user string, want map[string][]string) error {
		if !inSample(user, v.opt.Sample) {
			return nil
		}
		return pl.check(user, func(ctx context.Context) (checkResult, error) {
			got, err := v.readFriendGroups(ctx, user)
			if err != nil {
				return checkResult{}, err
			}
			return diffFriendGroups(user, want, got), nil
		})
	})
	return pl.wait(err)
}

// contacts checks the sampled users' conversation groups.
func (v *verifier) contacts(ctx context.Context) error {
	if v.opt.Progress != nil {
		n, err := countUsers(ctx, v.opt.Sample, v.p.EachContactUser)
		if err != nil {
			return fmt.Errorf("verify contact groups: %w", err)
		}
		v.opt.Progress.Start(sources.ContactGroups, n)
	}
	pl := v.newPool(ctx, sources.ContactGroups)
	err := v.p.eachContactWant(ctx, func(user string, want map[string][]chatapi.ContactItem, changeOnly map[string]bool) error {
		if !inSample(user, v.opt.Sample) {
			return nil
		}
		return pl.check(user, func(ctx context.Context) (checkResult, error) {
			got, err := v.readContactGroups(ctx, user)
			if err != nil {
				return checkResult{}, err
			}
			return diffContactGroups(user, onlyIfThere(want, got, changeOnly), got), nil
		})
	})
	return pl.wait(err)
}

// countUsers counts the sampled users of an Each*User iterator, for the progress total.
func countUsers[G any](ctx context.Context, sample float64, each func(context.Context, func(string, G) error) error) (int, error) {
	n := 0
	err := each(ctx, func(user string, _ G) error {
		if inSample(user, sample) {
			n++
		}
		return nil
	})
	return n, err
}
