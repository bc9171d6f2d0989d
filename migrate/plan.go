package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// DefaultContactChunk is how many conversations one create or update request carries: the
// vendor's most (51006, docs/vendor-api.md, "Limits"). A larger chunk is cut to it.
const DefaultContactChunk = 100

// PlanOptions tune BuildPlan.
type PlanOptions struct {
	Now func() time.Time // CreateTime must not be after Now; default time.Now
	// OnProblem is called for every invalid record and every warning, in input order per kind;
	// may be nil. A kind spilled to disk (see Memory) reports its malformed rows as they are
	// read and the rest user by user, each user's in input order; the two grouped kinds are
	// then planned side by side, so that their problems interleave (calls never overlap).
	OnProblem    func(Problem)
	ContactChunk int // conversations per create/update request; default and at most DefaultContactChunk
	// Memory is the most memory, in bytes, planning is to use; 0 means DefaultMemory.
	// Friend and conversation groups that would not fit are sorted on disk (spill.go).
	Memory int64
	// TempDir is where a spill's temporary files go; "" means os.TempDir(). They are
	// unlinked as soon as they are created.
	TempDir string
	// Journal is the checkpoint a run will resume, or nil: BuildPlan notes which of its topics
	// the journal records, so that Execute need not read the topics once more to learn it.
	Journal *checkpoint.Journal
	// OnProgress, when set, is called now and then while the grouped input is read and
	// collected, from the goroutine that called BuildPlan.
	OnProgress func(PlanProgress)

	spill spillTuning // tests: force a spill, cut small batches
}

// PlanProgress tells how far BuildPlan got: records handled so far of one kind.
type PlanProgress struct {
	Kind    sources.Kind
	Records int
	Spilled bool // the kind is sorted on disk: Records counts both the read and the merge
}

// KindStats counts one kind's records and planned work.
//
// Records counts what the files hold (CSV rows, JSONL lines, malformed ones included). Invalid
// counts records with at least one invalid item and Valid the others; a JSONL line listing
// many friends or conversations may have only some of them invalid, and its valid ones are
// still planned. Warnings counts accepted records with a remark (a merged duplicate). Items
// counts the planned items and Units the planned units (a topic, one user's friend groups,
// one user's conversation groups). Requests estimates the requests the units send, ByEndpoint
// per service path: for topics, one import each and one read of each Community's topics; for
// friend and conversation groups, each user's read plus the writes an empty target needs (a
// target that holds some of it already needs fewer).
type KindStats struct {
	Records, Valid, Invalid, Warnings, Units, Requests, Items int
	ByEndpoint                                                map[string]int
}

// Plan is the validated input cut into requests. It is deterministic: the same files and
// options give the same units in the same order, each with the same content key, by which a
// resumed run knows what an earlier one finished (Unit.Content).
//
// Topics are not held in memory: Units and EachTopic read the files again, with the same
// validation and the same notion of now. Friend and conversation groups are held interned,
// or, past the memory budget, in temporary files read back a batch of users at a time
// (spill.go); Close releases those.
type Plan struct {
	Inputs      sources.Inputs
	Stats       map[sources.Kind]*KindStats
	Fingerprint string // hex SHA-256 of every input file's kind, name and bytes, and ContactChunk
	Total       int    // units over all kinds

	nowUnix  int64
	chunk    int
	friends  *friendSet
	contacts *contactSet
	// topicDups are the topic records BuildPlan rejected as duplicates (see topicDedup),
	// so that later scans reject them without the set it needed to find them.
	topicDups []topicDup
	// recorded is what the topics scan learned from PlanOptions.Journal.
	recorded *recordedTopics
}

