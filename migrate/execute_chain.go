package migrate

import (
	"context"
	"fmt"

	"github.com/chatmigrate/chatmigrate/checkpoint"
)

// runChain sends units one after the other: a user's units of one kind, or a topic alone.
func (e *executor) runChain(ctx context.Context, units []*Unit) error {
	for _, u := range units {
		if err := ctx.Err(); err != nil {
			return err
		}
		doubt := false
		switch e.state(u.Content) {
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
		out, err := e.runUnit(ctx, u, doubt)
		if err != nil {
			return err
		}
		if err := e.finish(u, out); err != nil {
			return err
		}
	}
	return nil
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
		if !u.journalled && e.state(u.Content) != checkpoint.Sent {
			if err := e.opt.Journal.Append(checkpoint.Entry{Key: u.Content, State: checkpoint.Sent}); err != nil {
				return &localError{err}
			}
		}
		u.journalled = true
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
	rec := unitRecord{Fail: out.fails}
	if len(u.Items) != 1 {
		rec.N = len(u.Items)
	}
	if out.topicID != "" {
		rec.Topic = newTopicLine(u.Items[0], out.topicID)
		rec.Found = out.present
	}
	if err := e.record(u, &rec); err != nil {
		return err
	}
	c := e.counts[u.Kind]
	if out.present {
		c.skipped.Add(int64(len(u.Items)))
	} else {
		c.skipped.Add(int64(out.skipped))
		c.succeeded.Add(int64(len(u.Items) - len(out.fails) - out.skipped))
	}
	c.failed.Add(int64(len(out.fails)))
	if e.opt.Progress != nil {
		e.opt.Progress.Add(u.Kind, len(u.Items))
	}
	return nil
}

// record writes a finished unit's journal entry, then its report rows, as one step: the rows
// come in journal order, the order in which a resumed run rebuilds them.
func (e *executor) record(u *Unit, rec *unitRecord) error {
	e.recording.Lock()
	defer e.recording.Unlock()
	if e.opt.Journal != nil {
		st := checkpoint.Done
		if len(rec.Fail) > 0 {
			st = checkpoint.Failed
		}
		ent := checkpoint.Entry{Key: u.Content, State: st}
		if rec.N != 0 || rec.Topic != nil || len(rec.Fail) > 0 {
			data, err := marshalRecord(rec)
			if err != nil {
				return err
			}
			ent.Data = data
		}
		if err := e.opt.Journal.Append(ent); err != nil {
			return err
		}
	}
	if err := writeRecordRows(e.opt.Reports, u.Kind, rec); err != nil {
		return err
	}
	return nil
}
