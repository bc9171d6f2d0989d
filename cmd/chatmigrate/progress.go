package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/chatmigrate/chatmigrate/sources"
)

// Drawing cadence: bars redraw at most every barEvery; elsewhere a status line every
// statusEvery, since a log file wants lines, not \r redraws.
const (
	barEvery    = 200 * time.Millisecond
	statusEvery = 5 * time.Second
)

// defaultWidth is the terminal's width in columns when it does not tell.
const defaultWidth = 80

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

// terminalWidth returns a function that asks w's terminal for its width. It is called at
// every redraw, so that a resized window gets lines of its new width.
func terminalWidth(w io.Writer) func() int {
	f, ok := w.(*os.File)
	return func() int {
		if ok {
			if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
				return cols
			}
		}
		return defaultWidth
	}
}

// progress implements migrate.Progress: counters that workers bump atomically, and one
// goroutine of its own that draws them, as bars (one per kind, on a terminal) or as status
// lines.
type progress struct {
	w       io.Writer
	tty     bool
	every   time.Duration
	width   func() int // the terminal's columns, asked at each redraw
	started time.Time
	kinds   [3]kindProgress // in sources.Kinds order

	quit, done chan struct{}
}

// kindProgress counts one kind. A resumed run's Start names only what is left, so before
// keeps what earlier runs finished: the display shows done so far of the whole migration,
// while rates and ETAs come from this run's items alone.
type kindProgress struct {
	started atomic.Bool
	planned atomic.Int64 // the whole migration's items, when known (Plan)
	before  atomic.Int64 // finished by earlier runs
	total   atomic.Int64 // the whole migration's items
	done    atomic.Int64 // finished by this run
}

// newProgress starts drawing on w: bars when tty, else a status line every `every`.
func newProgress(w io.Writer, tty bool, every time.Duration) *progress {
	return startProgress(w, tty, every, terminalWidth(w))
}

// startProgress is newProgress with the terminal's width taken from width.
func startProgress(w io.Writer, tty bool, every time.Duration, width func() int) *progress {
	p := &progress{w: w, tty: tty, every: every, width: width, started: time.Now(),
		quit: make(chan struct{}), done: make(chan struct{})}
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

// Plan tells the whole migration's items of kind k, before Start: a resumed run's Start
// counts only what is left, and the difference is what earlier runs finished.
func (p *progress) Plan(k sources.Kind, items int) {
	p.kinds[kindIndex(k)].planned.Store(int64(items))
}

// Start sets kind k's items to go in this run.
func (p *progress) Start(k sources.Kind, total int) {
	kp := &p.kinds[kindIndex(k)]
	all := int64(total)
	if planned := kp.planned.Load(); planned >= all {
		kp.before.Store(planned - all)
		all = planned
	}
	kp.total.Store(all)
	kp.started.Store(true) // last: the drawer reads started first
}

// Add counts n finished items of kind k.
func (p *progress) Add(k sources.Kind, n int) { p.kinds[kindIndex(k)].done.Add(int64(n)) }

// counts returns the items finished so far and the items of all kinds that have work.
func (p *progress) counts() (done, total int64) {
	for _, v := range p.snapshot() {
		done += v.finishedItems
		total += v.total
	}
	return done, total
}

// Stop draws a last time and stops drawing.
func (p *progress) Stop() {
	close(p.quit)
	<-p.done
}

func (p *progress) loop() {
	defer close(p.done)
	var d drawer
	if p.tty {
		d = &barDrawer{w: p.w, width: p.width}
	} else {
		d = &lineDrawer{w: p.w}
	}
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.draw(p.snapshot(), false)
		case <-p.quit:
			d.draw(p.snapshot(), true)
			return
		}
	}
}

// kindView is one kind's numbers at a redraw.
type kindView struct {
	kind          sources.Kind
	before, done  int64 // finished by earlier runs; by this run
	total         int64 // of the whole migration
	elapsed       time.Duration
	rate          float64       // this run's items per second
	eta           time.Duration // < 0: unknown
	finishedItems int64         // before + done
}

// snapshot reads the counters of the kinds that have work.
func (p *progress) snapshot() []kindView {
	elapsed := time.Since(p.started)
	var out []kindView
	for i, k := range sources.Kinds {
		kp := &p.kinds[i]
		if !kp.started.Load() || kp.total.Load() <= 0 {
			continue
		}
		v := kindView{kind: k, before: kp.before.Load(), done: kp.done.Load(), total: kp.total.Load(), elapsed: elapsed, eta: -1}
		v.finishedItems = min(v.before+v.done, v.total)
		if secs := elapsed.Seconds(); secs > 0 {
			v.rate = float64(v.done) / secs
		}
		switch left := v.total - v.finishedItems; {
		case left == 0:
			v.eta = 0
		case v.rate > 0:
			v.eta = time.Duration(float64(left) / v.rate * float64(time.Second))
		}
		out = append(out, v)
	}
	return out
}

type drawer interface {
	draw(kinds []kindView, final bool)
}

// barDrawer draws one line per kind with work, each as wide as the terminal at that redraw
// at most, so that no line wraps and the cursor-up of the next redraw lands on the first
// line again (a wrapped line stacks copies of the frame). The bar itself is progressbar's,
// rendered into its own state (writer io.Discard): the line around it is composed here,
// since progressbar's count, rate and time have no labels and no notion of work done by an
// earlier run.
type barDrawer struct {
	w     io.Writer
	width func() int
	bars  [3]*progressbar.ProgressBar
	cells [3]int // the bar width each of bars was built with
	lines int    // lines of the last frame, to move the cursor back over
}

func (b *barDrawer) draw(kinds []kindView, final bool) {
	if len(kinds) == 0 {
		return
	}
	width := b.width()
	var frame strings.Builder
	if b.lines > 0 {
		fmt.Fprintf(&frame, "\x1b[%dA", b.lines)
	}
	for _, v := range kinds {
		frame.WriteString("\r" + b.line(v, width) + "\x1b[K\n")
	}
	b.lines = len(kinds)
	io.WriteString(b.w, frame.String()) //nolint:errcheck // a lost redraw is harmless
}

// bar returns the kind's progressbar drawing, percentage included, cells wide.
func (b *barDrawer) bar(v kindView, cells int) string {
	i := kindIndex(v.kind)
	if b.bars[i] == nil || b.cells[i] != cells || b.bars[i].GetMax64() != v.total {
		b.bars[i] = progressbar.NewOptions64(v.total,
			progressbar.OptionSetWriter(io.Discard),
			progressbar.OptionSetWidth(cells),
			progressbar.OptionSetElapsedTime(false),
			progressbar.OptionSetPredictTime(false))
		b.cells[i] = cells
	}
	b.bars[i].Set64(v.finishedItems) //nolint:errcheck // io.Discard does not fail
	return strings.TrimSpace(strings.TrimLeft(b.bars[i].String(), "\r"))
}
