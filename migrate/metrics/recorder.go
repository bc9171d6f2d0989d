package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Recorder aggregates Samples per endpoint and second and writes each (second, endpoint) as
// one Line once the second has closed. It is safe for concurrent use; Record takes one lock
// and does not allocate except for the first sample of an endpoint in a new second.
//
// A sample counts in the second in which its answer came (Sent + Latency), not the one in
// which it left: a second's sends are not all answered until the slowest of them times out,
// while its answers are all in once the second is over, so that the log can follow the run
// within a second. At a steady rate the two counts are the same. A second is written once
// the clock has passed its end by the Recorder's grace; a sample that comes later still (a
// caller that reports late) counts in the earliest second of its endpoint not yet written,
// or in the current second when none is open.
type Recorder struct {
	now   func() time.Time
	grace time.Duration

	mu   sync.Mutex
	eps  map[string]*endpoint
	done bool
	// oldest is no later than the start of the oldest open second of any endpoint, so that
	// Record looks through the endpoints only when a second may have closed.
	oldest int64

	wmu sync.Mutex // held while writing, so that lines leave in the order they were closed
	w   io.Writer
	err error // the first write error; under wmu
}

// endpoint holds one endpoint's seconds not yet written, oldest first (rarely more than two).
type endpoint struct {
	open []*second
	// written is the start (unix seconds) of the last second written: nothing is counted in it
	// or before it again.
	written int64
}

// second is one endpoint's counts in one second.
type second struct {
	unix              int64
	requests, retries int
	outcomes          [numOutcomes]int
	limit             float64
	hist              histogram
	// The first non-OK code is counted outside the map: most failing seconds have one code,
	// and then the hot path allocates nothing.
	firstCode, firstCodeN int
	hasFirst              bool
	codes                 map[int]int
}

// noSecond is a unix second later than any real one: the oldest open second when none is.
const noSecond = math.MaxInt64

// DefaultGrace is how long after a second's end the Recorder waits for answers that the
// caller reports late (a worker reports after its bookkeeping) before writing the second.
const DefaultGrace = 250 * time.Millisecond

// New returns a Recorder that writes to w and reads the time from now (time.Now when nil).
func New(w io.Writer, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{now: now, grace: DefaultGrace, w: w, eps: make(map[string]*endpoint), oldest: noSecond}
}

// Record counts one attempt. It never blocks on the writer for long: lines of seconds that
// this sample's arrival closes are written after the lock is released.
func (r *Recorder) Record(s Sample) {
	at := s.Sent.Add(s.Latency).Unix()
	r.mu.Lock()
	if r.done {
		r.mu.Unlock()
		return
	}
	ep := r.eps[s.Endpoint]
	if ep == nil {
		ep = &endpoint{written: -1 << 62}
		r.eps[s.Endpoint] = ep
	}
	now := r.now()
	sec := ep.find(at, now.Unix())
	sec.add(s)
	r.oldest = min(r.oldest, sec.unix)
	var closed []Line
	if now.Add(-r.grace).Unix() > r.oldest {
		closed = r.closeLocked(now)
	}
	r.writeClosed(closed) // unlocks r.mu
}

// find returns the open second that a sample answered at unix second at counts in, now being
// the current unix second.
func (ep *endpoint) find(at, now int64) *second {
	if at <= ep.written {
		if len(ep.open) > 0 {
			return ep.open[0]
		}
		// The current second is never written yet: written seconds ended before now.
		at = max(now, ep.written+1)
	}
	// Most samples fall into the newest open second: look from the end.
	for i := len(ep.open) - 1; i >= 0; i-- {
		switch s := ep.open[i]; {
		case s.unix == at:
			return s
		case s.unix < at:
			sec := &second{unix: at}
			ep.open = append(ep.open, nil)
			copy(ep.open[i+2:], ep.open[i+1:])
			ep.open[i+1] = sec
			return sec
		}
	}
	sec := &second{unix: at}
	ep.open = append([]*second{sec}, ep.open...)
	return sec
}

// add counts a sample.
func (s *second) add(x Sample) {
	s.requests++
	if x.Retry {
		s.retries++
	}
	o := x.Outcome
	if o >= numOutcomes {
		o = Failed // an outcome this package does not know is not a success
	}
	s.outcomes[o]++
	s.limit = max(s.limit, x.Limit)
	s.hist[bucketOf(x.Latency)]++
	if o == OK {
		return
	}
	switch {
	case !s.hasFirst:
		s.firstCode, s.firstCodeN, s.hasFirst = x.Code, 1, true
	case x.Code == s.firstCode:
		s.firstCodeN++
	default:
		if s.codes == nil {
			s.codes = make(map[int]int)
		}
		s.codes[x.Code]++
	}
}

