package migrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Progress is told how far each kind has got. Execute calls Start once per kind before any
// Add, then Add from many goroutines; an implementation that draws must hand the numbers to
// one goroutine of its own.
type Progress interface {
	// Start announces a kind's items to finish in this run (a resumed run leaves out what
	// earlier runs finished).
	Start(k sources.Kind, total int)
	// Add counts n more items finished, succeeded or failed.
	Add(k sources.Kind, n int)
}

// DefaultSummaryEvery is how often Execute rewrites summary.json while it runs.
const DefaultSummaryEvery = 2 * time.Second

// SummaryRunning is the exit_code of a summary.json written while the run goes on (or left by
// a killed run).
const SummaryRunning = -1

// ExecOptions configure Execute. API is required; the rest may be zero.
type ExecOptions struct {
	API  API
	Call pacer.Options
	// Journal is the checkpoint (OpenJournal), nil for none. A resumed journal's finished
	// units are skipped, its in-doubt units settled, and its rows written into Reports first.
	Journal *checkpoint.Journal
	// Reports receives failures and topic IDs as the run goes; nil for none. The invalid
	// rows are the caller's to write (from BuildPlan's OnProblem).
	Reports  *Reports
	Progress Progress
	// RetryFailed sends again the units an earlier run recorded as failed.
	RetryFailed bool
	// Admin is the App admin identifier, get_topic's From_Account for a topic without one.
	Admin string
	// Summary is the template of summary.json (Command, Started, Target); Execute fills in
	// Kinds and rewrites it in Reports every SummaryEvery (default DefaultSummaryEvery) with
	// ExitCode SummaryRunning. nil: no periodic summary.
	Summary      *Summary
	SummaryEvery time.Duration
}

// Execute sends plan p's units and returns what happened per kind in a Summary (Command,
// Started and Target from opt.Summary; Finished and ExitCode are the caller's to set).
//
// The three kinds run at the same time. Topics are sent independently of each other; a
// user's friend groups, and a user's conversation groups, are one unit each whose writes go
// one at a time, so that at most one write per user and family is in flight and a group is
// created before it changes. Item failures are recorded (journal, reports, summary) and the run goes
// on. The error is a *pacer.FatalError when the API refused the run as a whole, ctx's error
// when ctx ended (the units in flight were given opt.Call.Grace to finish), or a local
// failure (reading the input, writing the checkpoint or the reports); the summary is valid in
// every case.
func Execute(ctx context.Context, p *Plan, opt ExecOptions) (*Summary, error) {
	if opt.API == nil {
		return nil, errors.New("execute: no API")
	}
	e := &executor{p: p, opt: opt, c: pacer.New(opt.Call), counts: make(map[sources.Kind]*kindCounts)}
	for _, k := range sources.Kinds {
		e.counts[k] = &kindCounts{}
	}
	rs, rows, err := replayJournal(ctx, opt.Journal, p, opt.Reports, opt.RetryFailed)
	if err != nil {
		return e.summary(), err
	}
	e.rs = rs
	if opt.Progress != nil {
		for _, k := range sources.Kinds {
			opt.Progress.Start(k, max(0, p.Stats[k].Items-rs.kinds[k].skipped-rs.kinds[k].failed))
		}
	}

	stopSummary := e.writeSummaryEvery(opt.SummaryEvery)
	err = e.run(ctx)
	if rerr := rows.wait(); err == nil && rerr != nil {
		err = fmt.Errorf("rebuild the reports of earlier runs: %w", rerr)
	}
	stopSummary()
	if opt.Journal != nil {
		if serr := opt.Journal.Sync(); serr != nil && err == nil {
			err = serr
		}
	}
	return e.summary(), err
}

// executor is one Execute call.
type executor struct {
	p   *Plan
	opt ExecOptions
	c   *pacer.Pacer
	rs  *resumeState

	noTopics sync.Map     // GroupId → struct{}: the group answered 11000
	known    *knownTopics // the target's topics of the Communities in flight (runTopics)
	counts   map[sources.Kind]*kindCounts

	recording sync.Mutex // see record
}

// kindCounts are one kind's items finished in this run.
type kindCounts struct {
	succeeded, failed atomic.Int64
	skipped           atomic.Int64 // found on the target already
}

// run executes the three kinds at once and returns the first error that stopped it.
func (e *executor) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, k := range sources.Kinds {
		if e.p.Stats[k].Requests == 0 {
			continue
		}
		g.Go(func() error { return e.runKind(gctx, k) })
	}
	err := g.Wait()
	if f := e.c.Stopped(); f != nil {
		return f
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// runKind streams kind k's units and hands each chain (a topic alone; a user's consecutive
// units of the other kinds) to a worker.
func (e *executor) runKind(ctx context.Context, k sources.Kind) error {
	if k == sources.Topics {
		return e.runTopics(ctx)
	}
	wg, wctx := errgroup.WithContext(ctx)
	// Workers mostly wait for their endpoint's limiter; the global cap on requests in
	// flight is the pacer's. Each kind gets as many workers as that cap, so that no kind
	// waits for another's workers.
	wg.SetLimit(e.c.Concurrency())
	var chain []*Unit
	dispatch := func() error {
		if len(chain) == 0 {
			return nil
		}
		if err := wctx.Err(); err != nil {
			return err
		}
		c := chain
		chain = nil
		wg.Go(func() error { return e.runChain(wctx, c) })
		return nil
	}
	err := e.p.Units(wctx, k, func(u *Unit) error {
		if e.finished(u.Content) {
			return nil
		}
		if len(chain) > 0 && (k == sources.Topics || chain[0].Key != u.Key) {
			if err := dispatch(); err != nil {
				return err
			}
		}
		chain = append(chain, u)
		return nil
	})
	if err == nil {
		err = dispatch()
	}
	werr := wg.Wait()
	if werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	return nil
}

// state returns the state earlier runs left the unit of content key in (Pending without a
// journal).
func (e *executor) state(key uint64) checkpoint.State {
	if e.opt.Journal == nil {
		return checkpoint.Pending
	}
	return e.opt.Journal.State(key)
}

// finished reports whether an earlier run finished the unit of content key for good.
func (e *executor) finished(key uint64) bool {
	switch e.state(key) {
	case checkpoint.Done:
		return true
	case checkpoint.Failed:
		return !e.opt.RetryFailed
	}
	return false
}
