package migrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// MaxUnreadListed is how many unread groups or users a VerifyResult lists; the summary counts all.
const MaxUnreadListed = 100

// VerifyOptions configure Verify. API is required; the rest may be zero.
type VerifyOptions struct {
	API API
	// Call tunes the requests exactly as for run: per-endpoint rate limits with AIMD, retries,
	// the cap on requests in flight, and the run-wide stop on a fatal answer.
	Call pacer.Options
	// Admin is get_topic's From_Account (default chatapi.DefaultIdentifier): an App admin may
	// read any Community group, where a topic's own From_Account may have left it since.
	Admin string
	// TopicIDs are the IDs an earlier run recorded (topic_ids.csv), for topics whose input has
	// no TopicId; nil: such topics are matched by name.
	TopicIDs *TopicIDs
	// Sample is the fraction in (0, 1] of users (friend and conversation groups) and
	// Community groups (topics) to read back, picked by a fixed hash of their IDs; 0 means 1.
	Sample float64
	// Report receives diff.csv rows and missing_<kind>.jsonl lines; nil: only count.
	Report   *DiffReport
	Progress Progress // told of each group or user read; may be nil
	// Summary is the template of the result's summary (Command, Started, Target).
	Summary *Summary
}

// UnreadError is a group or user verify could not read back: a permanent refusal other than
// "not there", or retries exhausted. Its items are neither equal nor different: unverified.
type UnreadError struct {
	Kind sources.Kind
	Key  string // GroupId (topics) or From_Account
	Err  error
}

func (e *UnreadError) Error() string {
	return fmt.Sprintf("%s %s: not read back: %v", e.Kind, e.Key, e.Err)
}
func (e *UnreadError) Unwrap() error { return e.Err }

// VerifyResult is what Verify found.
type VerifyResult struct {
	// Summary has, per kind, the plan's Records and Invalid; the read requests (Requests,
	// Retries, Throttled); Checked (topics, or (user, group) pairs, the input defines and
	// verify read back) and Equal (those found exactly as intended); Missing, Extra and
	// Differs (the rows of diff.csv with that status); and Failed (groups or users that could
	// not be read back).
	Summary *Summary
	Unread  []*UnreadError // the first MaxUnreadListed
}

// Equal reports whether the target holds exactly what was checked: no difference and
// nothing left unread.
func (r *VerifyResult) Equal() bool {
	for _, ks := range r.Summary.Kinds {
		if ks.Missing+ks.Extra+ks.Differs+ks.Failed > 0 {
			return false
		}
	}
	return true
}

// readEndpoints are each kind's read-back endpoints (sns/friend_get pages a user too big
// for one sns/group_get answer).
var readEndpoints = map[sources.Kind][]string{
	sources.Topics:        {chatapi.PathGetTopic},
	sources.FriendGroups:  {chatapi.PathGroupGet, chatapi.PathFriendGet},
	sources.ContactGroups: {chatapi.PathGetContactGroup},
}

// Verify reads the target back through the API and compares it with plan p's intended end
// state (valid records only, renames and removals applied): topics per Community group with
// get_topic, friend groups per user with sns/group_get (sns/friend_get page by page when that
// answer would be too big), conversation groups per user with get_contact_group. Topics are
// compared in the groups the input names, friend and conversation groups for the users it
// names: there, whatever the input does not define is extra (a user's other groups
// included), and elsewhere nothing is looked at.
//
// Requests go through a pacer as Execute's do: rate limits, retries and the fatal stop. The
// three kinds are read at the same time. The error is a *pacer.FatalError when the API
// refused the run as a whole, ctx's error when it ended, or a local failure (reading the
// input, writing the reports); the result is valid in every case.
func Verify(ctx context.Context, p *Plan, opt VerifyOptions) (*VerifyResult, error) {
	if opt.API == nil {
		return nil, errors.New("verify: no API")
	}
	if opt.Sample <= 0 {
		opt.Sample = 1
	}
	v := &verifier{p: p, opt: opt, c: pacer.New(opt.Call), counts: make(map[sources.Kind]*verifyCounts)}
	for _, k := range sources.Kinds {
		v.counts[k] = &verifyCounts{}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return v.topics(gctx) })
	g.Go(func() error { return v.friends(gctx) })
	g.Go(func() error { return v.contacts(gctx) })
	err := g.Wait()
	switch f := v.c.Stopped(); {
	case f != nil:
		err = f
	case ctx.Err() != nil:
		err = ctx.Err()
	}
	return v.result(), err
}