// closeLocked takes out of the open set every second that ended more than the grace before
// now, oldest first, endpoint by endpoint in name order.
func (r *Recorder) closeLocked(now time.Time) []Line {
	cut := now.Add(-r.grace).Unix() // seconds before cut have ended grace ago
	var out []Line
	r.oldest = noSecond
	for name, ep := range r.eps {
		n := 0
		for n < len(ep.open) && ep.open[n].unix < cut {
			out = append(out, ep.open[n].line(name))
			ep.written = ep.open[n].unix
			n++
		}
		if n > 0 {
			ep.open = append(ep.open[:0], ep.open[n:]...)
		}
		if len(ep.open) > 0 {
			r.oldest = min(r.oldest, ep.open[0].unix)
		}
	}
	sortLines(out)
	return out
}

// closeAllLocked takes out every open second.
func (r *Recorder) closeAllLocked() []Line {
	var out []Line
	for name, ep := range r.eps {
		for _, s := range ep.open {
			out = append(out, s.line(name))
			ep.written = s.unix
		}
		ep.open = ep.open[:0]
	}
	r.oldest = noSecond
	sortLines(out)
	return out
}

func sortLines(ls []Line) {
	sort.Slice(ls, func(i, j int) bool {
		if !ls[i].Time.Equal(ls[j].Time) {
			return ls[i].Time.Before(ls[j].Time)
		}
		return ls[i].Endpoint < ls[j].Endpoint
	})
}

// line renders a second as a Line of the named endpoint.
func (s *second) line(name string) Line {
	l := Line{Time: time.Unix(s.unix, 0).UTC(), Endpoint: name, Requests: s.requests, Retries: s.retries,
		OK: s.outcomes[OK], Throttled: s.outcomes[Throttled], Transient: s.outcomes[Transient],
		Failed: s.outcomes[Failed], Fatal: s.outcomes[Fatal], Limit: s.limit, Hist: s.hist.sparse()}
	l.P50 = millis(Quantile(l.Hist, 0.50))
	l.P90 = millis(Quantile(l.Hist, 0.90))
	l.P99 = millis(Quantile(l.Hist, 0.99))
	if s.hasFirst {
		l.Codes = map[string]int{strconv.Itoa(s.firstCode): s.firstCodeN}
		for c, n := range s.codes {
			l.Codes[strconv.Itoa(c)] += n
		}
	}
	return l
}

// writeClosed writes lines that were closed under r.mu, which it releases: taking wmu before
// releasing mu keeps the lines of two callers in the order they were closed.
func (r *Recorder) writeClosed(lines []Line) {
	if len(lines) == 0 {
		r.mu.Unlock()
		return
	}
	r.wmu.Lock()
	r.mu.Unlock()
	defer r.wmu.Unlock()
	r.writeLocked(lines)
}

// writeLocked encodes and writes lines in one Write, so that a line is never split between
// calls; after a failed write it writes nothing more.
func (r *Recorder) writeLocked(lines []Line) {
	if r.err != nil || len(lines) == 0 {
		return
	}
	var buf []byte
	for i := range lines {
		b, err := json.Marshal(&lines[i])
		if err != nil {
			r.err = fmt.Errorf("metrics: encode line: %w", err)
			return
		}
		buf = append(append(buf, b...), '\n')
	}
	if _, err := r.w.Write(buf); err != nil {
		r.err = fmt.Errorf("metrics: write: %w", err)
	}
}

// Flush writes every second that has closed by now, also when no sample came since, and
// returns the first write error so far.
func (r *Recorder) Flush() error {
	r.mu.Lock()
	r.writeClosed(r.closeLocked(r.now()))
	return r.Err()
}

// Close writes every second still open, the current one included, and stops recording:
// later samples are dropped. It returns the first write error, if any. It is safe to call
// twice; it does not close the writer, which belongs to the caller.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if r.done {
		r.mu.Unlock()
		return r.Err()
	}
	r.done = true
	r.writeClosed(r.closeAllLocked())
	return r.Err()
}

// Err returns the first error met writing the log, if any.
func (r *Recorder) Err() error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	return r.err
}

// Run calls Flush every interval until ctx is done, so that a second without samples after
// it is written too. It returns the first write error, or nil when ctx ends.
func (r *Recorder) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return errors.New("metrics: Run needs a positive interval")
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := r.Flush(); err != nil {
				return err
			}
		}
	}
}
