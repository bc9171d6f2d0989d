package migrate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Defaults of CallOptions.
const (
	// DefaultConcurrency is the default cap on requests in flight. The four write endpoints at
	// 200/s each with ~50 ms of latency need about 40 in flight; 64 leaves room for slower
	// answers without letting a wrong key fire off more than a handful of doomed requests.
	DefaultConcurrency = 64
	DefaultTimeout     = 10 * time.Second // the server gives up after 3 s (API.md)
	DefaultGrace       = 5 * time.Second
	DefaultMaxAttempts = 8
	DefaultBackoffBase = 100 * time.Millisecond
	DefaultBackoffMax  = 5 * time.Second
)

// Limits of the AIMD rate control and of the retry loop.
const (
	minRate          = 1.0                    // requests/s an endpoint never drops below
	climbEvery       = 250 * time.Millisecond // quiet time between two additive increases
	decreaseEvery    = time.Second            // least time between two multiplicative decreases
	decreaseFactor   = 0.7                    // a decrease multiplies the limit by this (CUBIC's β)
	minDecrease      = 0.25                   // nor does a decrease go below this fraction of the limit
	minWindow        = 250 * time.Millisecond // the least time an admitted rate is measured over
	overshootFactor  = 2                      // a limit this many times the admitted rate is cut at once
	climbSteps       = 20                     // an increase adds ceiling/climbSteps
	slowClimb        = 5                      // near the ceiling, steps are slowClimb times smaller
	nearCeiling      = 0.9                    // the fraction of the ceiling where the climb slows
	minClimb         = 0.5                    // requests/s an increase adds at least
	minPause         = 100 * time.Millisecond
	maxPause         = time.Second
	maxThrottleTries = 64 // throttle answers one request may meet before it is given up
	maxRenewals      = 3  // renew answers in a row before the request is given up
	// minOutage is the least number of requests in a row without any answer from the API
	// (connection refused, reset, timeout, a proxy's 5xx) that make an outage: the run then
	// stops, resumable, instead of failing item after item for a cause none of them has.
	minOutage = 16
)

// CallOptions tune how requests are sent. run and verify share them.
type CallOptions struct {
	// RPS is each endpoint's request rate at most, in requests per second; default
	// chatapi.DefaultRPS (the vendor's 200/s per API).
	RPS float64
	// Concurrency caps the requests in flight over all endpoints; default DefaultConcurrency.
	Concurrency int
	// Timeout bounds one request; default DefaultTimeout.
	Timeout time.Duration
	// Grace is how long requests already in flight may finish after the job's context ends
	// (Ctrl-C), so that their answers are recorded; default DefaultGrace.
	Grace time.Duration
	// MaxAttempts bounds the attempts of a request that meets transient failures; default
	// DefaultMaxAttempts.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the exponential backoff with full jitter between
	// transient failures; defaults DefaultBackoffBase and DefaultBackoffMax.
	BackoffBase, BackoffMax time.Duration
}

func (o CallOptions) withDefaults() CallOptions {
	if o.RPS <= 0 {
		o.RPS = chatapi.DefaultRPS
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	return o
}

// caller sends requests for run and verify: one rate limiter per endpoint with AIMD on
// throttle answers, a global cap on requests in flight, retries by error class, and a
// run-wide stop on the first fatal answer. It is safe for concurrent use.
type caller struct {
	opt      CallOptions
	sem      chan struct{} // one token per request in flight
	fatal    atomic.Pointer[FatalError]
	noAnswer atomic.Int64 // requests in a row that got no answer from the API

	mu  sync.Mutex
	eps map[string]*endpointState
}

// newCaller returns a caller for opt (zero fields take their defaults).
func newCaller(opt CallOptions) *caller {
	opt = opt.withDefaults()
	return &caller{opt: opt, sem: make(chan struct{}, opt.Concurrency), eps: make(map[string]*endpointState)}
}

// CallStats counts what one endpoint saw.
type CallStats struct {
	Requests  int64 // requests sent (retries included)
	Retries   int64 // requests sent again after a failure
	Throttled int64 // throttle answers
}

// stats returns the counts of endpoint (a service path).
func (c *caller) stats(endpoint string) CallStats {
	ep := c.endpoint(endpoint)
	return CallStats{Requests: ep.requests.Load(), Retries: ep.retries.Load(), Throttled: ep.throttled.Load()}
}

// limit returns endpoint's current rate limit (for tests and the status line).
func (c *caller) limit(endpoint string) float64 {
	return float64(c.endpoint(endpoint).lim.Limit())
}

// stopped returns the fatal error that stopped the run, or nil.
func (c *caller) stopped() *FatalError { return c.fatal.Load() }

// countRetry counts a request the caller of do sends again by itself (after settling an
// in-doubt request).
func (c *caller) countRetry(endpoint string) { c.endpoint(endpoint).retries.Add(1) }

func (c *caller) endpoint(name string) *endpointState {
	c.mu.Lock()
	defer c.mu.Unlock()
	ep := c.eps[name]
	if ep == nil {
		ep = newEndpointState(c.opt.RPS)
		c.eps[name] = ep
	}
	return ep
}

// errGiveUp marks an error the retry loop stops at without classifying it: send returns
// giveUp(err) to hand control back to the code that called do (e.g. to settle an in-doubt
// request before sending it again).
type giveUpError struct{ err error }

func (e *giveUpError) Error() string { return e.err.Error() }
func (e *giveUpError) Unwrap() error { return e.err }

func giveUp(err error) error { return &giveUpError{err} }

// capture returns a send for do that calls api with req and keeps the answer of the attempt
// that succeeded in *resp: do retries, so only a successful attempt may set it.
func capture[Req, Resp any](resp *Resp, api func(context.Context, Req) (Resp, error), req Req) func(context.Context) error {
	return func(ctx context.Context) error {
		r, err := api(ctx, req)
		if err == nil {
			*resp = r
		}
		return err
	}
}

// ExhaustedError is a request given up after its retries: it may succeed in a later run
// (--retry-failed).
type ExhaustedError struct {
	Attempts int
	Last     *chatapi.Error
}

func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("gave up after %d attempts: %v", e.Attempts, e.Last)
}

