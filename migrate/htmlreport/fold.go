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
		f.lines[i] = metrics.Merge(f.lines[i], l)
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
