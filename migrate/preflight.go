package migrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// TargetAPI is what Preflight reads. It holds the run's API for its read endpoints (get_topic,
// sns/group_get, sns/friend_get, get_contact_group: Preflight calls no write of it) and the
// endpoints that only know the target. *chatapi.Client satisfies it.
type TargetAPI interface {
	API
	FriendCheck(ctx context.Context, req *chatapi.FriendCheckRequest) (*chatapi.FriendCheckResponse, error)
	AccountCheck(ctx context.Context, req *chatapi.AccountCheckRequest) (*chatapi.AccountCheckResponse, error)
	GetGroupInfo(ctx context.Context, req *chatapi.GetGroupInfoRequest) (*chatapi.GetGroupInfoResponse, error)
	GetRoleInGroup(ctx context.Context, req *chatapi.GetRoleInGroupRequest) (*chatapi.GetRoleInGroupResponse, error)
}

// PreflightOptions configure Preflight. API is required; the rest may be zero.
type PreflightOptions struct {
	API TargetAPI
	// Call tunes the reads as for run: the rate limit per endpoint (account_check at its own
	// lower one), retries, the cap in flight, the stop on a fatal answer.
	Call pacer.Options
	// Admin is get_topic's From_Account (default chatapi.DefaultIdentifier).
	Admin string
	// Reports receives a failure row per predicted failure, its message starting with
	// PredictedPrefix; nil: only count.
	Reports *Reports
}

// PredictedPrefix starts the message of every predicted failure (docs/contract.md, "Output").
const PredictedPrefix = "predicted: "

// PreflightKind is one kind's prediction.
type PreflightKind struct {
	Predicted int // items the run would fail, each written as a failure row
	Present   int // items the target holds already: the run skips them or sends nothing for them
	// Unread counts items whose target could not be read (retries exhausted, a refusal that
	// says nothing of the item): neither predicted nor known to pass.
	Unread int
}

// PreflightResult is what Preflight found, and what its reads cost.
type PreflightResult struct {
	Kinds map[sources.Kind]*PreflightKind
	// Reads counts the requests per read endpoint, retries included.
	Reads map[string]int
	// Ideal is the least time the reads take: per endpoint, its reads at its rate limit; the
	// busiest endpoint's.
	Ideal time.Duration
	// Elapsed is the time Preflight took.
	Elapsed time.Duration
}

// Clear reports whether nothing is predicted to fail and everything was read.
func (r *PreflightResult) Clear() bool {
	for _, k := range r.Kinds {
		if k.Predicted+k.Unread > 0 {
			return false
		}
	}
	return true
}

// preflightEndpoints are the endpoints Preflight reads.
var preflightEndpoints = []string{chatapi.PathAccountCheck, chatapi.PathGetGroupInfo, chatapi.PathGetTopic,
	chatapi.PathGroupGet, chatapi.PathFriendGet, chatapi.PathFriendCheck, chatapi.PathGetContactGroup, chatapi.PathGetRoleInGroup}

// Preflight reads the target, with read endpoints only, and predicts what a run of plan p
// would meet item by item: every failure with the code the run would report (written to
// opt.Reports), and what is there already. It follows the run's own rules: the same
// matching of topics (matchTopic), the same reads and diffs of a user's friend and
// conversation groups, the per-user limits counted with what the target holds.
//
// The three kinds are read at the same time, each endpoint at its own rate limit. The error
// is a *pacer.FatalError when the API refused the reads as a whole, ctx's error when it ended,
// or a local failure (reading the input, writing the reports); the result is valid in every
// case.
func Preflight(ctx context.Context, p *Plan, opt PreflightOptions) (*PreflightResult, error) {
	if opt.API == nil {
		return nil, errors.New("preflight: no API")
	}
	start := time.Now()
	pr := &predictor{p: p, opt: opt, c: pacer.New(opt.Call), counts: make(map[sources.Kind]*predictCounts)}
	for _, k := range sources.Kinds {
		pr.counts[k] = &predictCounts{}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return pr.topics(gctx) })
	g.Go(func() error { return pr.friends(gctx) })
	g.Go(func() error { return pr.contacts(gctx) })
	err := g.Wait()
	switch f := pr.c.Stopped(); {
	case f != nil:
		err = f
	case ctx.Err() != nil:
		err = ctx.Err()
	}
	res := pr.result()
	res.Elapsed = time.Since(start)
	return res, err
}

