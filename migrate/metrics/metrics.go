// Package metrics keeps a run's request log: per endpoint and per second, how many attempts
// went out, how many were retries, throttled, transient or refused, the rate limit the
// endpoint had, and the latency distribution. It appends one JSON line per (second, endpoint)
// to a writer as each second closes, so that a run killed at any moment leaves a log that is
// true up to its last written second; Read reads such a log back.
//
// The package knows nothing about the vendor's API or the run's files: the caller maps its
// own attempt records to Sample and chooses where the log goes.
package metrics

import (
	"strconv"
	"time"
)

// FileName is the suggested name of the log in a run's output directory.
const FileName = "metrics.jsonl"

// Outcome is what one attempt came to.
type Outcome uint8

// The outcomes, as a batch job reacts to them (docs/vendor-api.md, "Error classes").
const (
	OK        Outcome = iota // answered with success
	Throttled                // the endpoint said "too fast"; the attempt will be retried
	Transient                // a failure worth retrying: 5xx, timeout, reset, internal error
	Failed                   // the item was refused for good; the run goes on
	Fatal                    // a failure that stops the whole run
	numOutcomes
)

var outcomeNames = [...]string{"ok", "throttled", "transient", "failed", "fatal"}

// String names the outcome as the log's fields do.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Sample is one attempt of one request: the Recorder's only input.
type Sample struct {
	Endpoint string        // service path, e.g. "sns/group_add"
	Sent     time.Time     // when the attempt left
	Latency  time.Duration // from sending to the answer (or the failure)
	Retry    bool          // a second or later attempt of the same request
	Outcome  Outcome
	Code     int     // the vendor's code or the HTTP status when not OK; 0 when none
	Limit    float64 // the endpoint's rate limit when the attempt left, requests per second; 0 if unknown
}

// Line is one line of the log: what one endpoint did in one second. The second is the one in
// which the answers came (see Recorder). Unknown keys are ignored when reading, so that the
// format can grow.
type Line struct {
	Time      time.Time `json:"time"` // start of the second, UTC
	Endpoint  string    `json:"endpoint"`
	Requests  int       `json:"requests"`  // attempts, retries included
	Retries   int       `json:"retries"`   // attempts that were retries
	OK        int       `json:"ok"`        // outcome OK
	Throttled int       `json:"throttled"` // outcome Throttled
	Transient int       `json:"transient"` // outcome Transient
	Failed    int       `json:"failed"`    // outcome Failed
	Fatal     int       `json:"fatal"`     // outcome Fatal
	// Limit is the highest rate limit the endpoint's attempts in this second reported; 0 when
	// none reported one.
	Limit float64 `json:"limit,omitempty"`
	// P50, P90 and P99 are latency percentiles in milliseconds, rounded up to the histogram's
	// bucket (at most a quarter above the true value).
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	// Hist is the latency histogram behind the percentiles, as [upper bound in µs, count]
	// pairs in increasing order of bound, non-empty buckets only: merging the histograms of
	// many seconds gives a whole run's percentiles (MergeHist, Quantile).
	Hist [][2]int64 `json:"hist,omitempty"`
	// Codes counts the non-OK attempts by code ("0" for a failure without one, such as a
	// timeout).
	Codes map[string]int `json:"codes,omitempty"`
}
