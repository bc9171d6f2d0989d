package migrate

import (
	"context"
	"errors"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// maxSettles bounds how often one unit is settled and sent again after lost answers.
const maxSettles = 8

// outcome is what became of a unit's items.
type outcome struct {
	topicID string       // an imported topic's ID
	fails   []failRecord // the failed items; the others succeeded
	block   bool         // a create or rename failed as a whole: the group's later units cannot go on
}

// failAll fails every item of u with code and msg.
func failAll(u *Unit, code, msg string, block bool) outcome {
	out := outcome{block: block, fails: make([]failRecord, len(u.Items))}
	for i, it := range u.Items {
		out.fails[i] = failRecord{Index: i, Code: code, Msg: msg, Item: toItemRecord(it)}
	}
	return out
}

// requestFailed turns the error of a request into the outcome of its unit: every item fails
// with the error's code. A fatal error, the end of ctx, or a local failure is returned instead:
// the unit then stays as the journal has it (in doubt if it was sent), for a rerun to settle.
func requestFailed(ctx context.Context, u *Unit, err error, block bool) (outcome, error) {
	var fe *FatalError
	var le *localError
	if errors.As(err, &fe) || errors.As(err, &le) {
		return outcome{}, err
	}
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	code, msg := failureCode(err)
	return failAll(u, code, msg, block), nil
}

// failureCode returns the failures.csv code and message of a failed request: the API's
// ErrorCode, else "http-<status>" for an HTTP failure, else "transport".
func failureCode(err error) (code, msg string) {
	var ce *chatapi.Error
	if !errors.As(err, &ce) {
		return "client", err.Error()
	}
	msg = ce.Info
	var ex *ExhaustedError
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
	var ex *ExhaustedError
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
			"not sent: the group has no topic feature (an earlier topic of it answered 11000)", false), nil
	}
	for settles := 0; ; settles++ {
		if doubt && req.TopicId == "" {
			id, found, err := e.findTopic(ctx, req)
			if err != nil {
				return requestFailed(ctx, u, err, false)
			}
			if found {
				return outcome{topicID: id}, nil
			}
			if settles > 0 {
				e.c.countRetry(chatapi.PathImportTopic)
			}
		}
		var resp *chatapi.ImportTopicResponse
		err := e.c.do(ctx, chatapi.PathImportTopic, e.sending(u, func(ctx context.Context) error {
			r, err := e.opt.API.ImportTopic(ctx, req)
			if err != nil {
				if inDoubt(err) {
					doubt = true
					if req.TopicId == "" {
						return giveUp(err) // settle before sending again
					}
				}
				return err
			}
			resp = r
			return nil
		}))
		var gu *giveUpError
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
					return requestFailed(ctx, u, cerr, false)
				}
				if ours {
					return outcome{topicID: req.TopicId}, nil
				}
			}
		case chatapi.CodeNoTopicFeature:
			e.noTopics.Store(req.GroupId, struct{}{})
		}
		return requestFailed(ctx, u, err, false)
	}
}

// runGroupAdd adds friends to friend groups. The request is idempotent (API.md's model: a
// friend already in a group answers 0), so one in doubt is simply sent again.
func (e *executor) runGroupAdd(ctx context.Context, u *Unit) (outcome, error) {
	var resp *chatapi.GroupAddResponse
	err := e.c.do(ctx, chatapi.PathGroupAdd, e.sending(u, capture(&resp, e.opt.API.GroupAdd, u.GroupAdd)))
	if err != nil {
		return requestFailed(ctx, u, err, false)
	}
	// Every To_Account went into every GroupName: a friend's failure fails its item in
	// every group of the request.
	type result struct {
		code int
		info string
	}
	failed := make(map[string]result)
	for _, ri := range resp.ResultItem {
		if ri.ResultCode != 0 {
			failed[ri.To_Account] = result{ri.ResultCode, ri.ResultInfo}
		}
	}
	for _, a := range resp.Fail_Account {
		if _, ok := failed[a]; !ok {
			// Listed as failed without a ResultItem: the vendor names no code for it.
			failed[a] = result{chatapi.CodeNotFriend, "listed in Fail_Account"}
		}
	}
	var out outcome
	for i, it := range u.Items {
		if r, ok := failed[it.To_Account]; ok && it.To_Account != "" {
			out.fails = append(out.fails, failRecord{Index: i, Code: strconv.Itoa(r.code), Msg: r.info, Item: toItemRecord(it)})
		}
	}
	return out, nil
}

