package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// fakeTerminal is a terminal of a fixed width, as far as the bars use one: it keeps the
// screen's rows, moves its cursor on \r, \n, ESC[nA and ESC[K, and wraps to the next row
// (counting it) when a character would land past the last column, as a real one does.
type fakeTerminal struct {
	mu     sync.Mutex
	width  int
	screen [][]string // cells of each row
	row    int
	col    int
	wraps  int
	widest int // the most cells any row was written to
	writes int
}

func (t *fakeTerminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writes++
	s := string(p)
	for s != "" {
		switch {
		case s[0] == '\r':
			t.col, s = 0, s[1:]
		case s[0] == '\n':
			t.row, t.col, s = t.row+1, 0, s[1:]
		case strings.HasPrefix(s, "\x1b["):
			end := strings.IndexAny(s, "ABCDHJKm")
			n, _ := strconv.Atoi(s[2:end])
			switch s[end] {
			case 'A':
				t.row = max(t.row-max(n, 1), 0)
			case 'K':
				t.grow()
				t.screen[t.row] = t.screen[t.row][:min(t.col, len(t.screen[t.row]))]
			}
			s = s[end+1:]
		default:
			cluster, rest, w, _ := uniseg.FirstGraphemeClusterInString(s, -1)
			if t.col+w > t.width {
				t.wraps++
				t.row, t.col = t.row+1, 0
			}
			t.grow()
			for len(t.screen[t.row]) < t.col {
				t.screen[t.row] = append(t.screen[t.row], " ")
			}
			t.screen[t.row] = append(t.screen[t.row][:t.col], cluster)
			t.col += w
			t.widest = max(t.widest, t.col)
			s = rest
		}
	}
	return len(p), nil
}

func (t *fakeTerminal) grow() {
	for len(t.screen) <= t.row {
		t.screen = append(t.screen, nil)
	}
}

// lines returns the screen's rows as text.
func (t *fakeTerminal) lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, len(t.screen))
	for i, r := range t.screen {
		out[i] = strings.Join(r, "")
	}
	return out
}

var countsRe = regexp.MustCompile(`(\d+)/(\d+)`)

// TestProgressBarsFitTheTerminal drives the bars of a resumed run with large counts through
// hundreds of redraws at several widths (80 columns first) and checks that no line is wider
// than the terminal (a wrapped line would stack copies of the frame), that the screen keeps
// exactly one row per kind, that elapsed time and ETA are labelled, and that the counts are
// of the whole migration: what earlier runs did is counted as done.
func TestProgressBarsFitTheTerminal(t *testing.T) {
	for _, width := range []int{80, 120, 60, 40, 24} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				term := &fakeTerminal{width: width}
				p := startProgress(term, true, statusEvery, func() int { return width })
				// A resumed run: earlier runs finished 6M of 10M topics and 1000 of 3000 friend groups.
				p.Plan(sources.Topics, 10_000_000)
				p.Plan(sources.FriendGroups, 3000)
				p.Plan(sources.ContactGroups, 250)
				p.Start(sources.Topics, 4_000_000)
				p.Start(sources.FriendGroups, 2000)
				p.Start(sources.ContactGroups, 250)
				var midRun []string
				for i := range 1000 { // 100 s, 500 redraws
					time.Sleep(100 * time.Millisecond)
					p.Add(sources.Topics, 4000)
					p.Add(sources.FriendGroups, 2)
					if i%4 == 0 {
						p.Add(sources.ContactGroups, 1)
					}
					if i == 500 {
						midRun = term.lines()
					}
				}
				p.Stop()

				if term.wraps > 0 || term.widest > width {
					t.Fatalf("%d wrapped lines, widest %d cells at %d columns:\n%s", term.wraps, term.widest, width, strings.Join(term.lines(), "\n"))
				}
				if term.writes < 400 {
					t.Fatalf("only %d redraws", term.writes)
				}
				final := term.lines()
				if len(final) != 3 || term.row != 3 {
					t.Fatalf("screen has %d rows, cursor on row %d; want the 3 kinds' rows, the cursor below:\n%s", len(final), term.row, strings.Join(final, "\n"))
				}
				for i, k := range sources.Kinds {
					if !strings.HasPrefix(final[i], string(k)) && !strings.HasPrefix(string(k), strings.TrimSuffix(final[i], "…")) {
						t.Errorf("row %d = %q, want %s's", i, final[i], k)
					}
				}
				if width < 60 {
					return // the labels and counts are cut at widths this small
				}
				for i, line := range midRun[:3] {
					if !strings.Contains(line, "elapsed ") || !strings.Contains(line, "ETA ") {
						t.Errorf("mid-run row %d has no labelled elapsed time and ETA: %q", i, line)
					}
				}
				if !strings.Contains(final[0], "done") {
					t.Errorf("finished row %q does not say done", final[0])
				}
				m := countsRe.FindStringSubmatch(midRun[0])
				if m == nil {
					t.Fatalf("mid-run topics row %q has no counts", midRun[0])
				}
				if done, _ := strconv.Atoi(m[1]); m[2] != "10000000" || done < 6_000_000 || done > 10_000_000 {
					t.Errorf("mid-run topics counts %s/%s, want done so far of all 10000000 (at least the 6000000 done before)", m[1], m[2])
				}
			})
		})
	}
}

