package migrate

import (
	"context"
	"errors"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// maxSettles bounds how often one unit is settled and sent again after lost answers.
const maxSettles = 8

// outcome is what became of a unit's items.
type outcome struct {
	topicID string       // an imported topic's ID, or the ID of one found on the target (present)
	present bool         // the topic was on the target already: skipped, not sent
	fails   []failRecord // the failed items; the others succeeded or were skipped
	// skipped counts the items, not failed, whose state the unit's first read found on the
	// target already: nothing of this run wrote them (a friend or a conversation in its group).
	skipped int
}

// failAll fails every item of u with code and msg.
func failAll(u *Unit, code, msg string) outcome {
	out := outcome{fails: make([]failRecord, len(u.Items))}
	for i, it := range u.Items {
		out.fails[i] = failRecord{Index: i, Code: code, Msg: msg, Item: toItemRecord(it)}
	}
	return out
}

// requestFailed turns the error of a request into the outcome of its unit: every item fails
// with the error's code. A fatal error, the end of ctx, or a local failure is returned instead:
// the unit then stays as the journal has it (in doubt if it was sent), for a rerun to settle.
func requestFailed(ctx context.Context, u *Unit, err error) (outcome, error) {
	if serr := stopError(ctx, err); serr != nil {
		return outcome{}, serr
	}
	code, msg := failureCode(err)
	return failAll(u, code, msg), nil
}

// stopError returns the error that stops the run rather than failing a unit's items: a
// fatal error, a local failure, or the end of ctx. It is nil for any other err.
func stopError(ctx context.Context, err error) error {
	var fe *pacer.FatalError
	var le *localError
	if errors.As(err, &fe) || errors.As(err, &le) {
		return err
	}
	return ctx.Err()
}

// failureCode returns the failures.csv code and message of a failed request: the API's
// ErrorCode, else "http-<status>" for an HTTP failure, else "transport".
func failureCode(err error) (code, msg string) {
	var ce *chatapi.Error
	if !errors.As(err, &ce) {
		return "client", err.Error()
	}
	msg = ce.Info
	var ex *pacer.ExhaustedError
	if errors.As(err, &ex) {
		msg = err.Error()
	}
	switch {
	case ce.Code != 0:
		return strconv.Itoa(ce.Code), msg
	case ce.HTTPStatus != 0 && ce.HTTPStatus != 200:
		return "http-" + strconv.Itoa(ce.HTTPStatus), msg
	}
	return "transport", msg
}

// apiCode returns the ErrorCode of a permanent API refusal, or 0.
func apiCode(err error) int {
	var ce *chatapi.Error
	var ex *pacer.ExhaustedError
	if errors.As(err, &ex) || !errors.As(err, &ce) {
		return 0
	}
	return ce.Code
}

// inDoubt reports whether a failed request may have been applied: it went out and no answer
// came back.
func inDoubt(err error) bool {
	var ce *chatapi.Error
	return errors.As(err, &ce) && ce.Sent && ce.Code == 0
}

// runTopic imports one topic. A topic in doubt without a TopicId is looked up first (a blind
// resend would create it twice under a new ID); one with a TopicId is resent, and 10021 then
// counts as done once get_topic confirms the topic with that ID is this one.
func (e *executor) runTopic(ctx context.Context, u *Unit, doubt bool) (outcome, error) {
	req := u.Topic
	if _, no := e.noTopics.Load(req.GroupId); no {
		return failAll(u, strconv.Itoa(chatapi.CodeNoTopicFeature),
			"not sent: the group has no topic feature (an earlier topic of it answered 11000)"), nil
	}
	out, done, settled, err := e.knownTopic(ctx, u)
	if err != nil || done {
		return out, err
	}
	for settles := 0; ; settles++ {
		// A Community read since the send that left it in doubt settles it: not there.
		if doubt && req.TopicId == "" && !(settled && settles == 0) {
			id, found, err := e.findTopic(ctx, req)
			if err != nil {
				return requestFailed(ctx, u, err)
			}
			if found {
				return outcome{topicID: id}, nil
			}
			if settles > 0 {
				e.c.CountRetry(chatapi.PathImportTopic)
			}
		}
		var resp *chatapi.ImportTopicResponse
		err := e.c.Do(ctx, chatapi.PathImportTopic, e.sending(u, func(ctx context.Context) error {
			r, err := e.opt.API.ImportTopic(ctx, req)
			if err != nil {
				if inDoubt(err) {
					doubt = true
					if req.TopicId == "" {
						return pacer.GiveUp(err) // settle before sending again
					}
				}
				return err
			}
			resp = r
			return nil
		}))
		var gu *pacer.GiveUpError
		if errors.As(err, &gu) && settles < maxSettles {
			continue
		}
		if err == nil {
			id := resp.TopicId
			if id == "" {
				id = req.TopicId
			}
			return outcome{topicID: id}, nil
		}
		switch apiCode(err) {
		case chatapi.CodeTopicIDUsed:
			if doubt && req.TopicId != "" {
				ours, cerr := e.confirmTopic(ctx, req)
				if cerr != nil {
					return requestFailed(ctx, u, cerr)
				}
				if ours {
					return outcome{topicID: req.TopicId}, nil
				}
			}
		case chatapi.CodeNoTopicFeature:
			e.noTopics.Store(req.GroupId, struct{}{})
		}
		return requestFailed(ctx, u, err)
	}
}
