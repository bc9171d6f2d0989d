package pacer

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// endpoint is one endpoint's pacing: a token bucket (burst 1, so requests leave evenly spaced
// and never in a burst the server's own bucket refuses) whose rate the AIMD arithmetic sets,
// and the endpoint's counts.
//
// rate.Limiter.SetLimit does not slow callers already waiting, and token debt is repaid at
// the new rate (docs/libraries.md, "golang.org/x/time/rate"): a throttle answer therefore
// also closes a pause gate that every request checks before and after its limiter wait.
type endpoint struct {
	name string // the service path
	lim  *rate.Limiter

	mu sync.Mutex
	rc *rateControl // guarded by mu, but for rc.answered and rc.max

	requests, retries, throttled atomic.Int64
}

func newEndpoint(name string, rps float64, now time.Time) *endpoint {
	return &endpoint{name: name, lim: rate.NewLimiter(rate.Limit(rps), 1), rc: newRateControl(rps, now)}
}

// wait blocks until the endpoint may send: past the pause gate, then a limiter token, then
// the gate again (a throttle answer may have closed it meanwhile).
func (e *endpoint) wait(ctx context.Context) error {
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
func (e *endpoint) pause() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rc.pause(time.Now())
}

// throttle handles a throttle answer to a request sent at sentAt (rateControl.throttle).
func (e *endpoint) throttle(sentAt time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if l, ok := e.rc.throttle(now, sentAt); ok {
		e.lim.SetLimitAt(now, rate.Limit(l))
	}
}

// answered counts an answer the server's rate limiter let through.
func (e *endpoint) answered() { e.rc.answered() }

// success may raise a lowered limit (rateControl.success).
func (e *endpoint) success() {
	if float64(e.lim.Limit()) >= e.rc.max { // the common case, without the mutex
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if l, ok := e.rc.success(now); ok {
		e.lim.SetLimitAt(now, rate.Limit(l))
	}
}
