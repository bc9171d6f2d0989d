package migrate

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// runTopics streams the topic units to workers, each topic on its own, as runKind does the
// other kinds, with one step more: the stream runs topicLookahead units ahead of the workers
// and announces each topic's Community to e.known, so that the Community's topics on the
// target are read (on get_topic's own limit) before its first import needs them.
func (e *executor) runTopics(ctx context.Context) error {
	wg, wctx := errgroup.WithContext(ctx)
	wg.SetLimit(e.c.Concurrency())
	e.known = newKnownTopics(topicReads{e.c, e.opt.API}, e.admin(), maxIdleCommunities)
	defer e.known.wait()

	queue := make(chan *Unit, topicLookahead)
	scanned := make(chan error, 1)
	go func() {
		defer close(queue)
		scanned <- e.p.Units(wctx, sources.Topics, func(u *Unit) error {
			if e.finished(u.Content) {
				return nil
			}
			e.known.want(wctx, u.Key)
			select {
			case queue <- u:
				return nil
			case <-wctx.Done():
				e.known.release(u.Key)
				return wctx.Err()
			}
		})
	}()
	var derr error
	for u := range queue {
		if derr == nil {
			derr = wctx.Err()
		}
		if derr != nil {
			e.known.release(u.Key) // drained: the stream stops at wctx's end
			continue
		}
		wg.Go(func() error {
			defer e.known.release(u.Key)
			return e.runChain(wctx, []*Unit{u})
		})
	}
	err := <-scanned
	if werr := wg.Wait(); werr != nil {
		return werr
	}
	if err == nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", sources.Topics, err)
	}
	return nil
}

// admin is get_topic's From_Account for a whole Community: the App admin.
func (e *executor) admin() string {
	if e.opt.Admin != "" {
		return e.opt.Admin
	}
	return chatapi.DefaultIdentifier
}

// knownTopic looks req up among its Community's topics on the target. settled is true when
// the Community was read, so that a topic in doubt that is not there was not imported.
func (e *executor) knownTopic(ctx context.Context, u *Unit) (out outcome, done, settled bool, err error) {
	if e.known == nil {
		return outcome{}, false, false, nil
	}
	m, rerr := e.known.lookup(ctx, u.Topic)
	switch {
	case rerr != nil:
		// Not known: the import's own answer decides, as without the read. A stop of the
		// run is the exception.
		return outcome{}, false, false, stopError(ctx, rerr)
	case m.conflict:
		return failAll(u, fmt.Sprint(chatapi.CodeTopicIDUsed),
			"not sent: the target holds another topic (another TopicName) under this TopicId"), true, true, nil
	case m.id != "":
		return outcome{topicID: m.id, present: true}, true, true, nil
	}
	return outcome{}, false, true, nil
}
