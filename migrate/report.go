package migrate

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/chatmigrate/chatmigrate/sources"
)

// Report file names in the output directory (CONTRACT.md "Output").
const (
	FailuresFile = "failures.csv"
	TopicIDsFile = "topic_ids.csv"
	SummaryFile  = "summary.json"
)

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

	mu       sync.Mutex
	failures *csvFile
	topicIDs *csvFile
	failed   map[sources.Kind]*jsonlFile
	bulk     bool
	closed   bool
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

func createCSV(path string, header []string) (*csvFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create report: %w", err)
	}
	// csv.NewWriter's own buffer is bufio.NewWriter(buf), which is buf itself since buf is
	// large enough; flush empties both anyway, so rows never depend on that.
	buf := bufio.NewWriterSize(f, csvBufferSize)
	c := &csvFile{f: f, buf: buf, w: csv.NewWriter(buf)}
	if err := c.write(header, false); err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
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

// OpenReports creates dir if needed and (re)creates failures.csv and topic_ids.csv with their
// headers. failed_<kind>.jsonl is created on the first failure of that kind.
func OpenReports(dir string) (*Reports, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory: %w", err)
	}
	r := &Reports{dir: dir, failed: make(map[sources.Kind]*jsonlFile)}
	var err error
	if r.failures, err = createCSV(filepath.Join(dir, FailuresFile), failuresHeader); err != nil {
		return nil, err
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
	err := r.failures.write([]string{string(kind), it.Pos.File, strconv.Itoa(it.Pos.Line), it.From_Account,
		it.GroupId, it.GroupName, it.To_Account, it.ToGroupId, it.TopicName, code, msg}, r.bulk)
	if err != nil {
		return err
	}
	line, ok := failedLine(kind, it)
	if !ok {
		return nil
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
	return j.write(append(line, '\n'), r.bulk)
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("reports: closed")
	}
	return r.topicIDs.write([]string{it.GroupId, it.TopicName, topicID, it.Pos.File, strconv.Itoa(it.Pos.Line)}, r.bulk)
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
	return errors.Join(errs...)
}

// failedLine renders an item in its kind's JSONL input format (CONTRACT.md), with the field
// names of the input. ok is false for an item with nothing to give back.
func failedLine(kind sources.Kind, it Item) (line []byte, ok bool) {
	var v any
	switch kind {
	case sources.Topics:
		if it.GroupId == "" && it.TopicName == "" && it.TopicId == "" {
			return nil, false
		}
		t := failedTopic{GroupId: it.GroupId, TopicId: it.TopicId, TopicName: it.TopicName,
			From_Account: it.From_Account, CustomString: it.CustomString, FaceUrl: it.FaceUrl,
			Notification: it.Notification, Introduction: it.Introduction}
		if it.CreateTime != "" {
			// A number, as the input format has it; a value that is no number stays a string
			// (the row was invalid for that reason, and the person fixing it needs to see it).
			if _, err := strconv.ParseInt(it.CreateTime, 10, 64); err == nil {
				t.CreateTime = json.Number(it.CreateTime)
			} else {
				t.CreateTime = it.CreateTime
			}
		}
		v = t
	case sources.FriendGroups:
		if it.From_Account == "" && it.GroupName == "" {
			return nil, false
		}
		f := failedFriendGroup{From_Account: it.From_Account, GroupName: it.GroupName, To_Account: []string{}}
		if it.To_Account != "" {
			f.To_Account = []string{it.To_Account}
		}
		v = f
	case sources.ContactGroups:
		if it.From_Account == "" && it.GroupName == "" {
			return nil, false
		}
		c := failedContactGroup{From_Account: it.From_Account, GroupName: it.GroupName, NewGroupName: it.NewGroupName}
		if it.Op != "" && it.Op != opAdd {
			c.Op = it.Op
		}
		if it.Type != 0 || it.TypeText != "" || it.To_Account != "" || it.ToGroupId != "" {
			ci := failedContact{To_Account: it.To_Account, ToGroupId: it.ToGroupId}
			switch {
			case it.Type != 0:
				ci.Type = it.Type
			case it.TypeText != "":
				ci.Type = it.TypeText
			}
			c.ContactItem = []failedContact{ci}
		}
		v = c
	default:
		return nil, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false // unreachable: strings, numbers and slices always encode
	}
	return b, true
}

// The JSONL forms of failed items: the input formats of CONTRACT.md.
type (
	failedTopic struct {
		GroupId      string `json:"GroupId"`
		TopicId      string `json:"TopicId,omitempty"`
		TopicName    string `json:"TopicName"`
		From_Account string `json:"From_Account,omitempty"`
		CustomString string `json:"CustomString,omitempty"`
		FaceUrl      string `json:"FaceUrl,omitempty"`
		Notification string `json:"Notification,omitempty"`
		Introduction string `json:"Introduction,omitempty"`
		CreateTime   any    `json:"CreateTime,omitempty"`
	}
	failedFriendGroup struct {
		From_Account string   `json:"From_Account"`
		GroupName    string   `json:"GroupName"`
		To_Account   []string `json:"To_Account"`
	}
	failedContactGroup struct {
		From_Account string          `json:"From_Account"`
		GroupName    string          `json:"GroupName"`
		Op           string          `json:"Op,omitempty"`
		NewGroupName string          `json:"NewGroupName,omitempty"`
		ContactItem  []failedContact `json:"ContactItem,omitempty"`
	}
	failedContact struct {
		Type       any    `json:"Type,omitempty"`
		To_Account string `json:"To_Account,omitempty"`
		ToGroupId  string `json:"ToGroupId,omitempty"`
	}
)