// verifier is one Verify call.
type verifier struct {
	p      *Plan
	opt    VerifyOptions
	c      *pacer.Pacer
	counts map[sources.Kind]*verifyCounts

	mu     sync.Mutex
	unread []*UnreadError
}

type verifyCounts struct {
	checked, equal, missing, extra, differs, unread atomic.Int64
}

func (v *verifier) admin() string {
	if v.opt.Admin != "" {
		return v.opt.Admin
	}
	return chatapi.DefaultIdentifier
}

// pool runs kind k's checks, at most Concurrency at once (the pacer's cap on requests in
// flight is the real limit; this one bounds the goroutines).
type pool struct {
	v   *verifier
	k   sources.Kind
	g   *errgroup.Group
	ctx context.Context
}

func (v *verifier) newPool(ctx context.Context, k sources.Kind) *pool {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(v.c.Concurrency())
	return &pool{v: v, k: k, g: g, ctx: gctx}
}

// check runs fn for the group or user key on a worker and records its result.
func (p *pool) check(key string, fn func(ctx context.Context) (checkResult, error)) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	p.g.Go(func() error {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		res, err := fn(p.ctx)
		return p.v.record(p.ctx, p.k, key, res, err)
	})
	return nil
}

// wait waits for the workers; err is the producer's.
func (p *pool) wait(err error) error {
	if werr := p.g.Wait(); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("verify %s: %w", p.k, err)
	}
	return nil
}

// record counts one group's or user's result and writes its rows. A read that failed for
// this key alone is counted unread and verify goes on; a fatal stop, ctx's end or a local
// failure stops it.
func (v *verifier) record(ctx context.Context, k sources.Kind, key string, res checkResult, err error) error {
	if err != nil {
		var fe *pacer.FatalError
		var ce *chatapi.Error
		var ee *pacer.ExhaustedError
		switch {
		case errors.As(err, &fe):
			return fe
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &ce), errors.As(err, &ee), errors.Is(err, errBadPaging), errors.Is(err, errFriendPaging):
		default:
			return err
		}
		v.counts[k].unread.Add(1)
		v.mu.Lock()
		if len(v.unread) < MaxUnreadListed {
			v.unread = append(v.unread, &UnreadError{Kind: k, Key: key, Err: err})
		}
		v.mu.Unlock()
	} else {
		c := v.counts[k]
		c.checked.Add(int64(res.checked))
		c.equal.Add(int64(res.equal))
		c.missing.Add(int64(res.count(DiffMissing)))
		c.extra.Add(int64(res.count(DiffExtra)))
		c.differs.Add(int64(res.count(DiffDiffers)))
		if v.opt.Report != nil {
			if err := v.opt.Report.Write(k, res.diffs, res.missing); err != nil {
				return err
			}
		}
	}
	if v.opt.Progress != nil {
		v.opt.Progress.Add(k, 1)
	}
	return nil
}

// result returns the counts so far.
func (v *verifier) result() *VerifyResult {
	s := &Summary{Command: CommandVerify}
	if v.opt.Summary != nil {
		*s = *v.opt.Summary
	}
	s.Kinds = make(map[sources.Kind]*KindSummary)
	for _, k := range sources.Kinds {
		st := v.p.Stats[k]
		c := v.counts[k]
		var cs pacer.Stats
		for _, ep := range readEndpoints[k] {
			es := v.c.Stats(ep)
			cs.Requests, cs.Retries, cs.Throttled = cs.Requests+es.Requests, cs.Retries+es.Retries, cs.Throttled+es.Throttled
		}
		s.Kinds[k] = &KindSummary{Records: st.Records, Invalid: st.Invalid,
			Requests: int(cs.Requests), Retries: int(cs.Retries), Throttled: int(cs.Throttled),
			Checked: int(c.checked.Load()), Equal: int(c.equal.Load()), Missing: int(c.missing.Load()),
			Extra: int(c.extra.Load()), Differs: int(c.differs.Load()), Failed: int(c.unread.Load())}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return &VerifyResult{Summary: s, Unread: append([]*UnreadError(nil), v.unread...)}
}