// TestProgressResize: each redraw measures the terminal again.
func TestProgressResize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		term := &fakeTerminal{width: 80}
		var mu sync.Mutex
		width := 80
		p := startProgress(term, true, statusEvery, func() int { mu.Lock(); defer mu.Unlock(); return width })
		p.Start(sources.Topics, 1000)
		time.Sleep(1100 * time.Millisecond) // between two redraws
		mu.Lock()
		term.mu.Lock()
		wide := term.widest
		width, term.width, term.widest = 40, 40, 0
		term.mu.Unlock()
		mu.Unlock()
		for range 10 {
			p.Add(sources.Topics, 10)
			time.Sleep(time.Second)
		}
		p.Stop()
		if wide <= 40 || term.widest > 40 || term.wraps > 0 {
			t.Fatalf("widest %d at 80 columns, then %d at 40 (%d wraps)", wide, term.widest, term.wraps)
		}
	})
}

// TestProgressStatusLines: away from a terminal, a status line per interval with the same
// labelled numbers, and what earlier runs did named as such.
func TestProgressStatusLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		p := startProgress(&out, false, 5*time.Second, nil)
		p.Plan(sources.Topics, 100)
		p.Start(sources.Topics, 60)
		time.Sleep(500 * time.Millisecond) // the items come between the lines
		for range 10 {
			p.Add(sources.Topics, 3)
			time.Sleep(time.Second)
		}
		p.Stop()
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("%d status lines, want 2 intervals and the last:\n%s", len(lines), out.String())
		}
		want := "progress: topics 55/100 (55%) 3.0 items/s, elapsed 5s, ETA 15s (40 done before this run)"
		if !strings.HasSuffix(lines[0], want) {
			t.Errorf("first line %q, want it to end in %q", lines[0], want)
		}
	})
}

// TestRunSummaryFits: the closing table keeps to 80 columns, with the counts exact while
// they fit and compact when a large migration's would not.
func TestRunSummaryFits(t *testing.T) {
	small := &migrate.Summary{Kinds: map[sources.Kind]*migrate.KindSummary{
		sources.Topics:        {Records: 3, Requests: 3, Succeeded: 2, Failed: 1},
		sources.FriendGroups:  {Records: 12, Requests: 4, Succeeded: 12, Retries: 2, Throttled: 1},
		sources.ContactGroups: {},
	}}
	big := &migrate.Summary{Kinds: map[sources.Kind]*migrate.KindSummary{
		sources.Topics:        {Records: 123_456_789, Invalid: 12_345, Requests: 123_456_789, Succeeded: 99_999_999, Failed: 1_234_567, Skipped: 22_222_223, Retries: 4_567_890, Throttled: 3_456_789},
		sources.FriendGroups:  {Records: 98_765_432, Requests: 9_876_543, Succeeded: 98_765_432, Retries: 1_000_000, Throttled: 999_999},
		sources.ContactGroups: {Records: 1, Requests: 1, Succeeded: 1},
	}}
	tests := []struct {
		name string
		sum  *migrate.Summary
		want []string // in the output
	}{
		{"small, exact", small, []string{"  topics                3        0     3   2     1     0      0    0\n", "  total                15        0     7  14"}},
		{"large, compact", big, []string{"  topics             123M    12.3k   123M   100M  1.23M  22.2M  4.57M  3.46M\n", "222M"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printRunSummary(&out, tt.sum, 90*time.Minute)
			for _, line := range strings.Split(out.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("%d columns: %q", n, line)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("no %q in\n%s", w, out.String())
				}
			}
			if !strings.Contains(out.String(), "ok = succeeded") {
				t.Errorf("the legend is missing:\n%s", out.String())
			}
		})
	}
}

func TestCompactCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1.00k", 12_345: "12.3k", 99_949: "99.9k",
		99_950: "100k", 999_499: "999k", 999_500: "1.00M", 7_890_000: "7.89M", 1_234_567_890: "1.23G", -1500: "-1.50k"} {
		if got := compactCount(n); got != want {
			t.Errorf("compactCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTruncateCells(t *testing.T) {
	for _, tt := range []struct {
		s     string
		limit int
		want  string
	}{
		{"topics", 10, "topics"},
		{"contact_groups", 8, "contact…"},
		{"日本語のトピック", 7, "日本語…"},
	} {
		if got := truncateCells(tt.s, tt.limit); got != tt.want || uniseg.StringWidth(got) > tt.limit {
			t.Errorf("truncateCells(%q, %d) = %q, want %q", tt.s, tt.limit, got, tt.want)
		}
	}
}