// contactKey identifies a conversation in per-item results.
type contactKey struct {
	typ int
	id  string
}

func keyOf(ci chatapi.ContactItem) contactKey {
	if ci.Type == chatapi.ContactGroup {
		return contactKey{ci.Type, ci.ToGroupId}
	}
	return contactKey{ci.Type, ci.To_Account}
}

func itemKey(it Item) (contactKey, bool) {
	if it.Type == 0 || it.Op == opRename {
		return contactKey{}, false
	}
	return keyOf(chatapi.ContactItem{Type: it.Type, To_Account: it.To_Account, ToGroupId: it.ToGroupId}), true
}

// contactOutcome maps per-conversation results to u's items. A conversation without a
// result succeeded with its request (the vendor is silent; the emulator always answers each).
func contactOutcome(u *Unit, results []chatapi.ContactResultItem) outcome {
	failed := make(map[contactKey]chatapi.ContactResultItem)
	for _, r := range results {
		if r.ResultCode != 0 {
			failed[keyOf(r.ContactItem)] = r
		}
	}
	var out outcome
	if len(failed) == 0 {
		return out
	}
	for i, it := range u.Items {
		k, ok := itemKey(it)
		if !ok {
			continue
		}
		if r, bad := failed[k]; bad {
			out.fails = append(out.fails, failRecord{Index: i, Code: strconv.Itoa(r.ResultCode), Msg: r.ResultInfo, Item: toItemRecord(it)})
		}
	}
	return out
}

// forgiveRemoves drops the failures of removes from an in-doubt update: the lost attempt may
// have removed the conversation already, and a conversation that is not in the group is what
// a remove wants. (The emulator answers 0 for such a remove; the vendor does not say.)
func forgiveRemoves(out outcome) outcome {
	kept := out.fails[:0]
	for _, f := range out.fails {
		if f.Item.Op != opRemove {
			kept = append(kept, f)
		}
	}
	out.fails = kept
	return out
}

// runCreate creates a conversation group with its first conversations. A create that answers
// 51012 (the user has a group of that name) merges into it, as sns/group_add does for friend
// groups (API.md's model): its conversations are added with an update (idempotent), whose
// answer gives the per-conversation results. That settles a create in doubt (its lost answer
// is replaced by the update's), retries one that failed in part (--retry-failed), and lets a
// verify's missing_contact_groups.jsonl refill a group that exists.
func (e *executor) runCreate(ctx context.Context, u *Unit) (outcome, error) {
	var resp *chatapi.CreateContactGroupResponse
	err := e.c.do(ctx, chatapi.PathCreateContactGroup, e.sending(u, capture(&resp, e.opt.API.CreateContactGroup, u.Create)))
	if err == nil {
		var results []chatapi.ContactResultItem
		for _, g := range resp.GroupResultItem {
			results = append(results, g.ResultItem...)
		}
		return contactOutcome(u, results), nil
	}
	if apiCode(err) == chatapi.CodeRCGroupExists {
		return e.readdCreated(ctx, u)
	}
	return requestFailed(ctx, u, err, true)
}

// runUpdate changes a conversation group's members, or renames it. Member changes are
// idempotent (API.md's model). A rename in doubt that answers 51009 (no group by the old
// name) was applied if the new name exists.
func (e *executor) runUpdate(ctx context.Context, u *Unit, doubt bool) (outcome, error) {
	rename := u.Update.UpdateGroup.UpdateGroupType == chatapi.UpdateGroupRename
	var resp *chatapi.UpdateContactGroupResponse
	err := e.c.do(ctx, chatapi.PathUpdateContactGroup, e.sending(u, func(ctx context.Context) error {
		r, err := e.opt.API.UpdateContactGroup(ctx, u.Update)
		if err != nil {
			doubt = doubt || inDoubt(err)
			return err
		}
		resp = r
		return nil
	}))
	if err == nil {
		out := contactOutcome(u, resp.UpdateGroupResult.ContactResultItem)
		if doubt {
			out = forgiveRemoves(out)
		}
		return out, nil
	}
	if rename && doubt && apiCode(err) == chatapi.CodeRCNoGroup {
		ug := &u.Update.UpdateGroup
		has, gerr := e.hasContactGroup(ctx, u.Update.From_Account, ug.NewGroupName)
		if gerr != nil {
			return requestFailed(ctx, u, gerr, true)
		}
		if has {
			return outcome{}, nil
		}
	}
	return requestFailed(ctx, u, err, rename)
}
