package migrate

import (
	"context"
	"fmt"

	"github.com/chatmigrate/chatmigrate/checkpoint"
)

// runChain sends units one after the other. A unit whose create or rename failed as a whole
// blocks the units that depend on it (After): they fail without being sent.
func (e *executor) runChain(ctx context.Context, units []*Unit) error {
	var blocked map[int]string // ord → the code its dependents fail with
	for _, u := range units {
		if err := ctx.Err(); err != nil {
			return err
		}
		doubt := false
		switch e.state(u.Ord) {
		case checkpoint.Done:
			continue
		case checkpoint.Failed:
			if !e.opt.RetryFailed {
				continue
			}
			doubt = true // it may have been applied in part, or its answer lost
		case checkpoint.Sent:
			doubt = true
		}
		var out outcome
		if code, ok := e.blocker(blocked, u.After); ok {
			out = failAll(u, code, "not sent: an earlier create or rename of this group failed (see its row)", true)
		} else {
			var err error
			if out, err = e.runUnit(ctx, u, doubt); err != nil {
				return err
			}
		}
		if out.block && len(out.fails) > 0 {
			blocked = setBlocked(blocked, u.Ord, blockCode(out.fails[0]))
		}
		if err := e.finish(u, out); err != nil {
			return err
		}
	}
	return nil
}

func setBlocked(m map[int]string, ord int, code string) map[int]string {
	if m == nil {
		m = make(map[int]string)
	}
	m[ord] = code
	return m
}

// blocker returns the code a unit that depends on unit after fails with, if after failed as
// a whole in this chain or in an earlier run.
func (e *executor) blocker(blocked map[int]string, after int) (string, bool) {
	if after < 0 {
		return "", false
	}
	if code, ok := blocked[after]; ok {
		return code, true
	}
	code, ok := e.rs.blocked[after]
	return code, ok
}

// runUnit sends one unit and reads its outcome.
func (e *executor) runUnit(ctx context.Context, u *Unit, doubt bool) (outcome, error) {
	switch {
	case u.Topic != nil:
		return e.runTopic(ctx, u, doubt)
	case u.Friends != nil:
		return e.runFriends(ctx, u)
	case u.Contacts != nil:
		return e.runContacts(ctx, u)
	}
	return outcome{}, fmt.Errorf("unit %d: no request", u.Ord)
}

// sending wraps a send function of unit u so that the journal records u as Sent right
// before its first request leaves (after the limiter's wait, so that a crash leaves in doubt
// only what was really in flight): from then on u is in doubt until finished.
func (e *executor) sending(u *Unit, send func(context.Context) error) func(context.Context) error {
	if e.opt.Journal == nil {
		return send
	}
	return func(ctx context.Context) error {
		if e.state(u.Ord) != checkpoint.Sent {
			if err := e.opt.Journal.Append(checkpoint.Entry{Ord: u.Ord, State: checkpoint.Sent}); err != nil {
				return &localError{err}
			}
		}
		return send(ctx)
	}
}

// localError is a failure on this side (the checkpoint could not be written): it stops the
// run rather than failing an item.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// finish records u's outcome: the journal first (what a rerun trusts), then the reports,
// the counts and the progress.
func (e *executor) finish(u *Unit, out outcome) error {
	rec := unitRecord{Fail: out.fails, Block: out.block}
	if len(u.Items) != 1 {
		rec.N = len(u.Items)
	}
	if out.topicID != "" {
		rec.Topic = newTopicLine(u.Items[0], out.topicID)
	}
	if e.opt.Journal != nil {
		st := checkpoint.Done
		if len(rec.Fail) > 0 {
			st = checkpoint.Failed
		}
		ent := checkpoint.Entry{Ord: u.Ord, State: st}
		if rec.N != 0 || rec.Topic != nil || len(rec.Fail) > 0 || rec.Block {
			data, err := marshalRecord(&rec)
			if err != nil {
				return err
			}
			ent.Data = data
		}
		if err := e.opt.Journal.Append(ent); err != nil {
			return err
		}
	}
	if err := writeRecordRows(e.opt.Reports, u.Kind, &rec); err != nil {
		return err
	}
	c := e.counts[u.Kind]
	c.succeeded.Add(int64(len(u.Items) - len(out.fails)))
	c.failed.Add(int64(len(out.fails)))
	if e.opt.Progress != nil {
		e.opt.Progress.Add(u.Kind, len(u.Items))
	}
	return nil
}
