package main

import (
	"fmt"
	"io"
	"strings"
)

// tableWidth is the width the closing tables keep to: a terminal of 80 columns shows them
// unwrapped.
const tableWidth = 80

// countRow is one line of a closing table: a name and its counts.
type countRow struct {
	name   string
	counts []int
}

// writeCountTable writes a table of counts: names left-aligned, counts right-aligned under
// their headers. Exact counts are kept while the table fits tableWidth; a table that would
// be wider shows the large ones compactly (12.3k, 4.56M), since summary.json has them exact.
func writeCountTable(w io.Writer, header []string, rows []countRow) {
	lines := formatCountTable(header, rows, false)
	for _, l := range lines {
		if cellWidth(l) > tableWidth {
			lines = formatCountTable(header, rows, true)
			break
		}
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

func formatCountTable(header []string, rows []countRow, compact bool) []string {
	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, header)
	for _, r := range rows {
		line := []string{r.name}
		for _, n := range r.counts {
			if compact {
				line = append(line, compactCount(int64(n)))
			} else {
				line = append(line, fmt.Sprint(n))
			}
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(header))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], cellWidth(c))
		}
	}
	out := make([]string, 0, len(cells))
	for _, line := range cells {
		var b strings.Builder
		b.WriteString("  ") // as the other tables, which tabwriter pads on the left
		for i, c := range line {
			pad := strings.Repeat(" ", widths[i]-cellWidth(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// compactCount shows n in at most five characters: 999, 12.3k, 456k, 7.89M, 1.23G.
func compactCount(n int64) string {
	if n < 0 {
		return "-" + compactCount(-n)
	}
	if n < 1000 {
		return fmt.Sprint(n)
	}
	f := float64(n)
	for _, unit := range []string{"k", "M", "G", "T"} {
		f /= 1000
		// Round as %.*f will, so that 999.96k shows as 1.00M, not as 1000k.
		switch {
		case f < 9.995:
			return fmt.Sprintf("%.2f%s", f, unit)
		case f < 99.95:
			return fmt.Sprintf("%.1f%s", f, unit)
		case f < 999.5:
			return fmt.Sprintf("%.0f%s", f, unit)
		}
	}
	return fmt.Sprintf("%.0fT", f)
}
