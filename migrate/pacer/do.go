package pacer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Do sends one request to endpoint (a service path, the key of its rate limiter) by calling
// send with a per-request context, and retries by the class of the *chatapi.Error it returns:
// throttled → the endpoint slows down (AIMD) and the request is sent again; transient →
// exponential backoff with full jitter, at most MaxAttempts attempts; renew → sent again at
// once (the client renewed its UserSig); fatal → the whole Pacer stops sending and every
// Do returns the *FatalError; retry-then-fatal → like transient for maxRetryThenFatal
// attempts, then like fatal; too big → returned at once, since the same request would fail
// the same way and only the caller can split it. Every attempt waits for the endpoint's
// limiter.
//
// Do returns nil on success; a *chatapi.Error of a permanent class, or of ClassTooBig (the
// caller splits the request and sends the parts: it is no item's failure); an
// *ExhaustedError; a *FatalError; ctx's error; or, unchanged, any error send returns that is
// not a *chatapi.Error or that send wrapped with GiveUp.
func (p *Pacer) Do(ctx context.Context, endpoint string, send func(ctx context.Context) error) error {
	ep := p.endpoint(endpoint)
	transient, throttles, renewals, signatures := 0, 0, 0, 0
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			ep.retries.Add(1)
		}
		sentAt, err := p.attempt(ctx, ep, attempt > 1, send)
		if err == nil {
			p.heard()
			ep.answered()
			ep.success()
			return nil
		}
		var ce *chatapi.Error
		if errors.As(err, &ce) {
			if ce.Code == 0 && ce.Class == chatapi.ClassTransient {
				p.noAnswer.Add(1) // a transport failure or a proxy's 5xx: no word from the API
			} else {
				p.heard()
				if ce.Class != chatapi.ClassThrottled {
					ep.answered()
				}
			}
		}
		var gu *GiveUpError
		if errors.As(err, &gu) || ce == nil {
			return err
		}
		var wait time.Duration
		switch ce.Class {
		case chatapi.ClassThrottled:
			ep.throttled.Add(1)
			if ce.Code == chatapi.CodeAppRate {
				p.throttleAll(sentAt) // the app's rate over every API, not this one's
			} else {
				ep.throttle(sentAt)
			}
			if throttles++; throttles >= maxThrottleTries {
				return &ExhaustedError{Attempts: attempt, Last: ce}
			}
		case chatapi.ClassTransient:
			transient++
			silence := p.silence()
			switch {
			case transient < p.opt.MaxAttempts:
				wait = p.backoff(transient)
			case silence == 0: // others get answers: the failure is this request's
				return &ExhaustedError{Attempts: attempt, Last: ce}
			case silence >= p.opt.OutageAfter:
				return p.outage(ce, silence)
			default: // nobody gets an answer: wait the silence out, up to the outage stop
				wait = min(p.opt.BackoffMax, p.opt.OutageAfter-silence)
			}
		case chatapi.ClassRenew:
			if renewals++; renewals > maxRenewals {
				return &ExhaustedError{Attempts: attempt, Last: ce}
			}
		case chatapi.ClassRetryThenFatal:
			if signatures++; signatures >= maxRetryThenFatal {
				p.fatal.CompareAndSwap(nil, &FatalError{Err: ce})
				return p.fatal.Load()
			}
			wait = p.backoff(signatures)
		case chatapi.ClassFatal:
			return p.fatal.Load() // tripped by attempt
		case chatapi.ClassTooBig:
			return err // sent again as it is, it would fail again: the caller splits it
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
// in-flight slot, checks the Pacer is not stopped, and sends on a context that outlives ctx
// by the grace period (so that a request in flight at an interrupt is answered and
// recorded). It tells the Observer of what it sent.
func (p *Pacer) attempt(ctx context.Context, ep *endpoint, retry bool, send func(ctx context.Context) error) (time.Time, error) {
	if err := ep.wait(ctx); err != nil {
		return time.Time{}, err
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	defer func() { <-p.sem }()
	// Checked after the waits, right before sending: no request leaves after a fatal answer.
	if f := p.fatal.Load(); f != nil {
		return time.Time{}, f
	}
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	rctx, cancel := p.requestContext(ctx)
	defer cancel()
	var limit float64
	if p.opt.Observer != nil {
		limit = float64(ep.lim.Limit())
	}
	sentAt := time.Now()
	ep.requests.Add(1)
	err := send(rctx)
	var ce *chatapi.Error
	if errors.As(err, &ce) && ce.Class == chatapi.ClassFatal {
		// Trip before the slot is released: whoever gets the slot next sees the stop.
		p.fatal.CompareAndSwap(nil, &FatalError{Err: ce})
	}
	if p.opt.Observer != nil {
		p.opt.Observer.Attempt(Attempt{Endpoint: ep.name, Sent: sentAt, Latency: time.Since(sentAt),
			Retry: retry, Err: err, Limit: limit})
	}
	return sentAt, err
}

// outage stops the Pacer: the API has given no answer for silence, so the item at hand is
// not to blame.
func (p *Pacer) outage(ce *chatapi.Error, silence time.Duration) error {
	p.fatal.CompareAndSwap(nil, &FatalError{Err: ce, Outage: int(p.noAnswer.Load()), Silence: silence})
	return p.fatal.Load()
}

// requestContext is the context of one request: it carries ctx's values, ends after the
// request timeout, and ends Grace after ctx does.
func (p *Pacer) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.opt.Timeout)
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(p.opt.Grace, cancel)
		context.AfterFunc(rctx, func() { t.Stop() })
	})
	return rctx, func() { stop(); cancel() }
}

// backoff returns the wait before the n-th retry of a transient failure: full jitter over
// an exponential ceiling (AWS's "exponential backoff and jitter").
func (p *Pacer) backoff(n int) time.Duration {
	ceil := p.opt.BackoffBase << min(n-1, 30)
	if ceil > p.opt.BackoffMax || ceil <= 0 {
		ceil = p.opt.BackoffMax
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
