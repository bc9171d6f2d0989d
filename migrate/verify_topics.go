package migrate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// topicNameFilter is get_topic's ResponseFilter for a read that needs each topic's ID, name
// and creation time only: a Community's 200 topics then answer in a few tens of KB, where
// every field of every topic may pass the vendor's 1 MB cap on an answer (10018).
var topicNameFilter = []string{"TopicName", "CreateTime"}

// topicReads reads a Community's topics with get_topic, which has no paging: an answer the
// vendor finds too big (10018, chatapi.ClassTooBig) is asked for again in smaller pieces,
// never given up (docs/vendor-api.md, "Transport" and "Error classes").
type topicReads struct {
	p   *pacer.Pacer
	api API
}

// once sends q once through the pacer.
func (r topicReads) once(ctx context.Context, q *chatapi.GetTopicRequest) ([]chatapi.TopicAndSelfInfo, error) {
	var resp *chatapi.GetTopicResponse
	if err := r.p.Do(ctx, chatapi.PathGetTopic, pacer.Capture(&resp, r.api.GetTopic, q)); err != nil {
		return nil, err
	}
	return resp.TopicAndSelfInfo, nil
}

// names returns the topics of q.GroupId with at least their IDs, names and creation times:
// every field when the answer fits, else those three (topicNameFilter).
func (r topicReads) names(ctx context.Context, q chatapi.GetTopicRequest) ([]chatapi.TopicAndSelfInfo, error) {
	got, err := r.once(ctx, &q)
	if !chatapi.IsTooBig(err) || slices.Equal(q.ResponseFilter, topicNameFilter) {
		return got, err
	}
	q.ResponseFilter = topicNameFilter
	return r.once(ctx, &q)
}