func (e *ExhaustedError) Unwrap() error { return e.Last }

// do sends one request to endpoint (a service path, the key of its rate limiter) by calling
// send with a per-request context, and retries by the class of the *chatapi.Error it returns:
// throttled → the endpoint slows down (AIMD) and the request is sent again; transient →
// exponential backoff with full jitter, at most MaxAttempts attempts; renew → sent again at
// once (the client renewed its UserSig); fatal → the whole caller stops sending and every
// do returns the *FatalError. Every attempt waits for the endpoint's limiter.
//
// do returns nil on success; a *chatapi.Error of a permanent class; an *ExhaustedError;
// a *FatalError; ctx's error; or, unchanged, any error send returns that is not a
// *chatapi.Error or that send wrapped with giveUp.
func (c *caller) do(ctx context.Context, endpoint string, send func(ctx context.Context) error) error {
	ep := c.endpoint(endpoint)
	transient, throttles, renewals := 0, 0, 0
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			ep.retries.Add(1)
		}
		sentAt, err := c.attempt(ctx, ep, send)
		if err == nil {
			c.noAnswer.Store(0)
			ep.answered()
			ep.success()
			return nil
		}
		var ce *chatapi.Error
		if errors.As(err, &ce) {
			if ce.Code == 0 && ce.Class == chatapi.ClassTransient {
				c.noAnswer.Add(1) // a transport failure or a proxy's 5xx: no word from the API
			} else {
				c.noAnswer.Store(0)
				if ce.Class != chatapi.ClassThrottled {
					ep.answered()
				}
			}
		}
		var gu *giveUpError
		if errors.As(err, &gu) || ce == nil {
			return err
		}
		var wait time.Duration
		switch ce.Class {
		case chatapi.ClassThrottled:
			ep.throttled.Add(1)
			ep.throttle(sentAt)
			if throttles++; throttles >= maxThrottleTries {
				return &ExhaustedError{Attempts: attempt, Last: ce}
			}
		case chatapi.ClassTransient:
			if transient++; transient >= c.opt.MaxAttempts {
				if c.noAnswer.Load() >= int64(max(minOutage, 2*c.opt.Concurrency)) {
					return c.outage(ce)
				}
				return &ExhaustedError{Attempts: attempt, Last: ce}
			}
			wait = c.backoff(transient)
		case chatapi.ClassRenew:
			if renewals++; renewals > maxRenewals {
				return &ExhaustedError{Attempts: attempt, Last: ce}
			}
		case chatapi.ClassFatal:
			return c.fatal.Load() // tripped by attempt
		default:
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", endpoint, ctx.Err())
		}
		if wait > 0 && !sleep(ctx, wait) {
			return fmt.Errorf("%s: %w", endpoint, ctx.Err())
		}
	}
}

// attempt sends once: it waits for the endpoint's pause gate and limiter on ctx, takes an
// in-flight slot, checks the run is not stopped, and sends on a context that outlives ctx by
// the grace period (so that a request in flight at Ctrl-C is answered and recorded).
func (c *caller) attempt(ctx context.Context, ep *endpointState, send func(ctx context.Context) error) (time.Time, error) {
	if err := ep.wait(ctx); err != nil {
		return time.Time{}, err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	defer func() { <-c.sem }()
	// Checked after the waits, right before sending: no request leaves after a fatal answer.
	if f := c.fatal.Load(); f != nil {
		return time.Time{}, f
	}
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	rctx, cancel := c.requestContext(ctx)
	defer cancel()
	sentAt := time.Now()
	ep.requests.Add(1)
	err := send(rctx)
	var ce *chatapi.Error
	if errors.As(err, &ce) && ce.Class == chatapi.ClassFatal {
		// Trip before the slot is released: whoever gets the slot next sees the stop.
		c.fatal.CompareAndSwap(nil, newFatalError(ce))
	}
	return sentAt, err
}

// outage stops the run: the API has not answered for a long row of requests, so the item
// at hand is not to blame.
func (c *caller) outage(ce *chatapi.Error) error {
	c.fatal.CompareAndSwap(nil, &FatalError{Err: ce, Hint: fmt.Sprintf("The API has not answered %d requests in a row: "+
		"the network is down, or --endpoint (or --region) is wrong. Nothing was recorded as failed.", c.noAnswer.Load()) + resumeHint})
	return c.fatal.Load()
}

// requestContext is the context of one request: it carries ctx's values, ends after the
// request timeout, and ends Grace after ctx does.
func (c *caller) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opt.Timeout)
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(c.opt.Grace, cancel)
		context.AfterFunc(rctx, func() { t.Stop() })
	})
	return rctx, func() { stop(); cancel() }
}

// backoff returns the wait before the n-th retry of a transient failure: full jitter over
// an exponential ceiling (AWS's "exponential backoff and jitter").
func (c *caller) backoff(n int) time.Duration {
	ceil := c.opt.BackoffBase << min(n-1, 30)
	if ceil > c.opt.BackoffMax || ceil <= 0 {
		ceil = c.opt.BackoffMax
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
