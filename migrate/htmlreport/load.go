package htmlreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
	"github.com/chatmigrate/chatmigrate/sources"
)

// The files Load reads, named as docs/contract.md ("Output") names them. verify's summary
// was summary.json before it became verify_summary.json: both are read.
const (
	summaryFile       = "summary.json"
	verifySummaryFile = "verify_summary.json"
	failuresFile      = "failures.csv"
	diffFile          = "diff.csv"
)

func failedFile(kind string) string  { return "failed_" + kind + ".jsonl" }
func missingFile(kind string) string { return "missing_" + kind + ".jsonl" }

// summaryRunning is the exit_code of a summary written while its command runs (or left by a
// killed one).
const summaryRunning = -1

// ErrNoReports is returned by Load for a directory that holds none of a command's reports.
var ErrNoReports = errors.New("no reports of run or verify here")

// Load reads the reports a run and a verify left in dir: summary.json, failures.csv, the
// failed_<kind>.jsonl names, the metrics log, verify_summary.json (or a verify's
// summary.json) and diff.csv. A missing file leaves its part of the page empty, and a file
// that cannot be read whole (a killed run's torn last row) gives what it holds and a note in
// Data.Notes. Load fails only when dir cannot be read or holds none of these files (then
// the error wraps ErrNoReports).
func Load(dir string) (Data, error) {
	var d Data
	entries, err := os.ReadDir(dir)
	if err != nil {
		return d, fmt.Errorf("read report directory: %w", err)
	}
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			present[e.Name()] = true
		}
	}
	found := false
	note := func(file string, err error) {
		if err != nil {
			d.Notes = append(d.Notes, fmt.Sprintf("%s: %v", file, err))
		}
	}

	if present[summaryFile] {
		found = true
		s, mtime, err := readSummary(filepath.Join(dir, summaryFile))
		note(summaryFile, err)
		if err == nil && s.Command == "verify" {
			d.Verify = &Verify{Kinds: s.verifyKinds()}
			d.Command = "verify"
			d.setHead(s, mtime)
		} else if err == nil {
			d.Command = s.Command
			d.Kinds = s.runKinds()
			d.setHead(s, mtime)
		}
	}
	if present[verifySummaryFile] {
		found = true
		s, mtime, err := readSummary(filepath.Join(dir, verifySummaryFile))
		note(verifySummaryFile, err)
		if err == nil {
			d.Verify = &Verify{Kinds: s.verifyKinds()}
			if d.Command == "" {
				d.Command = "verify"
				d.setHead(s, mtime)
			}
		}
	}
	if present[failuresFile] {
		found = true
		f, err := readFailures(filepath.Join(dir, failuresFile))
		note(failuresFile, err)
		d.Failures = f
		d.Failures.Files = append(d.Failures.Files, failuresFile)
	}
	for _, k := range kindNames(present, failedFile) {
		d.Failures.Files = append(d.Failures.Files, failedFile(k))
	}
	if present[metrics.FileName] {
		found = true
		eps, err := readMetrics(filepath.Join(dir, metrics.FileName))
		note(metrics.FileName, err)
		d.Endpoints = eps
	}
	if present[diffFile] {
		found = true
		if d.Verify == nil {
			d.Verify = &Verify{}
		}
		st, err := readDiffs(filepath.Join(dir, diffFile))
		note(diffFile, err)
		d.Verify.Statuses = st
		d.Verify.Files = append(d.Verify.Files, diffFile)
	}
	if d.Verify != nil {
		for _, k := range kindNames(present, missingFile) {
			d.Verify.Files = append(d.Verify.Files, missingFile(k))
		}
	}
	if !found {
		return d, fmt.Errorf("%s: %w", dir, ErrNoReports)
	}
	d.Kinds = withETA(d.Kinds, d.Started, d.Updated, d.Finished)
	return d, nil
}

// kindNames returns the kinds whose file (named by name) is present, in report order.
func kindNames(present map[string]bool, name func(string) string) []string {
	var out []string
	for _, k := range sources.Kinds {
		if present[name(string(k))] {
			out = append(out, string(k))
		}
	}
	return out
}

// summary is a summary.json as run and verify write it: the command's fields and one object
// per kind. Items (the planned items of a kind) is read when a writer provides it.
type summary struct {
	Command  string    `json:"command"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Target   string    `json:"target"`
	ExitCode int       `json:"exit_code"`
	kinds    map[string]summaryKind
}

type summaryKind struct {
	Items     int `json:"items"`
	Records   int `json:"records"`
	Invalid   int `json:"invalid"`
	Requests  int `json:"requests"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Retries   int `json:"retries"`
	Throttled int `json:"throttled"`
	Checked   int `json:"checked"`
	Equal     int `json:"equal"`
	Missing   int `json:"missing"`
	Extra     int `json:"extra"`
	Differs   int `json:"differs"`
}

