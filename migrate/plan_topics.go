package migrate

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// topicDedup decides which valid topics repeat an earlier one, by (GroupId, TopicId) or by
// (GroupId, TopicName).
//
// BuildPlan's scan decides (newTopicDedup): it remembers the topics seen so far by 64-bit
// FNV-1a hashes of the two pairs, in one hashSet rather than by the strings, and lists the
// records it rejected. The hash's lowest bit is replaced by a tag (0 for an id key, 1 for a
// name key), so that the two kinds of key share the set without meeting: a 63-bit hash per
// kind. Two distinct topics collide with probability about n²/2⁶⁴ per kind (about 5e-8 for a
// million topics), in which case the later one is wrongly reported as a duplicate; the hash
// is fixed (not seeded per process) so that every run of the same input decides the same way.
// 1.5M keys (1M topics, half with a TopicId) take 16 MiB.
//
// Later scans of the same plan (Units, EachTopic) replay those decisions (p.dedupReplay):
// they reject exactly the records listed and build no set, so the set is garbage once
// BuildPlan returns and the topics part of a run holds only the list (16 bytes a duplicate).
type topicDedup struct {
	seen *hashSet // nil when replaying
	dups []topicDup
	next int  // replay: the first entry of dups not yet reached
	diff bool // replay: a listed record is gone or no longer the same duplicate
}

// topicDup is a record rejected as a duplicate: its place in the scan (counting the records
// and malformed rows of every topics file) and the tagged key found in the set, whose tag
// tells which pair repeated.
type topicDup struct {
	ord int
	key uint64
}

// keyByName is the tag bit of a name key (id keys have it clear).
const keyByName = 1

func newTopicDedup() *topicDedup { return &topicDedup{seen: new(hashSet)} }

// dedupReplay returns a topicDedup that repeats BuildPlan's decisions.
func (p *Plan) dedupReplay() *topicDedup { return &topicDedup{dups: p.topicDups} }

func pairHash(a, b string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(a))
	h.Write([]byte{0})
	h.Write([]byte(b))
	return h.Sum64()
}

func idKey(t *sources.Topic) uint64   { return pairHash(t.GroupId, t.TopicId) &^ keyByName }
func nameKey(t *sources.Topic) uint64 { return pairHash(t.GroupId, t.TopicName) | keyByName }

// check returns the issue of a duplicate, or nil. ord is the record's place in the scan; it
// grows from call to call.
func (d *topicDedup) check(ord int, t *sources.Topic) *issue {
	var key uint64 // the key that repeated
	var dup bool
	if d.seen != nil {
		key, dup = d.decide(ord, t)
	} else {
		key, dup = d.replay(ord, t)
	}
	switch {
	case !dup:
		return nil
	case key&keyByName != 0:
		return &issue{"TopicName", t.TopicName, "duplicate topic: an earlier row has the same GroupId and TopicName"}
	default:
		return &issue{"TopicId", t.TopicId, "duplicate topic: an earlier row has the same GroupId and TopicId"}
	}
}

// decide looks t up and records it: in dups when a key repeats (returned), else as seen.
func (d *topicDedup) decide(ord int, t *sources.Topic) (key uint64, dup bool) {
	var ik uint64
	if t.TopicId != "" {
		if ik = idKey(t); d.seen.has(ik) {
			d.dups = append(d.dups, topicDup{ord, ik})
			return ik, true
		}
	}
	nk := nameKey(t)
	if d.seen.has(nk) {
		d.dups = append(d.dups, topicDup{ord, nk})
		return nk, true
	}
	if t.TopicId != "" {
		d.seen.add(ik)
	}
	d.seen.add(nk)
	return 0, false
}

// replay returns the key BuildPlan found repeated at record ord, if it rejected it. A listed
// record that is gone or no longer has that key means the file changed since: diff says so,
// for topicUnits to report, and the record is taken as it now is.
func (d *topicDedup) replay(ord int, t *sources.Topic) (key uint64, dup bool) {
	for d.next < len(d.dups) && d.dups[d.next].ord < ord {
		d.next++
		d.diff = true // its record is now malformed or invalid
	}
	if d.next == len(d.dups) || d.dups[d.next].ord != ord {
		return 0, false
	}
	key = d.dups[d.next].key
	d.next++
	if key&keyByName != 0 && nameKey(t) == key || key&keyByName == 0 && t.TopicId != "" && idKey(t) == key {
		return key, true
	}
	d.diff = true
	return 0, false
}

// changed reports whether a replay found the records BuildPlan rejected changed, or not
// all of them (call it after the scan).
func (d *topicDedup) changed() bool { return d.diff || d.next < len(d.dups) }

// scanTopics reads every topics file in order and calls fn for each record: with its request
// when valid, or with its Problem (t nil for a malformed row). The rules, now and the dedup
// across files (decided by BuildPlan's scan, replayed by the later ones) are the same on every
// call, so every scan of the same files agrees. The header errors of skipped files are
// returned apart; any other error stops the scan.
func (p *Plan) scanTopics(ctx context.Context, h hash.Hash, dedup *topicDedup,
	fn func(t *sources.Topic, req *chatapi.ImportTopicRequest, prob *Problem) error) ([]error, error) {
	ord := 0 // records and malformed rows so far, for dedup
	var headerErrs []error
	for _, name := range p.Inputs.Topics {
		err := readRecords(ctx, sources.Topics, name, h, sources.NewTopics, func(t *sources.Topic, re *sources.RowError) error {
			ord++
			if re != nil {
				pr := rowProblem(sources.Topics, re)
				return fn(nil, nil, &pr)
			}
			issues, req := validateTopic(t, p.nowUnix)
			if len(issues) == 0 {
				if is := dedup.check(ord, t); is != nil {
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
	dedup := p.dedupReplay()
	_, err := p.scanTopics(ctx, nil, dedup, func(t *sources.Topic, req *chatapi.ImportTopicRequest, _ *Problem) error {
		if req == nil {
			return nil
		}
		u := &Unit{Ord: ord + n, Kind: sources.Topics, Key: t.GroupId, Topic: req,
			Items: []Item{topicItem(t)}}
		u.Content = contentKey(u.Kind, u.Key, u.Items)
		n++
		return fn(u)
	})
	if err != nil {
		return err
	}
	if want := p.Stats[sources.Topics].Units; n != want {
		return fmt.Errorf("topics input changed since it was planned: %d valid topics, the plan has %d", n, want)
	}
	if dedup.changed() {
		return errors.New("topics input changed since it was planned: the duplicate topics differ")
	}
	return nil
}

// EachTopic calls fn with every valid topic in input order: what the target should hold.
func (p *Plan) EachTopic(ctx context.Context, fn func(t sources.Topic) error) error {
	_, err := p.scanTopics(ctx, nil, p.dedupReplay(), func(t *sources.Topic, req *chatapi.ImportTopicRequest, _ *Problem) error {
		if req == nil {
			return nil
		}
		return fn(*t)
	})
	return err
}
