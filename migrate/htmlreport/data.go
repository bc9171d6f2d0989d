// Package htmlreport renders report.html: one self-contained page that shows a run's or a
// verify's outcome at a glance. Per kind it shows progress with an ETA; per endpoint the rate
// against its limit, throttle answers, retries and latency over time; failures by code with
// the code's meaning and examples; and verify's differences. The page fetches nothing: its
// CSS is inline and its charts are inline SVG drawn here, so it opens from disk in any
// browser, also with no network at all.
//
// Load reads the files a command left in its output directory (a finished run's or a killed
// one's); a running command may instead build its own Data and Write it every few seconds.
package htmlreport

import (
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

// FileName is the page's name in the output directory (docs/contract.md, "Output").
const FileName = "report.html"

// Data is everything the page shows. The zero value renders as an empty report.
type Data struct {
	Command string    // "run" or "verify"; "" when not known
	Target  string    // where the data went; never a credential
	Started time.Time // zero when not known
	// Updated is when these numbers were taken: the end of a finished command, the last
	// summary a killed one wrote, or now for a running one.
	Updated  time.Time
	Finished bool // the command ended (ExitCode is then its exit code)
	ExitCode int
	// Live makes the browser reload the page every few seconds: for a page that a running
	// command keeps rewriting.
	Live bool

	Kinds     []Kind     // in the order the page shows them
	Endpoints []Endpoint // in the order the page shows them
	Failures  Failures
	Verify    *Verify // nil when no verify ran in this directory

	// Notes are problems met reading the files (a torn last row, a malformed line): shown on
	// the page, since a partial report beats none.
	Notes []string
}

// Kind is one kind's progress.
type Kind struct {
	Name    string // "topics", "friend_groups", "contact_groups"
	Total   int    // items planned; 0 when not known
	Done    int    // items that succeeded in this run
	Failed  int    // items the API refused
	Skipped int    // items done before this run
	Invalid int    // input records that failed validation
	// ETA is the time still needed at the rate so far; 0 when not known or finished.
	ETA time.Duration

	Requests, Retries, Throttled int
}

// Endpoint is one endpoint's metrics log, one line per second in time order (a second with no
// line had no requests), or, for a log too long to hold, one line per span of Step seconds.
type Endpoint struct {
	Name    string
	Seconds []metrics.Line
	// Step is how many seconds a line of Seconds covers, starting at a multiple of Step:
	// 1 (or 0) for a log held as written.
	Step int64
}

// Failures is what failures.csv holds, grouped by code.
type Failures struct {
	Total int
	Codes []CodeCount // most frequent first
	// Files are the failure files present in the directory (failures.csv,
	// failed_<kind>.jsonl), named relative to it: the page links to them.
	Files []string
}

// CodeCount is one code's failures.
type CodeCount struct {
	Code     string         // the vendor's code, "invalid" for a row that failed validation, or "other"
	Count    int            // rows with this code
	ByKind   map[string]int // rows per kind
	Examples []Failure      // the first few rows
}

// Failure is one row of failures.csv, as the page shows it.
type Failure struct {
	Kind    string
	Source  string // the input file as given
	Line    int    // its physical line, 1-based; 0 when not known
	Item    string // the item's key fields, e.g. "From_Account=u1 GroupName=g"
	Message string
}

// Verify is what verify's summary and diff.csv hold.
type Verify struct {
	Kinds    []VerifyKind
	Statuses []StatusCount // by kind, then status
	Files    []string      // diff.csv and missing_<kind>.jsonl present, relative to the directory
}

// VerifyKind is one kind's line of verify's summary.
type VerifyKind struct {
	Name                                    string
	Checked, Equal, Missing, Extra, Differs int
}

// StatusCount counts diff.csv's rows of one kind and status.
type StatusCount struct {
	Kind, Status string // status: missing, extra or differs
	Count        int
	Examples     []Diff
}

// Diff is one row of diff.csv.
type Diff struct {
	From_Account, GroupId, GroupName, Member, Field, Want, Got string
}
