package migrate

import (
	"container/list"
	"context"
	"errors"
	"sync"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Topics already on the target: a run whose checkpoint is gone, or a target that some other
// tool filled in part, must neither import a topic twice nor report it failed. Before a
// Community's topics are imported, its topics are read once (get_topic, the IDs, names and
// creation times only), and an input topic found there is skipped with the ID it has.
//
// The reads run on get_topic's own rate limit, ahead of the imports (runTopics looks
// topicLookahead units ahead), so that they cost no import time. Memory stays bounded
// whatever the input's order: what matching needs of a Community (an ID and a name per
// topic, at most the vendor's 200 topics) is kept while that Community's topics are in
// flight, and for at most maxIdleCommunities Communities after, the least recently used
// dropped first; a Community that comes back after that is read again.

// maxIdleCommunities is how many Communities without topics in flight keep what was read of
// them, for inputs whose Communities interleave.
const maxIdleCommunities = 256

// topicLookahead is how many topic units runTopics reads ahead of the imports, starting the
// reads of the Communities it meets: at 200 imports/s, over a second before they are needed.
const topicLookahead = 256

// topicMatch is what the target holds of one input topic.
type topicMatch struct {
	id       string // the topic's ID on the target, when it is there
	conflict bool   // another topic holds the input's TopicId: importing it answers 10021
}

// matchTopic finds req among a Community's topics: by its TopicId when it has one (the same
// name there: it is this topic; another name: a conflict), else by TopicName and, when the
// input gives one, CreateTime. It is the one rule of the run and of validate's prediction.
func matchTopic(g *communityTopics, req *chatapi.ImportTopicRequest) topicMatch {
	if req.TopicId != "" {
		name, ok := g.byID[req.TopicId]
		switch {
		case !ok:
			return topicMatch{}
		case name == req.TopicName:
			return topicMatch{id: req.TopicId}
		}
		return topicMatch{conflict: true}
	}
	for _, t := range g.byName[req.TopicName] {
		if req.CreateTime == 0 || t.createTime == req.CreateTime {
			return topicMatch{id: t.id}
		}
	}
	return topicMatch{}
}

// communityTopics is what matching needs of one Community's topics on the target.
type communityTopics struct {
	byID   map[string]string       // TopicId → TopicName
	byName map[string][]namedTopic // TopicName → the topics of that name
}

type namedTopic struct {
	id         string
	createTime int64
}

// newCommunityTopics keeps the matching fields of get_topic's items (those with ErrorCode 0).
func newCommunityTopics(items []chatapi.TopicAndSelfInfo) *communityTopics {
	g := &communityTopics{byID: make(map[string]string, len(items)), byName: make(map[string][]namedTopic, len(items))}
	for _, it := range items {
		if it.ErrorCode != 0 {
			continue
		}
		ti := it.TopicInfo
		g.byID[ti.TopicId] = ti.TopicName
		g.byName[ti.TopicName] = append(g.byName[ti.TopicName], namedTopic{ti.TopicId, ti.CreateTime})
	}
	return g
}

// knownTopics reads and keeps the target's topics of the Communities in flight. want is
// called in input order, before a topic is handed to a worker; lookup waits for the read;
// release ends the topic's interest. Safe for concurrent use.
type knownTopics struct {
	reads topicReads
	admin string // get_topic's From_Account: an App admin may read any Community
	// idleMax bounds the Communities kept without topics in flight.
	idleMax int

	mu     sync.Mutex
	groups map[string]*knownCommunity
	idle   *list.List // of group IDs, least recently released first
	wg     sync.WaitGroup
}

// knownCommunity is one Community's entry: its read (done closed when it ended) and how
// many of its topics are in flight.
type knownCommunity struct {
	done    chan struct{}
	topics  *communityTopics // nil when the read failed
	err     error
	pending int
	elem    *list.Element // in idle while pending is 0
}

func newKnownTopics(reads topicReads, admin string, idleMax int) *knownTopics {
	return &knownTopics{reads: reads, admin: admin, idleMax: idleMax, groups: make(map[string]*knownCommunity), idle: list.New()}
}

// want announces a topic of group gid: the first one of a Community not kept starts its read,
// on ctx, in a goroutine of its own.
func (k *knownTopics) want(ctx context.Context, gid string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.groups[gid]
	if c == nil {
		c = &knownCommunity{done: make(chan struct{})}
		k.groups[gid] = c
		k.wg.Go(func() {
			items, err := k.reads.names(ctx, chatapi.GetTopicRequest{GroupId: gid, From_Account: k.admin, ResponseFilter: topicNameFilter})
			if err == nil {
				c.topics = newCommunityTopics(items)
			}
			c.err = err
			close(c.done)
		})
	}
	if c.elem != nil {
		k.idle.Remove(c.elem)
		c.elem = nil
	}
	c.pending++
}

// lookup waits for the read of req's Community (announced by want) and matches req. The
// error is the read's: the target is then not known for this Community.
func (k *knownTopics) lookup(ctx context.Context, req *chatapi.ImportTopicRequest) (topicMatch, error) {
	k.mu.Lock()
	c := k.groups[req.GroupId]
	k.mu.Unlock()
	if c == nil {
		return topicMatch{}, errNotAnnounced
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return topicMatch{}, ctx.Err()
	}
	if c.err != nil {
		return topicMatch{}, c.err
	}
	return matchTopic(c.topics, req), nil
}

// release ends one topic's interest in group gid (announced by want). A Community without
// topics in flight stays kept until maxIdle others are released after it.
func (k *knownTopics) release(gid string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.groups[gid]
	if c == nil || c.pending == 0 {
		return
	}
	if c.pending--; c.pending > 0 {
		return
	}
	c.elem = k.idle.PushBack(gid)
	for k.idle.Len() > k.idleMax {
		old := k.idle.Remove(k.idle.Front()).(string)
		delete(k.groups, old)
	}
}

// wait waits for the reads started (they end with their context).
func (k *knownTopics) wait() { k.wg.Wait() }

// errNotAnnounced is a lookup without want: a bug, which reads as "the target is not known".
var errNotAnnounced = errors.New("topics: a Community looked up before it was announced")
