package migrate

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// endpointState is one endpoint's rate control: a token bucket (burst 1, so requests leave
// evenly spaced and never in a burst the server's own bucket refuses), lowered
// multiplicatively on a throttle answer and raised additively after quiet periods (AIMD).
//
// The climb is sized by the rate last refused (the ceiling), not by the configured maximum:
// with --rps far above what the server grants, steps of max/20 would overshoot again within a
// second of every cut, and most requests would be answered with a throttle code. Below 90%
// of the ceiling the climb is quick; near and above it, slow, so the limit settles just under
// the server's and still finds more room if the server grants more later.
//
// rate.Limiter.SetLimit does not slow callers already waiting, and token debt is repaid at
// the new rate: a throttle answer therefore also closes a pause gate that every request
// checks before and after its limiter wait.
type endpointState struct {
	lim *rate.Limiter
	max rate.Limit

	mu         sync.Mutex
	pauseUntil time.Time
	ceiling    rate.Limit // the limit at the last throttle answer (max before any)
	since      time.Time  // start of the window admitted counts (creation, then each decrease)
	decreased  time.Time  // when the limit was last lowered
	changed    time.Time  // when the limit last changed or a throttle answer came: success climbs climbEvery after

	requests, retries, throttled atomic.Int64
	admitted                     atomic.Int64 // answers the server's limiter let through, since `since`
}

func newEndpointState(rps float64) *endpointState {
	return &endpointState{lim: rate.NewLimiter(rate.Limit(rps), 1), max: rate.Limit(rps), ceiling: rate.Limit(rps),
		since: time.Now()}
}

// wait blocks until the endpoint may send: past the pause gate, then a limiter token, then
// the gate again (a throttle answer may have closed it meanwhile).
func (e *endpointState) wait(ctx context.Context) error {
	for {
		if d := e.pause(); d > 0 && !sleep(ctx, d) {
			return ctx.Err()
		}
		// Wait on the job's context, never on a shorter deadline: Wait fails at once when
		// the deadline is nearer than its token.
		if err := e.lim.Wait(ctx); err != nil {
			return err
		}
		if e.pause() <= 0 {
			return nil
		}
	}
}

// pause returns how long the gate stays closed.
func (e *endpointState) pause() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Until(e.pauseUntil)
}

// throttle lowers the limit and closes the gate for a while. The new limit is the old one
// times decreaseFactor, or, when that is still above what the server let through since the
// last decrease (measured over minWindow at least), that admitted rate (but no less than a
// quarter of the old limit, since a quiet spell makes the admitted rate look low): with --rps
// far above the server's grant, the cuts land near it instead of taking several seconds of
// refusals to get there. Every throttle answer, cut or not, restarts the quiet period that
// success waits for before it climbs.
//
// It lowers the limit at most once per decreaseEvery (the vendor counts per second), and
// never for an answer to a request sent before the last decrease, which says nothing about
// the new rate: a burst of throttle answers (a stall that bunched requests up) costs one
// decrease, not a collapse.
func (e *endpointState) throttle(sentAt time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	e.changed = now // not a quiet period: no climb for climbEvery, whether or not this cuts
	if sentAt.Before(e.decreased) || now.Sub(e.decreased) < decreaseEvery && !e.overshoot(now) {
		return
	}
	e.ceiling = e.lim.Limit()
	l := e.ceiling * decreaseFactor
	if secs := now.Sub(e.since).Seconds(); secs >= minWindow.Seconds() {
		admitted := rate.Limit(float64(e.admitted.Swap(0)) / secs)
		l = min(l, max(admitted, e.ceiling*minDecrease))
	}
	l = max(l, minRate)
	e.lim.SetLimitAt(now, l)
	e.decreased, e.since = now, now
	p := time.Duration(float64(time.Second) / float64(l))
	e.pauseUntil = now.Add(min(max(p, minPause), maxPause))
}

// overshoot reports whether, for minWindow at least since the last cut, the server admitted
// less than 1/overshootFactor of the limit: a gross overshoot (an --rps far above the
// server's grant) that is cut without waiting out decreaseEvery. Near the server's limit the
// admitted rate is close to the limit, and cuts stay a second apart.
func (e *endpointState) overshoot(now time.Time) bool {
	if now.Sub(e.decreased) < minWindow {
		return false
	}
	secs := now.Sub(e.since).Seconds()
	return secs >= minWindow.Seconds() && float64(e.admitted.Load())/secs*overshootFactor < float64(e.lim.Limit())
}

// answered counts an answer the server's rate limiter let through (anything but a throttle
// code), for the admitted rate throttle compares with.
func (e *endpointState) answered() { e.admitted.Add(1) }

// success raises a lowered limit by a step when no throttle answer came for climbEvery: a
// twentieth of the ceiling while below 90% of it, a hundredth near and above it (never less
// than minClimb), the ceiling rising with the limit once passed.
func (e *endpointState) success() {
	if e.lim.Limit() >= e.max {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if now.Sub(e.changed) < climbEvery {
		return
	}
	l := e.lim.Limit()
	step := e.ceiling / climbSteps
	if l >= e.ceiling*nearCeiling {
		step = e.ceiling / (climbSteps * slowClimb)
	}
	l = min(l+max(step, minClimb), e.max)
	e.ceiling = max(e.ceiling, l)
	e.lim.SetLimitAt(now, l)
	e.changed = now
}
