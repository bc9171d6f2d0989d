package migrate

import (
	"context"
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// topicDedup remembers the valid topics seen so far by 64-bit FNV-1a hashes of (GroupId,
// TopicId) and (GroupId, TopicName) rather than by the strings: 1M topics cost ~40 MB instead
// of hundreds. Two distinct topics collide with probability ~n²/2⁶⁵ (about 3e-8 for a million
// topics), in which case the later one is wrongly reported as a duplicate; the hash is fixed
// (not seeded per process) so that every run of the same input decides the same way.
type topicDedup struct {
	ids, names map[uint64]struct{}
}

func newTopicDedup() *topicDedup {
	return &topicDedup{ids: make(map[uint64]struct{}), names: make(map[uint64]struct{})}
}

func pairHash(a, b string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(a))
	h.Write([]byte{0})
	h.Write([]byte(b))
	return h.Sum64()
}

// check returns the issue of a duplicate, or records the topic as seen.
func (d *topicDedup) check(t *sources.Topic) *issue {
	var idKey uint64
	if t.TopicId != "" {
		idKey = pairHash(t.GroupId, t.TopicId)
		if _, dup := d.ids[idKey]; dup {
			return &issue{"TopicId", t.TopicId, "duplicate topic: an earlier row has the same GroupId and TopicId"}
		}
	}
	nameKey := pairHash(t.GroupId, t.TopicName)
	if _, dup := d.names[nameKey]; dup {
		return &issue{"TopicName", t.TopicName, "duplicate topic: an earlier row has the same GroupId and TopicName"}
	}
	if t.TopicId != "" {
		d.ids[idKey] = struct{}{}
	}
	d.names[nameKey] = struct{}{}
	return nil
}

// scanTopics reads every topics file in order and calls fn for each record: with its request
// when valid, or with its Problem (t nil for a malformed row). The rules, the dedup across
// files and now are the same on every call, so every scan of the same files agrees. The
// header errors of skipped files are returned apart; any other error stops the scan.
func (p *Plan) scanTopics(ctx context.Context, h hash.Hash,
	fn func(t *sources.Topic, req *chatapi.ImportTopicRequest, prob *Problem) error) ([]error, error) {
	dedup := newTopicDedup()
	var headerErrs []error
	for _, name := range p.Inputs.Topics {
		err := readRecords(ctx, sources.Topics, name, h, sources.NewTopics, func(t *sources.Topic, re *sources.RowError) error {
			if re != nil {
				pr := rowProblem(sources.Topics, re)
				return fn(nil, nil, &pr)
			}
			issues, req := validateTopic(t, p.nowUnix)
			if len(issues) == 0 {
				if is := dedup.check(t); is != nil {
					issues = append(issues, *is)
				}
			}
			if len(issues) > 0 {
				pr := problemOf(sources.Topics, topicItem(t), issues)
				return fn(t, nil, &pr)
			}
			return fn(t, req, nil)
		})
		if isHeaderError(err) {
			headerErrs = append(headerErrs, err)
			continue
		}
		if err != nil {
			return headerErrs, err
		}
	}
	return headerErrs, nil
}

// topicUnits reads the topics again and yields one import_topic unit per valid topic.
func (p *Plan) topicUnits(ctx context.Context, fn func(*Unit) error) error {
	ord := p.Offset(sources.Topics)
	n := 0
	_, err := p.scanTopics(ctx, nil, func(t *sources.Topic, req *chatapi.ImportTopicRequest, _ *Problem) error {
		if req == nil {
			return nil
		}
		u := &Unit{Ord: ord + n, Kind: sources.Topics, Key: t.GroupId, After: -1, Topic: req,
			Items: []Item{topicItem(t)}}
		n++
		return fn(u)
	})
	if err != nil {
		return err
	}
	if want := p.Stats[sources.Topics].Requests; n != want {
		return fmt.Errorf("topics input changed since it was planned: %d valid topics, the plan has %d", n, want)
	}
	return nil
}

// EachTopic calls fn with every valid topic in input order: what the target should hold.
func (p *Plan) EachTopic(ctx context.Context, fn func(t sources.Topic) error) error {
	_, err := p.scanTopics(ctx, nil, func(t *sources.Topic, req *chatapi.ImportTopicRequest, _ *Problem) error {
		if req == nil {
			return nil
		}
		return fn(*t)
	})
	return err
}