// readSummary reads a summary file and its modification time: when a running command last
// wrote its numbers.
func readSummary(path string) (*summary, time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	var mtime time.Time
	if fi, err := os.Stat(path); err == nil {
		mtime = fi.ModTime()
	}
	s := &summary{kinds: make(map[string]summaryKind)}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, mtime, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, mtime, err
	}
	for _, k := range sources.Kinds {
		r, ok := raw[string(k)]
		if !ok {
			continue
		}
		var ks summaryKind
		if err := json.Unmarshal(r, &ks); err != nil {
			return nil, mtime, fmt.Errorf("%s: %w", k, err)
		}
		s.kinds[string(k)] = ks
	}
	return s, mtime, nil
}

// setHead takes the command's fields from a summary.
func (d *Data) setHead(s *summary, mtime time.Time) {
	d.Started, d.Target = s.Started, s.Target
	d.Finished = s.ExitCode != summaryRunning && !s.Finished.IsZero()
	d.ExitCode = s.ExitCode
	d.Updated = mtime
	if d.Finished {
		d.Updated = s.Finished
	}
}

// runKinds returns a run's per-kind progress, in report order.
func (s *summary) runKinds() []Kind {
	var out []Kind
	for _, k := range sources.Kinds {
		ks, ok := s.kinds[string(k)]
		if !ok {
			continue
		}
		total := ks.Items
		if total == 0 && s.ExitCode != summaryRunning {
			// A finished run has settled every item it planned.
			total = ks.Succeeded + ks.Failed + ks.Skipped
		}
		out = append(out, Kind{Name: string(k), Total: total, Done: ks.Succeeded, Failed: ks.Failed,
			Skipped: ks.Skipped, Invalid: ks.Invalid, Requests: ks.Requests, Retries: ks.Retries,
			Throttled: ks.Throttled})
	}
	return out
}

// verifyKinds returns verify's counts per kind, in report order.
func (s *summary) verifyKinds() []VerifyKind {
	var out []VerifyKind
	for _, k := range sources.Kinds {
		if ks, ok := s.kinds[string(k)]; ok {
			out = append(out, VerifyKind{Name: string(k), Checked: ks.Checked, Equal: ks.Equal,
				Missing: ks.Missing, Extra: ks.Extra, Differs: ks.Differs})
		}
	}
	return out
}

// withETA sets each unfinished kind's ETA from its rate between started and updated.
func withETA(kinds []Kind, started, updated time.Time, finished bool) []Kind {
	if finished || started.IsZero() || !updated.After(started) {
		return kinds
	}
	elapsed := updated.Sub(started)
	for i := range kinds {
		k := &kinds[i]
		settled := k.Done + k.Failed
		left := k.Total - settled - k.Skipped
		if k.Total == 0 || settled == 0 || left <= 0 {
			continue
		}
		k.ETA = time.Duration(float64(elapsed) * float64(left) / float64(settled)).Round(time.Second)
	}
	return kinds
}

// readMetrics reads the metrics log and splits it by endpoint, in name order, each in time
// order. Lines of one second and endpoint written twice (a log appended by a resumed run)
// stay separate seconds; the charts add them up. A log longer than the page can show is
// folded into spans of a few seconds as it is read (folder), the same span for every
// endpoint, so that reading it takes the same memory whatever its length.
func readMetrics(path string) ([]Endpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byName := map[string]*folder{}
	err = metrics.Scan(f, func(l metrics.Line) {
		fo := byName[l.Endpoint]
		if fo == nil {
			fo = &folder{}
			byName[l.Endpoint] = fo
		}
		fo.add(l)
	})
	step := int64(1)
	for _, fo := range byName {
		step = max(step, fo.step)
	}
	names := make([]string, 0, len(byName))
	for n, fo := range byName {
		if fo.step < step {
			fo.refold(step)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	eps := make([]Endpoint, 0, len(names))
	for _, n := range names {
		s := byName[n].lines
		sort.SliceStable(s, func(i, j int) bool { return s[i].Time.Before(s[j].Time) })
		eps = append(eps, Endpoint{Name: n, Seconds: s, Step: step})
	}
	return eps, err
}

// kindRank returns a kind's place in report order; kinds this package does not know go last.
func kindRank(kind string) int {
	for i, k := range sources.Kinds {
		if string(k) == kind {
			return i
		}
	}
	return len(sources.Kinds)
}
