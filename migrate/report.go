package migrate

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/chatmigrate/chatmigrate/sources"
)

// Report file names in the output directory (docs/contract.md, "Output").
const (
	FailuresFile = "failures.csv"
	TopicIDsFile = "topic_ids.csv"
	SummaryFile  = "summary.json"

	// validate's own files: it never writes run's.
	ValidateFailuresFile = "validate_failures.csv"
	ValidateSummaryFile  = "validate_summary.json"
)

// reportSet names the files a command's Reports write: run's, or validate's (no topic IDs,
// no failed_<kind>.jsonl).
type reportSet struct {
	failures, summary string
	topicIDs, failed  bool
}

var (
	runReports      = reportSet{failures: FailuresFile, summary: SummaryFile, topicIDs: true, failed: true}
	validateReports = reportSet{failures: ValidateFailuresFile, summary: ValidateSummaryFile}
)

// files lists the names of the files of s.
func (s reportSet) files() []string {
	names := []string{s.failures, s.summary}
	if s.topicIDs {
		names = append(names, TopicIDsFile)
	}
	if s.failed {
		for _, k := range sources.Kinds {
			names = append(names, FailedFile(k))
		}
	}
	return names
}

// RunReportFiles returns the names of the files run's Reports write in the output
// directory, and ValidateReportFiles validate's: a command must refuse an input that is one of
// them, since it replaces them.
func RunReportFiles() []string { return runReports.files() }

// ValidateReportFiles returns the names of the files validate's Reports write.
func ValidateReportFiles() []string { return validateReports.files() }

// CodeInvalid is failures.csv's code for a row that failed validation.
const CodeInvalid = "invalid"

// FailedFile returns the name of a kind's re-feedable failure file, failed_<kind>.jsonl.
func FailedFile(k sources.Kind) string { return "failed_" + string(k) + ".jsonl" }

var (
	failuresHeader = []string{"kind", "source", "line", "From_Account", "GroupId", "GroupName",
		"To_Account", "ToGroupId", "TopicName", "code", "message"}
	topicIDsHeader = []string{"GroupId", "TopicName", "TopicId", "source", "line"}
)

// Reports writes the report files of one command into a directory. Every call reaches the
// operating system before it returns, so a killed run leaves reports that are true for the
// work done so far (except in bulk mode, see beginBulk). It is safe for concurrent use.
type Reports struct {
	dir string
	set reportSet

	mu       sync.Mutex
	failures *csvFile
	topicIDs *csvFile
	failed   map[sources.Kind]*jsonlFile
	bulk     bool
	closed   bool
	// foundTopics: a topic_ids.csv row of a topic found on the target was written, which may
	// repeat an earlier record's; Close then keeps one row per topic (journal_dedup.go).
	foundTopics bool
}

// csvBufferSize is the write buffer of a CSV report in bulk mode: 64 KiB takes rows to the
// file in a sixteenth of the writes bufio's default 4 KiB would.
const csvBufferSize = 64 << 10

// csvFile is a CSV report file flushed after every row, except in bulk mode.
type csvFile struct {
	f   *os.File
	buf *bufio.Writer // between w and f
	w   *csv.Writer
}

// jsonlFile is a failed_<kind>.jsonl file. Its buffer is empty between calls, except in bulk
// mode.
type jsonlFile struct {
	f *os.File
	w *bufio.Writer
}

// createCSV replaces the file at path with one holding header, atomically (replaceFile),
// and returns it open for appending rows.
func createCSV(path string, header []string) (*csvFile, error) {
	var head bytes.Buffer
	hw := csv.NewWriter(&head)
	hw.Write(header)
	hw.Flush()
	f, err := replaceFile(path, head.Bytes())
	if err != nil {
		return nil, err
	}
	// csv.NewWriter's own buffer is bufio.NewWriter(buf), which is buf itself since buf is
	// large enough; flush empties both anyway, so rows never depend on that.
	buf := bufio.NewWriterSize(f, csvBufferSize)
	return &csvFile{f: f, buf: buf, w: csv.NewWriter(buf)}, nil
}

// replaceFile puts a new file holding head at path in one rename, and returns it open for
// appending. The old file is never truncated: a command still reading it (verify reading
// topic_ids.csv) reads it whole, and there is no moment when path holds half a header.
func replaceFile(path string, head []byte) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("create report: %w", err)
	}
	err = f.Chmod(0o644) // CreateTemp makes it 0600: a report is to be read
	if err == nil {
		_, err = f.Write(head)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("create report %s: %w", filepath.Base(path), err)
	}
	return f, nil
}

// write writes one row and, unless bulk, flushes it to the file.
func (c *csvFile) write(row []string, bulk bool) error {
	if err := c.w.Write(row); err != nil {
		return fmt.Errorf("write %s: %w", c.f.Name(), err)
	}
	if !bulk {
		return c.flush()
	}
	return nil
}

