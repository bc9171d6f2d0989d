package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/chatmigrate/chatmigrate/sources"
)

// Drawing cadence: bars redraw at most every barEvery; elsewhere a status line every
// statusEvery, since a log file wants lines, not \r redraws.
const (
	barEvery    = 200 * time.Millisecond
	statusEvery = 5 * time.Second
)

// isTerminal reports whether w is a terminal that can draw bars: a character device, and
// TERM not "dumb". progressbar has no detection of its own: in a pipe or file it writes one
// endless \r line (and fsyncs an *os.File on every redraw).
func isTerminal(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok || getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress implements migrate.Progress: counters that workers bump atomically, and one
// goroutine of its own that draws them, as bars (one per kind, on a terminal) or as status
// lines.
type progress struct {
	w     io.Writer
	tty   bool
	every time.Duration
	kinds [3]kindProgress // in sources.Kinds order

	quit, done chan struct{}
}

type kindProgress struct {
	started atomic.Bool
	total   atomic.Int64
	done    atomic.Int64
}

// newProgress starts drawing on w: bars when tty, else a status line every `every`.
func newProgress(w io.Writer, tty bool, every time.Duration) *progress {
	p := &progress{w: w, tty: tty, every: every, quit: make(chan struct{}), done: make(chan struct{})}
	if tty {
		p.every = barEvery
	}
	go p.loop()
	return p
}

func kindIndex(k sources.Kind) int {
	for i, kk := range sources.Kinds {
		if kk == k {
			return i
		}
	}
	return 0
}

// Start sets kind k's items to go.
func (p *progress) Start(k sources.Kind, total int) {
	kp := &p.kinds[kindIndex(k)]
	kp.total.Store(int64(total))
	kp.started.Store(true)
}

// Add counts n finished items of kind k.
func (p *progress) Add(k sources.Kind, n int) { p.kinds[kindIndex(k)].done.Add(int64(n)) }

// Stop draws a last time and stops drawing.
func (p *progress) Stop() {
	close(p.quit)
	<-p.done
}

func (p *progress) loop() {
	defer close(p.done)
	var d drawer
	if p.tty {
		d = &barDrawer{w: p.w}
	} else {
		d = &lineDrawer{w: p.w, last: time.Now()}
	}
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.draw(p, false)
		case <-p.quit:
			d.draw(p, true)
			return
		}
	}
}

type drawer interface{ draw(p *progress, final bool) }

// barDrawer draws one progressbar per kind with work, on lines of their own: each bar
// renders into its own state (writer io.Discard) and the frame is composed here, since
// progressbar draws a single line.
type barDrawer struct {
	w     io.Writer
	bars  [3]*progressbar.ProgressBar
	lines int // lines of the last frame, to move the cursor back over
}

func (b *barDrawer) draw(p *progress, final bool) {
	var frame strings.Builder
	if b.lines > 0 {
		fmt.Fprintf(&frame, "\x1b[%dA", b.lines)
	}
	lines := 0
	for i, k := range sources.Kinds {
		kp := &p.kinds[i]
		if !kp.started.Load() || kp.total.Load() <= 0 {
			continue
		}
		if b.bars[i] == nil {
			b.bars[i] = progressbar.NewOptions64(kp.total.Load(),
				progressbar.OptionSetWriter(io.Discard),
				progressbar.OptionSetDescription(fmt.Sprintf("%-14s", k)),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("items"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(barEvery))
		}
		b.bars[i].Set64(kp.done.Load()) //nolint:errcheck // io.Discard does not fail
		frame.WriteString("\r" + strings.TrimLeft(b.bars[i].String(), "\r") + "\x1b[K\n")
		lines++
	}
	b.lines = lines
	if lines > 0 {
		io.WriteString(b.w, frame.String()) //nolint:errcheck // a lost redraw is harmless
	}
}

// lineDrawer writes a status line: done/total, rate since the last line, and ETA per kind.
type lineDrawer struct {
	w     io.Writer
	last  time.Time
	prev  [3]int64
	wrote bool
}

func (l *lineDrawer) draw(p *progress, final bool) {
	now := time.Now()
	secs := now.Sub(l.last).Seconds()
	var parts []string
	for i, k := range sources.Kinds {
		kp := &p.kinds[i]
		total, done := kp.total.Load(), kp.done.Load()
		if !kp.started.Load() || total <= 0 {
			continue
		}
		rate := 0.0
		if secs > 0 {
			rate = float64(done-l.prev[i]) / secs
		}
		l.prev[i] = done
		s := fmt.Sprintf("%s %d/%d (%d%%) %.0f items/s", k, done, total, done*100/total, rate)
		if rate > 0 && done < total {
			s += " ETA " + time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second).String()
		}
		parts = append(parts, s)
	}
	l.last = now
	if len(parts) == 0 || (final && !l.wrote) {
		return // a run shorter than one interval needs no status line: the summary follows
	}
	l.wrote = true
	fmt.Fprintf(l.w, "%s progress: %s\n", now.Format("15:04:05"), strings.Join(parts, "; "))
}