// all returns what q asks for (every topic when q.TopicIdList is empty). An answer that
// would be too big is read as halves of the ID list, and those as halves again; with no
// list, the IDs are listed first (names). Only a single topic too big for an answer, which
// the vendor's field limits rule out, fails.
func (r topicReads) all(ctx context.Context, q chatapi.GetTopicRequest) ([]chatapi.TopicAndSelfInfo, error) {
	got, err := r.once(ctx, &q)
	if !chatapi.IsTooBig(err) {
		return got, err
	}
	ids := q.TopicIdList
	if len(ids) == 0 {
		lq := q
		lq.ResponseFilter = topicNameFilter
		listed, lerr := r.names(ctx, lq)
		if lerr != nil {
			return nil, fmt.Errorf("listing the topics of %s, whose answer is too big: %w", q.GroupId, lerr)
		}
		for _, t := range listed {
			if t.ErrorCode == 0 {
				ids = append(ids, t.TopicInfo.TopicId)
			}
		}
	}
	if len(ids) < 2 {
		return nil, err
	}
	var out []chatapi.TopicAndSelfInfo
	for _, part := range [][]string{ids[:len(ids)/2], ids[len(ids)/2:]} {
		pq := q
		pq.TopicIdList = part
		got, err := r.all(ctx, pq)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// verifyTopic is a topic the input defines, with what verify knows of its ID.
type verifyTopic struct {
	t sources.Topic
	// knownID is the TopicId an earlier run recorded in topic_ids.csv, for a topic whose input
	// has none. It is a hint: a topic not found under it is looked for by name.
	knownID    string
	createTime int64 // 0 when the input gives none
}

// newVerifyTopic prepares an input topic for comparison. CreateTime is valid (the plan checked it).
func newVerifyTopic(t sources.Topic, ids *TopicIDs) verifyTopic {
	w := verifyTopic{t: t}
	if t.CreateTime != "" {
		w.createTime, _ = strconv.ParseInt(t.CreateTime, 10, 64)
	}
	if t.TopicId == "" && ids != nil {
		w.knownID, _ = ids.Lookup(t.GroupId, t.TopicName)
	}
	return w
}

// diffTopics compares a Community group's topics in the input with those the target holds
// (get_topic's items with ErrorCode 0). A topic is matched by the input's own TopicId when it
// has one (a topic not found under it is missing); else by the TopicId of topic_ids.csv when
// the target has that ID; else by name among the target's topics not matched yet. A target
// topic matched by none is extra.
func diffTopics(groupID string, want []verifyTopic, got []chatapi.TopicInfo) checkResult {
	res := checkResult{checked: len(want)}
	byID := make(map[string]int, len(got))
	byName := make(map[string][]int, len(got))
	for i := range got {
		byID[got[i].TopicId] = i
		byName[got[i].TopicName] = append(byName[got[i].TopicName], i)
	}
	used := make([]bool, len(got))
	match := make([]int, len(want))
	for i := range match {
		match[i] = -1
	}
	take := func(wi, gi int) {
		match[wi], used[gi] = gi, true
	}
	// Three passes, from the surest evidence to the weakest, so that a weak match never takes
	// a target topic a surer one claims.
	for wi := range want {
		if id := want[wi].t.TopicId; id != "" {
			if gi, ok := byID[id]; ok && !used[gi] {
				take(wi, gi)
			}
		}
	}
	for wi := range want {
		if id := want[wi].knownID; id != "" && match[wi] < 0 {
			if gi, ok := byID[id]; ok && !used[gi] {
				take(wi, gi)
			}
		}
	}
	for wi := range want {
		if match[wi] >= 0 || want[wi].t.TopicId != "" {
			continue
		}
		for _, gi := range byName[want[wi].t.TopicName] {
			if !used[gi] {
				take(wi, gi)
				break
			}
		}
	}

	for wi := range want {
		w := &want[wi]
		if match[wi] < 0 {
			res.diffs = append(res.diffs, Diff{Kind: sources.Topics, Status: DiffMissing, From_Account: w.t.From_Account,
				GroupId: groupID, GroupName: w.t.TopicName, Member: cmp.Or(w.t.TopicId, w.knownID)})
			// The input row as given: its own TopicId only, never one a run generated.
			res.missing = append(res.missing, topicInputOf(topicItem(&w.t)))
			continue
		}
		g := &got[match[wi]]
		before := len(res.diffs)
		for _, f := range topicFields(w, g) {
			if f.want != f.got {
				res.diffs = append(res.diffs, Diff{Kind: sources.Topics, Status: DiffDiffers, From_Account: w.t.From_Account,
					GroupId: groupID, GroupName: w.t.TopicName, Member: g.TopicId, Field: f.name, Want: f.want, Got: f.got})
			}
		}
		if len(res.diffs) == before {
			res.equal++
		}
	}
	for gi := range got {
		if !used[gi] {
			res.diffs = append(res.diffs, Diff{Kind: sources.Topics, Status: DiffExtra, GroupId: groupID,
				GroupName: got[gi].TopicName, Member: got[gi].TopicId})
		}
	}
	return res
}

type fieldPair struct{ name, want, got string }

// topicFields lists the fields the input set, with the target's values. TopicName always
// counts (a topic matched by ID may have another name); CreateTime only when given.
func topicFields(w *verifyTopic, g *chatapi.TopicInfo) []fieldPair {
	fs := []fieldPair{{"TopicName", w.t.TopicName, g.TopicName}}
	for _, f := range []fieldPair{
		{"CustomString", w.t.CustomString, g.CustomString},
		{"FaceUrl", w.t.FaceUrl, g.FaceUrl},
		{"Notification", w.t.Notification, g.Notification},
		{"Introduction", w.t.Introduction, g.Introduction},
	} {
		if f.want != "" {
			fs = append(fs, f)
		}
	}
	if w.t.CreateTime != "" {
		fs = append(fs, fieldPair{"CreateTime", strconv.FormatInt(w.createTime, 10), strconv.FormatInt(g.CreateTime, 10)})
	}
	return fs
}
