package pacer

import (
	"sync/atomic"
	"time"
)

// Limits of the AIMD rate control.
const (
	minRate         = 1.0                    // requests/s an endpoint never drops below
	climbEvery      = 250 * time.Millisecond // quiet time between two additive increases
	decreaseEvery   = time.Second            // least time between two multiplicative decreases
	decreaseFactor  = 0.7                    // a decrease multiplies the limit by this (CUBIC's β)
	minDecrease     = 0.25                   // nor does a decrease go below this fraction of the limit
	minWindow       = 250 * time.Millisecond // the least time an admitted rate is measured over
	overshootFactor = 2                      // a limit this many times the admitted rate is cut at once
	climbSteps      = 20                     // an increase adds ceiling/climbSteps
	slowClimb       = 5                      // near the ceiling, steps are slowClimb times smaller
	nearCeiling     = 0.9                    // the fraction of the ceiling where the climb slows
	minClimb        = 0.5                    // requests/s an increase adds at least
	minPause        = 100 * time.Millisecond
	maxPause        = time.Second
)

// rateControl is the arithmetic of one endpoint's rate limit: lowered multiplicatively on a
// throttle answer and raised additively after quiet periods (AIMD). It reads no clock: every
// method that depends on time is given now, so that tests drive time by passing times. The
// endpoint applies the limit it computes to its token bucket and guards it with its mutex;
// only answered may be called without that mutex.
//
// The climb is sized by the rate last refused (the ceiling), not by the configured maximum:
// with a configured rate far above what the server grants, steps of max/20 would overshoot
// again within a second of every cut, and most requests would be answered with a throttle
// code. Below 90% of the ceiling the climb is quick; near and above it, slow, so the limit
// settles just under the server's and still finds more room if the server grants more later.
type rateControl struct {
	limit      float64   // requests/s
	max        float64   // the configured rate; never changes, so it may be read unguarded
	ceiling    float64   // the limit at the last throttle answer (max before any)
	pauseUntil time.Time // the gate every request checks stays closed until then
	since      time.Time // start of the window admitted counts (creation, then each decrease)
	decreased  time.Time // when the limit was last lowered
	changed    time.Time // when the limit last changed or a throttle answer came: success climbs climbEvery after

	admitted atomic.Int64 // answers the server's limiter let through, since `since`
}

// newRateControl returns the rate control of an endpoint created at now, at its maximum rps.
func newRateControl(rps float64, now time.Time) *rateControl {
	return &rateControl{limit: rps, max: rps, ceiling: rps, since: now}
}

// pause returns how long after now the gate stays closed.
func (r *rateControl) pause(now time.Time) time.Duration { return r.pauseUntil.Sub(now) }

// throttle lowers the limit for a throttle answer that came at now to a request sent at
// sentAt, closes the gate for a while, and returns the new limit and whether it changed. The
// new limit is the old one times decreaseFactor, or, when that is still above what the server
// let through since the last decrease (measured over minWindow at least), that admitted rate
// (but no less than a quarter of the old limit, since a quiet spell makes the admitted rate
// look low): with a configured rate far above the server's grant, the cuts land near it
// instead of taking several seconds of refusals to get there. Every throttle answer, cut or
// not, restarts the quiet period that success waits for before it climbs.
//
// It lowers the limit at most once per decreaseEvery (the vendor counts per second), and
// never for an answer to a request sent before the last decrease, which says nothing about
// the new rate: a burst of throttle answers (a stall that bunched requests up) costs one
// decrease, not a collapse.
func (r *rateControl) throttle(now, sentAt time.Time) (float64, bool) {
	r.changed = now // not a quiet period: no climb for climbEvery, whether or not this cuts
	if sentAt.Before(r.decreased) || now.Sub(r.decreased) < decreaseEvery && !r.overshoot(now) {
		return r.limit, false
	}
	r.ceiling = r.limit
	l := r.ceiling * decreaseFactor
	if secs := now.Sub(r.since).Seconds(); secs >= minWindow.Seconds() {
		admitted := float64(r.admitted.Swap(0)) / secs
		l = min(l, max(admitted, r.ceiling*minDecrease))
	}
	l = max(l, minRate)
	r.limit = l
	r.decreased, r.since = now, now
	p := time.Duration(float64(time.Second) / l)
	r.pauseUntil = now.Add(min(max(p, minPause), maxPause))
	return l, true
}

// overshoot reports whether, for minWindow at least since the last cut, the server admitted
// less than 1/overshootFactor of the limit: a gross overshoot (a configured rate far above
// the server's grant) that is cut without waiting out decreaseEvery. Near the server's limit
// the admitted rate is close to the limit, and cuts stay a second apart.
func (r *rateControl) overshoot(now time.Time) bool {
	if now.Sub(r.decreased) < minWindow {
		return false
	}
	secs := now.Sub(r.since).Seconds()
	return secs >= minWindow.Seconds() && float64(r.admitted.Load())/secs*overshootFactor < r.limit
}

// answered counts an answer the server's rate limiter let through (anything but a throttle
// code), for the admitted rate throttle compares with. It is safe for concurrent use.
func (r *rateControl) answered() { r.admitted.Add(1) }

// success raises a lowered limit by a step, for a success at now, when no throttle answer
// came for climbEvery: a twentieth of the ceiling while below 90% of it, a hundredth near and
// above it (never less than minClimb), the ceiling rising with the limit once passed. It
// returns the new limit and whether it changed.
func (r *rateControl) success(now time.Time) (float64, bool) {
	if r.limit >= r.max || now.Sub(r.changed) < climbEvery {
		return r.limit, false
	}
	l := r.limit
	step := r.ceiling / climbSteps
	if l >= r.ceiling*nearCeiling {
		step = r.ceiling / (climbSteps * slowClimb)
	}
	l = min(l+max(step, minClimb), r.max)
	r.ceiling = max(r.ceiling, l)
	r.limit = l
	r.changed = now
	return l, true
}
