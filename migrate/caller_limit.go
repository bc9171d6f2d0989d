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
// rate.Limiter.SetLimit does not slow callers already waiting, and token debt is repaid at
// the new rate: a throttle answer therefore also closes a pause gate that every request
// checks before and after its limiter wait.
type endpointState struct {
	lim *rate.Limiter
	max rate.Limit

	mu         sync.Mutex
	pauseUntil time.Time
	decreased  time.Time // when the limit was last lowered
	changed    time.Time // when the limit last changed

	requests, retries, throttled atomic.Int64
}

func newEndpointState(rps float64) *endpointState {
	return &endpointState{lim: rate.NewLimiter(rate.Limit(rps), 1), max: rate.Limit(rps)}
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

// throttle halves the limit and closes the gate for a while. It lowers the limit at most
// once per decreaseEvery (the vendor counts per second), and never for an answer to a request
// sent before the last decrease, which says nothing about the new rate: a burst of throttle
// answers (a stall that bunched requests up) costs one halving, not a collapse.
func (e *endpointState) throttle(sentAt time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if sentAt.Before(e.decreased) || now.Sub(e.decreased) < decreaseEvery {
		return
	}
	l := max(e.lim.Limit()/2, minRate)
	e.lim.SetLimitAt(now, l)
	e.decreased, e.changed = now, now
	p := time.Duration(float64(time.Second) / float64(l))
	e.pauseUntil = now.Add(min(max(p, minPause), maxPause))
}

// success raises a lowered limit by a step when no throttle answer came for climbEvery.
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
	e.lim.SetLimitAt(now, min(e.lim.Limit()+e.max/climbSteps, e.max))
	e.changed = now
}