// flush hands the buffered rows to the operating system.
func (c *csvFile) flush() error {
	c.w.Flush()
	err := c.w.Error()
	if err == nil {
		err = c.buf.Flush()
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", c.f.Name(), err)
	}
	return nil
}

// write writes one line and, unless bulk, flushes it: in one write, since the buffer was empty,
// so that a line is never split between calls and there is no buffer to lose.
func (j *jsonlFile) write(line []byte, bulk bool) error {
	j.w.Write(line)
	if !bulk {
		return j.flush()
	}
	return nil
}

// flush hands the buffered lines to the operating system.
func (j *jsonlFile) flush() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", j.f.Name(), err)
	}
	return nil
}

// OpenReports creates dir if needed and replaces run's failures.csv and topic_ids.csv with
// new ones holding their headers. failed_<kind>.jsonl is created on the first failure of that
// kind.
func OpenReports(dir string) (*Reports, error) { return openReports(dir, runReports) }

// OpenValidateReports opens validate's reports in dir, as OpenReports opens run's:
// validate_failures.csv, and validate_summary.json on WriteSummary. It leaves run's files
// alone, so that validate may share a run's output directory, even while the run goes.
func OpenValidateReports(dir string) (*Reports, error) { return openReports(dir, validateReports) }

func openReports(dir string, set reportSet) (*Reports, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory: %w", err)
	}
	r := &Reports{dir: dir, set: set, failed: make(map[sources.Kind]*jsonlFile)}
	var err error
	if r.failures, err = createCSV(filepath.Join(dir, set.failures), failuresHeader); err != nil {
		return nil, err
	}
	if !set.topicIDs {
		return r, nil
	}
	if r.topicIDs, err = createCSV(filepath.Join(dir, TopicIDsFile), topicIDsHeader); err != nil {
		r.failures.f.Close()
		return nil, err
	}
	// A failed_<kind>.jsonl left by an earlier run would mix its failures with this run's.
	for _, k := range sources.Kinds {
		if err := os.Remove(filepath.Join(dir, FailedFile(k))); err != nil && !errors.Is(err, os.ErrNotExist) {
			r.Close()
			return nil, fmt.Errorf("remove old report: %w", err)
		}
	}
	return r, nil
}

// Dir returns the report directory.
func (r *Reports) Dir() string { return r.dir }

// Failure records one failed item: a failures.csv row, and a line in failed_<kind>.jsonl in
// that kind's JSONL input format, so that the file can be fed back to run once fixed. An item
// the reader could not parse at all (a malformed row) has no JSONL form: it gets the CSV row only.
func (r *Reports) Failure(kind sources.Kind, it Item, code, msg string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("reports: closed")
	}
	if err := r.failures.write(failureRow(kind, it, code, msg), r.bulk); err != nil {
		return err
	}
	l, ok := failedInput(kind, it)
	if !ok || !r.set.failed {
		return nil
	}
	line, err := appendLine(nil, l)
	if err != nil {
		return err
	}
	j := r.failed[kind]
	if j == nil {
		f, err := os.Create(filepath.Join(r.dir, FailedFile(kind)))
		if err != nil {
			return fmt.Errorf("create report: %w", err)
		}
		j = &jsonlFile{f: f, w: bufio.NewWriter(f)}
		r.failed[kind] = j
	}
	return j.write(line, r.bulk)
}

// Problem records an invalid record (code "invalid"); warnings are not failures and are
// ignored.
func (r *Reports) Problem(p Problem) error {
	if p.Warning {
		return nil
	}
	return r.Failure(p.Kind, p.Item, CodeInvalid, p.Message())
}

// TopicID records an imported topic's ID in topic_ids.csv.
func (r *Reports) TopicID(it Item, topicID string) error {
	return r.topic(newTopicLine(it, topicID))
}

// topic writes a topic_ids.csv row.
func (r *Reports) topic(t *topicLine) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("reports: closed")
	}
	if r.topicIDs == nil {
		return errors.New("reports: validate's reports hold no topic IDs")
	}
	return r.topicIDs.write(t.row(), r.bulk)
}

// Close writes any row still buffered and closes every report file. It is safe to call twice.
func (r *Reports) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	errs := []error{r.flushLocked()}
	for _, c := range []*csvFile{r.failures, r.topicIDs} {
		if c != nil {
			errs = append(errs, c.f.Close())
		}
	}
	for _, j := range r.failed {
		errs = append(errs, j.f.Close())
	}
	if r.failures != nil && errors.Join(errs...) == nil {
		errs = append(errs, sortFailures(filepath.Join(r.dir, r.set.failures)))
	}
	if r.foundTopics && errors.Join(errs...) == nil {
		errs = append(errs, dedupTopicIDs(filepath.Join(r.dir, TopicIDsFile)))
	}
	return errors.Join(errs...)
}
