package migrate

import (
	"context"
	"crypto/sha256"
	"hash"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/chatmigrate/chatmigrate/sources"
)

// collectGroups collects the friend and conversation groups into p and counts their units and
// requests. It returns the header errors of the files it skipped, friend groups' first. Each
// kind feeds the fingerprint through a hash of its own, folded into h in kind order, so that
// the fingerprint is the same whether the kinds were planned one after the other or side by
// side. The closures below see report and the two configs as they are when they run.
//
// Input that does not fit the budget is planned side by side: each kind's read, sort on disk,
// collection and count form a pipeline that keeps about one core busy, so that the two kinds
// take the time of the longer rather than of both. Each spill then sizes itself to half the
// budget, problems and progress reach the caller through one lock, and the two kinds'
// problems interleave (each kind's stay in their own order). Input that fits is planned one
// kind after the other, with every problem in input order.
func (p *Plan) collectGroups(ctx context.Context, in sources.Inputs, h hash.Hash, report func(Problem), sc spillConfig) ([]error, error) {
	fh, ch := sha256.New(), sha256.New()
	var fErrs, cErrs []error
	keep := func(errs *[]error) func(error) error {
		return func(err error) error {
			if isHeaderError(err) {
				*errs = append(*errs, err)
				return nil
			}
			return err
		}
	}
	fcfg, ccfg := sc, sc
	friends := func(ctx context.Context) (err error) {
		if p.friends, err = collectFriends(ctx, in.FriendGroups, fh, p.Stats[sources.FriendGroups], report, keep(&fErrs), fcfg); err != nil {
			return err
		}
		return p.countFriends(ctx, p.Stats[sources.FriendGroups])
	}
	contacts := func(ctx context.Context) (err error) {
		if p.contacts, err = collectContacts(ctx, in.ContactGroups, ch, p.Stats[sources.ContactGroups], report, keep(&cErrs), ccfg); err != nil {
			return err
		}
		return p.countContacts(ctx, p.Stats[sources.ContactGroups])
	}

	var err error
	if sc.tuning.shouldSpill(sc.budget, in.FriendGroups) || sc.tuning.shouldSpill(sc.budget, in.ContactGroups) {
		var mu sync.Mutex
		report = lockedReport(&mu, report)
		fcfg.progress, ccfg.progress = lockedProgress(&mu, sc.progress), lockedProgress(&mu, sc.progress)
		fcfg.share, ccfg.share = sc.budget/2, sc.budget/2
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error { return friends(gctx) })
		g.Go(func() error { return contacts(gctx) })
		err = g.Wait()
	} else if err = friends(ctx); err == nil {
		err = contacts(ctx)
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	h.Write(fh.Sum(nil))
	h.Write(ch.Sum(nil))
	return append(fErrs, cErrs...), nil
}

// lockedReport serializes calls of report.
func lockedReport(mu *sync.Mutex, report func(Problem)) func(Problem) {
	return func(pr Problem) {
		mu.Lock()
		defer mu.Unlock()
		report(pr)
	}
}

// lockedProgress serializes calls of progress, which may be nil.
func lockedProgress(mu *sync.Mutex, progress func(PlanProgress)) func(PlanProgress) {
	if progress == nil {
		return nil
	}
	return func(pp PlanProgress) {
		mu.Lock()
		defer mu.Unlock()
		progress(pp)
	}
}