// BuildPlan reads every input, validates every record, reports each problem through
// opt.OnProblem and plans the valid records into units.
//
// A file whose CSV header does not fit its kind, or that cannot be read on (a truncated or
// corrupt gzip stream), is skipped and the others are read on, so that one pass reports
// everything: the plan is then returned together with an error joining every
// *sources.HeaderError and *sources.FileError (errors.As finds them). Any other error (a
// missing file, ctx cancelled) returns no plan.
func BuildPlan(ctx context.Context, in sources.Inputs, opt PlanOptions) (*Plan, error) {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	chunk := opt.ContactChunk
	if chunk <= 0 {
		chunk = DefaultContactChunk
	}
	report := opt.OnProblem
	if report == nil {
		report = func(Problem) {}
	}
	p := &Plan{Inputs: in, Stats: make(map[sources.Kind]*KindStats), nowUnix: now().Unix(), chunk: chunk}
	for _, k := range sources.Kinds {
		p.Stats[k] = &KindStats{ByEndpoint: make(map[string]int)}
	}
	h := sha256.New()
	var headerErrs []error

	// Topics stream: this pass validates, counts and decides the duplicates; Units and
	// EachTopic read the files again.
	st := p.Stats[sources.Topics]
	dedup := newTopicDedup()
	communities := new(hashSet) // a run reads each Community's topics before it imports any
	p.recorded = newRecordedTopics(opt.Journal)
	herrs, err := p.scanTopics(ctx, h, dedup, func(t *sources.Topic, req *chatapi.ImportTopicRequest, prob *Problem) error {
		if prob != nil {
			countRecord(st, []Problem{*prob}, false)
			report(*prob)
		} else {
			countRecord(st, nil, true)
			communities.add(pairHash(t.GroupId, ""))
			p.recorded.note(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.topicDups = dedup.dups // the set in dedup is garbage from here on
	headerErrs = append(headerErrs, herrs...)
	st.Units, st.Items = st.Valid, st.Valid
	if st.Valid > 0 {
		st.ByEndpoint[chatapi.PathImportTopic] = st.Valid
		st.ByEndpoint[chatapi.PathGetTopic] = communities.count()
		st.Requests = st.Valid + communities.count()
	}

	herrs, err = p.collectGroups(ctx, in, h, report, newSpillConfig(opt))
	if err != nil {
		return nil, err
	}
	headerErrs = append(headerErrs, herrs...)
	fmt.Fprintf(h, "contact_chunk=%d\n", chunk)
	// Plans that cut friend groups otherwise (a unit per request, before a unit per user)
	// have fingerprints of their own.
	fmt.Fprintf(h, "friend_units=per_user\n")
	p.Fingerprint = hex.EncodeToString(h.Sum(nil))
	for _, k := range sources.Kinds {
		p.Total += p.Stats[k].Units
	}
	return p, errors.Join(headerErrs...)
}

// countRecord adds one record's outcome to the stats.
func countRecord(st *KindStats, probs []Problem, valid bool) {
	st.Records++
	invalid := false
	for _, pr := range probs {
		if pr.Warning {
			st.Warnings++
		} else {
			invalid = true
		}
	}
	if invalid || !valid {
		st.Invalid++
	} else {
		st.Valid++
	}
}

// Offset returns the Ord of the kind's first unit: units (not requests) are numbered topics
// first, then friend groups, then conversation groups.
func (p *Plan) Offset(k sources.Kind) int {
	off := 0
	for _, kk := range sources.Kinds {
		if kk == k {
			return off
		}
		off += p.Stats[kk].Units
	}
	return off
}

// Close releases the temporary files of a plan that was spilled to disk; the plan must not be
// used after. A plan held in memory needs no Close, and a spilled one that is never closed
// frees its files when it is garbage collected or the process ends (they are unlinked).
func (p *Plan) Close() error {
	var errs []error
	if p.friends != nil {
		errs = append(errs, p.friends.close())
	}
	if p.contacts != nil {
		errs = append(errs, p.contacts.close())
	}
	return errors.Join(errs...)
}

// Units calls fn with each unit of kind k in Ord order. The units are built afresh on every
// call (fn may keep them); topics are read from the files again.
func (p *Plan) Units(ctx context.Context, k sources.Kind, fn func(*Unit) error) error {
	switch k {
	case sources.Topics:
		return p.topicUnits(ctx, fn)
	case sources.FriendGroups:
		return p.friendUnits(ctx, fn)
	case sources.ContactGroups:
		return p.contactUnits(ctx, fn)
	}
	return fmt.Errorf("units: unknown kind %q", k)
}

// hashFileHeader starts one file's part of the fingerprint; its bytes follow.
func hashFileHeader(h hash.Hash, k sources.Kind, name string) {
	fmt.Fprintf(h, "%s\x00%s\x00", k, name)
}
