package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rivo/uniseg"
)

// Bar widths in cells: a bar narrower than minBar says little, so its room goes to the
// numbers; one wider than maxBar only stretches the line.
const (
	minBar = 10
	maxBar = 40
	// barOverhead is what progressbar draws around the bar's cells: " 45% |" and "|".
	barOverhead = 8
)

// line is kind v's bar line, at most width-1 cells wide: the last column stays free, since
// a terminal may wrap as soon as a character lands in it. It gives up, in this order, the
// rate, the bar, the exact counts, the name's padding, and last whatever does not fit.
func (b *barDrawer) line(v kindView, width int) string {
	limit := max(width-1, 1)
	name := fmt.Sprintf("%-14s", v.kind)
	counts, times := countText(v, false), timeText(v)
	for _, rest := range [][]string{{counts, rateText(v.rate), times}, {counts, times}} {
		fixed := cellWidth(name) + cellWidth(strings.Join(rest, " ")) + 2 // the spaces around the bar
		if cells := min(limit-fixed-barOverhead, maxBar); cells >= minBar {
			return truncateCells(strings.Join(append([]string{name, b.bar(v, cells)}, rest...), " "), limit)
		}
	}
	pct := fmt.Sprintf("%d%%", percent(v))
	kind, compact := string(v.kind), countText(v, true)
	shortest := strings.Join([]string{kind, pct, compact, etaText(v)}, " ")
	for _, s := range []string{
		strings.Join([]string{name, pct, counts, times}, " "),
		strings.Join([]string{kind, pct, compact, times}, " "),
		shortest,
	} {
		if cellWidth(s) <= limit {
			return s
		}
	}
	return truncateCells(shortest, limit)
}

// lineDrawer writes a status line per interval, for a log rather than a screen: no width
// limit, and the same labelled numbers as the bars.
type lineDrawer struct {
	w     io.Writer
	wrote bool
}

func (l *lineDrawer) draw(kinds []kindView, final bool) {
	if len(kinds) == 0 || (final && !l.wrote) {
		return // a run shorter than one interval needs no status line: the summary follows
	}
	parts := make([]string, 0, len(kinds))
	for _, v := range kinds {
		s := fmt.Sprintf("%s %s (%d%%) %s, %s", v.kind, countText(v, false), percent(v), rateText(v.rate), timeText(v))
		if v.before > 0 {
			s += fmt.Sprintf(" (%d done before this run)", v.before)
		}
		parts = append(parts, s)
	}
	l.wrote = true
	fmt.Fprintf(l.w, "%s progress: %s\n", time.Now().Format("15:04:05"), strings.Join(parts, "; "))
}

func percent(v kindView) int64 { return v.finishedItems * 100 / v.total }

// countText is "done so far/total" of the whole migration, compact ("1.2M/3.4M") or exact.
func countText(v kindView, compact bool) string {
	if compact {
		return compactCount(v.finishedItems) + "/" + compactCount(v.total)
	}
	return fmt.Sprintf("%d/%d", v.finishedItems, v.total)
}

// rateText is this run's items per second.
func rateText(rate float64) string {
	if rate >= 10 || rate == 0 {
		return fmt.Sprintf("%.0f items/s", rate)
	}
	return fmt.Sprintf("%.1f items/s", rate)
}

// timeText labels the time this run took so far and the time left.
func timeText(v kindView) string { return "elapsed " + clock(v.elapsed) + ", " + etaText(v) }

// etaText labels the time left.
func etaText(v kindView) string {
	switch {
	case v.finishedItems >= v.total:
		return "done"
	case v.eta < 0:
		return "ETA ?"
	}
	return "ETA " + clock(v.eta)
}

// clock shows a duration in at most two units: 45s, 12m03s, 3h07m.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// cellWidth is the number of terminal cells s takes.
func cellWidth(s string) int { return uniseg.StringWidth(s) }

// truncateCells cuts s to at most limit cells, ending it with "…" when cut, without
// splitting a character (grapheme cluster).
func truncateCells(s string, limit int) string {
	if cellWidth(s) <= limit {
		return s
	}
	var b strings.Builder
	used, state := 0, -1
	for rest := s; rest != ""; {
		var cluster string
		var w int
		cluster, rest, w, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if used+w > limit-1 {
			break
		}
		b.WriteString(cluster)
		used += w
	}
	return b.String() + "…"
}
