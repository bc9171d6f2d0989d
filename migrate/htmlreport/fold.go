package htmlreport

import (
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

// maxHeld caps the lines readMetrics holds per endpoint. The log has a line per endpoint and
// second, so a run of days has millions; the page draws at most maxBuckets points per chart,
// so past the cap the lines are folded into spans of 2, 4, 8… seconds, which the charts add
// up as they would the seconds, and the page's memory stays the same however long the run.
const maxHeld = 4 * maxBuckets

// folder holds one endpoint's lines: as read while they fit maxHeld, then folded into spans
// of step seconds that start at multiples of step.
type folder struct {
	step  int64 // 1 until the first fold
	lines []metrics.Line
	at    map[int64]int // span start → index in lines, once folded
}

func (f *folder) add(l metrics.Line) {
	if f.step == 0 {
		f.step = 1
	}
	if f.at == nil {
		f.lines = append(f.lines, l)
	} else {
		f.merge(l)
	}
	for len(f.lines) > maxHeld {
		f.refold(2 * f.step)
	}
}

// merge adds l to the span it falls in.
func (f *folder) merge(l metrics.Line) {
	u := l.Time.Unix()
	start := u - mod(u, f.step)
	if i, ok := f.at[start]; ok {
		f.lines[i] = sumLines(f.lines[i], l)
		return
	}
	l.Time = time.Unix(start, 0).UTC()
	f.at[start] = len(f.lines)
	f.lines = append(f.lines, l)
}

// refold folds the lines held into spans of step seconds.
func (f *folder) refold(step int64) {
	old := f.lines
	f.step, f.lines, f.at = step, make([]metrics.Line, 0, len(old)/2+1), make(map[int64]int, len(old)/2+1)
	for _, l := range old {
		f.merge(l)
	}
}

// mod is u modulo m, never negative.
func mod(u, m int64) int64 {
	r := u % m
	if r < 0 {
		r += m
	}
	return r
}

// sumLines returns the line of a's and b's attempts together, at a's time.
func sumLines(a, b metrics.Line) metrics.Line {
	a.Requests += b.Requests
	a.Retries += b.Retries
	a.OK += b.OK
	a.Throttled += b.Throttled
	a.Transient += b.Transient
	a.Failed += b.Failed
	a.Fatal += b.Fatal
	a.Limit = max(a.Limit, b.Limit)
	a.Hist = metrics.MergeHist(a.Hist, b.Hist)
	a.P50 = float64(metrics.Quantile(a.Hist, 0.5)) / float64(time.Millisecond)
	a.P90 = float64(metrics.Quantile(a.Hist, 0.9)) / float64(time.Millisecond)
	a.P99 = float64(metrics.Quantile(a.Hist, 0.99)) / float64(time.Millisecond)
	if len(b.Codes) > 0 {
		codes := make(map[string]int, len(a.Codes)+len(b.Codes))
		for c, n := range a.Codes {
			codes[c] += n
		}
		for c, n := range b.Codes {
			codes[c] += n
		}
		a.Codes = codes
	}
	return a
}
