package migrate

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/gocarina/gocsv"

	"github.com/chatmigrate/chatmigrate/sources"
)

// DiffFile is verify's list of differences in the output directory (docs/contract.md,
// "Output").
const DiffFile = "diff.csv"

// VerifySummaryFile is verify's summary in the output directory: not run's summary.json,
// which a verify in a run's output directory would otherwise replace.
const VerifySummaryFile = "verify_summary.json"

// VerifyReportFiles returns the names of the files verify writes in the output directory.
func VerifyReportFiles() []string {
	names := []string{DiffFile, VerifySummaryFile}
	for _, k := range sources.Kinds {
		names = append(names, MissingFile(k))
	}
	return names
}

// MissingFile returns the name of a kind's re-feedable list of missing items,
// missing_<kind>.jsonl: a run given that file as its input of the kind fills the gaps.
func MissingFile(k sources.Kind) string { return "missing_" + string(k) + ".jsonl" }

var diffHeader = []string{"kind", "status", "From_Account", "GroupId", "GroupName", "member", "field", "want", "got"}

// DiffReport writes verify's reports into a directory: diff.csv, missing_<kind>.jsonl and
// verify_summary.json. It leaves run's reports (failures.csv, topic_ids.csv, summary.json)
// alone, so that verify may share run's output directory, even while the run goes. Rows reach the operating system before a call returns. It is safe
// for concurrent use.
type DiffReport struct {
	dir string

	mu      sync.Mutex
	f       *os.File
	w       *csv.Writer
	missing map[sources.Kind]*os.File
	closed  bool
}

// OpenDiffReport creates dir if needed and replaces diff.csv with a new one holding its
// header and each missing_<kind>.jsonl with an empty one, atomically (replaceFile): all three
// are there, empty when nothing of the kind is missing, so that a script can feed each to run.
func OpenDiffReport(dir string) (*DiffReport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory: %w", err)
	}
	r := &DiffReport{dir: dir, missing: make(map[sources.Kind]*os.File)}
	for _, k := range sources.Kinds {
		f, err := replaceFile(filepath.Join(dir, MissingFile(k)), nil)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.missing[k] = f
	}
	var head bytes.Buffer
	hw := csv.NewWriter(&head)
	hw.Write(diffHeader)
	hw.Flush()
	f, err := replaceFile(filepath.Join(dir, DiffFile), head.Bytes())
	if err != nil {
		r.Close()
		return nil, err
	}
	r.f, r.w = f, csv.NewWriter(f)
	return r, nil
}

// Dir returns the report directory.
func (r *DiffReport) Dir() string { return r.dir }

func (r *DiffReport) flush() error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return fmt.Errorf("write %s: %w", DiffFile, err)
	}
	return nil
}

// Write records the differences and missing items of one group or user of kind k.
func (r *DiffReport) Write(k sources.Kind, diffs []Diff, missing []inputLine) error {
	if len(diffs) == 0 && len(missing) == 0 {
		return nil
	}
	var lines []byte
	for _, m := range missing {
		if m.kind() != k {
			return fmt.Errorf("missing %s: a line of %s", k, m.kind())
		}
		var err error
		if lines, err = appendLine(lines, m); err != nil {
			return fmt.Errorf("missing %s: %w", k, err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("diff report: closed")
	}
	for i := range diffs {
		r.w.Write(diffs[i].row())
	}
	if err := r.flush(); err != nil {
		return err
	}
	if len(lines) == 0 {
		return nil
	}
	f := r.missing[k]
	if f == nil {
		return fmt.Errorf("missing %s: not a kind", k)
	}
	// One write per group or user: a line is never split between calls.
	if _, err := f.Write(lines); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return nil
}

// WriteSummary writes verify_summary.json atomically, as Reports.WriteSummary does.
func (r *DiffReport) WriteSummary(s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	return writeAtomic(filepath.Join(r.dir, VerifySummaryFile), append(b, '\n'))
}

// Close closes the report files. It is safe to call twice.
func (r *DiffReport) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	var errs []error
	if r.f != nil {
		errs = append(errs, r.f.Close())
	}
	for _, f := range r.missing {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// TopicIDs maps a topic's (GroupId, TopicName) to the TopicId a run recorded in
// topic_ids.csv. Keys are kept as 64-bit hashes, as the plan's duplicate check keeps them: a
// collision only makes verify look a topic up under a wrong ID first, and then by name.
type TopicIDs struct {
	m map[uint64]string
}

// Len returns how many topics the map holds.
func (t *TopicIDs) Len() int { return len(t.m) }

// Lookup returns the TopicId recorded for a topic.
func (t *TopicIDs) Lookup(groupID, topicName string) (string, bool) {
	id, ok := t.m[pairHash(groupID, topicName)]
	return id, ok
}

type topicIDRow struct {
	GroupId   string `csv:"GroupId"`
	TopicName string `csv:"TopicName"`
	TopicId   string `csv:"TopicId"`
}

// ReadTopicIDs reads a topic_ids.csv (GroupId,TopicName,TopicId,source,line; the columns are
// found by name, others are ignored). A later row for the same topic wins: a rerun that
// imported it again recorded the newer ID. Rows without a TopicId are skipped.
func ReadTopicIDs(r io.Reader) (*TopicIDs, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" { // a BOM left by a spreadsheet
		br.Discard(3)
	}
	// FieldsPerRecord stays 0: every row must be as wide as the header.
	cr := csv.NewReader(br)
	um, err := gocsv.NewUnmarshaller(cr, topicIDRow{})
	t := &TopicIDs{m: make(map[uint64]string)}
	if errors.Is(err, io.EOF) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("topic IDs: read header: %w", err)
	}
	if len(um.MismatchedStructFields) > 0 {
		return nil, fmt.Errorf("topic IDs: header lacks %v (want %s's header GroupId,TopicName,TopicId,source,line)",
			um.MismatchedStructFields, TopicIDsFile)
	}
	for {
		v, err := um.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("topic IDs: %w", err)
		}
		row := v.(topicIDRow)
		if row.TopicId != "" {
			t.m[pairHash(row.GroupId, row.TopicName)] = row.TopicId
		}
	}
}

// LoadTopicIDs reads the topic_ids.csv at path.
func LoadTopicIDs(path string) (*TopicIDs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open topic IDs: %w", err)
	}
	defer f.Close()
	t, err := ReadTopicIDs(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}