// predictor is one Preflight call.
type predictor struct {
	p      *Plan
	opt    PreflightOptions
	c      *pacer.Pacer
	counts map[sources.Kind]*predictCounts
	mu     sync.Mutex // serializes the reports' rows of one unit
}

type predictCounts struct {
	predicted, present, unread atomic.Int64
}

func (pr *predictor) admin() string {
	if pr.opt.Admin != "" {
		return pr.opt.Admin
	}
	return chatapi.DefaultIdentifier
}

// executor returns an executor that only reads, so that Preflight reads a user's target with
// the run's own functions.
func (pr *predictor) executor() *executor {
	return &executor{p: pr.p, c: pr.c, opt: ExecOptions{API: pr.opt.API, Admin: pr.opt.Admin}}
}

// predict records that the run would fail it with code.
func (pr *predictor) predict(k sources.Kind, it Item, code, msg string) error {
	pr.counts[k].predicted.Add(1)
	if pr.opt.Reports == nil {
		return nil
	}
	return pr.opt.Reports.Failure(k, it, code, PredictedPrefix+msg)
}

// predictAll predicts every item of u with code.
func (pr *predictor) predictAll(u *Unit, code, msg string) error {
	for _, it := range u.Items {
		if err := pr.predict(u.Kind, it, code, msg); err != nil {
			return err
		}
	}
	return nil
}

func (pr *predictor) present(k sources.Kind, n int) { pr.counts[k].present.Add(int64(n)) }

// readFailed handles a read of unit u's target that failed: a stop of the reads is returned;
// a permanent refusal is what the run's own read would meet, so every item is predicted to
// fail with its code; anything else (retries exhausted) leaves the items unread.
func (pr *predictor) readFailed(ctx context.Context, u *Unit, err error) error {
	if serr := stopError(ctx, err); serr != nil {
		return serr
	}
	if code := apiCode(err); code != 0 {
		_, msg := failureCode(err)
		return pr.predictAll(u, fmt.Sprint(code), "reading the target: "+msg)
	}
	pr.counts[u.Kind].unread.Add(int64(len(u.Items)))
	return nil
}

// unread counts u's items as not checked: a read that only validate makes (account_check,
// friend_check, get_group_info) failed, and its code says nothing of what the run meets.
func (pr *predictor) unread(ctx context.Context, u *Unit, err error) error {
	if serr := stopError(ctx, err); serr != nil {
		return serr
	}
	pr.counts[u.Kind].unread.Add(int64(len(u.Items)))
	return nil
}

// result returns the counts and the reads' cost.
func (pr *predictor) result() *PreflightResult {
	res := &PreflightResult{Kinds: make(map[sources.Kind]*PreflightKind), Reads: make(map[string]int)}
	for _, k := range sources.Kinds {
		c := pr.counts[k]
		res.Kinds[k] = &PreflightKind{Predicted: int(c.predicted.Load()), Present: int(c.present.Load()), Unread: int(c.unread.Load())}
	}
	for _, ep := range preflightEndpoints {
		n := int(pr.c.Stats(ep).Requests)
		if n == 0 {
			continue
		}
		res.Reads[ep] = n
		res.Ideal = max(res.Ideal, time.Duration(float64(n)/pr.c.RPS(ep)*float64(time.Second)))
	}
	return res
}

// pool runs one kind's per-unit reads, at most the pacer's cap at once.
func (pr *predictor) pool(ctx context.Context) (*errgroup.Group, context.Context) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pr.c.Concurrency())
	return g, gctx
}
