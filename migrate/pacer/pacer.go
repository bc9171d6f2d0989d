// Package pacer sends requests to the chat service's REST API at a pace it accepts: one rate
// limiter per endpoint, lowered on throttle answers and raised again after quiet periods
// (AIMD), a cap on requests in flight over all endpoints, retries by error class, and a stop
// of everything on the first answer that every further request would get too (a fatal
// answer, or a long outage). The classes are chatapi's (docs/vendor-api.md, "Error classes").
//
// The pacer names no cause and gives no advice: its errors carry typed facts (the
// *chatapi.Error, the length of an outage) for the command line to explain.
package pacer

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// Defaults of Options.
const (
	// DefaultConcurrency is the default cap on requests in flight. The four write endpoints at
	// 200/s each with ~50 ms of latency need about 40 in flight; 64 leaves room for slower
	// answers without letting a wrong key fire off more than a handful of doomed requests.
	DefaultConcurrency = 64
	DefaultGrace       = 5 * time.Second
	DefaultMaxAttempts = 8
	DefaultBackoffBase = 100 * time.Millisecond
	DefaultBackoffMax  = 5 * time.Second
	// DefaultOutageAfter is how long the API may stay silent before the run stops as an
	// outage: long enough for a network blip or a restarting proxy, short enough that a
	// wrong address does not keep a run waiting for long.
	DefaultOutageAfter = 60 * time.Second
)

// Limits of the retry loop.
const (
	maxThrottleTries = 64 // throttle answers one request may meet before it is given up
	maxRenewals      = 3  // renew answers in a row before the request is given up
	// maxRetryThenFatal is the attempts of a request answered with a retry-then-fatal code
	// (10008, "try again") before it stops the run: enough to ride out a server's hiccup,
	// few enough that a signature every request gets wrong stops the run quickly.
	maxRetryThenFatal = 3
	// minOutage is the least number of attempts in a row without any answer from the API
	// (connection refused, reset, timeout, a proxy's 5xx) that make it silent: a request
	// then waits the silence out instead of failing its item, and once the API has been
	// silent for Options.OutageAfter the run stops, resumable, for a cause no item has.
	minOutage = 16
)

// Options tune how requests are sent. Zero fields take their defaults.
type Options struct {
	// RPS is each endpoint's request rate at most, in requests per second; default
	// chatapi.DefaultRPS (the vendor's 200/s per API).
	RPS float64
	// EndpointRPS overrides RPS for the endpoints it names (service paths), for an endpoint
	// whose own limit is lower than the others'. account_check gets
	// min(RPS, chatapi.AccountCheckRPS) unless named here (docs/vendor-api.md, "Transport").
	EndpointRPS map[string]float64
	// Concurrency caps the requests in flight over all endpoints; default DefaultConcurrency.
	Concurrency int
	// Timeout bounds one request; default chatapi.DefaultTimeout.
	Timeout time.Duration
	// Grace is how long requests already in flight may finish after the job's context ends
	// (an interrupt), so that their answers are recorded; default DefaultGrace.
	Grace time.Duration
	// MaxAttempts bounds the attempts of a request that meets transient failures; default
	// DefaultMaxAttempts.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the exponential backoff with full jitter between
	// transient failures; defaults DefaultBackoffBase and DefaultBackoffMax.
	BackoffBase, BackoffMax time.Duration
	// OutageAfter is how long the API may give no answer at all, to any request, before
	// every request stops as an outage; default DefaultOutageAfter. Until then a request
	// that runs out of attempts while the API is silent keeps waiting instead of failing.
	OutageAfter time.Duration
	// Observer, when not nil, is told of every attempt sent (a metrics log).
	Observer Observer
}

func (o Options) withDefaults() Options {
	if o.RPS <= 0 {
		o.RPS = chatapi.DefaultRPS
	}
	eps := make(map[string]float64, len(o.EndpointRPS)+1)
	eps[chatapi.PathAccountCheck] = min(o.RPS, chatapi.AccountCheckRPS)
	for name, rps := range o.EndpointRPS {
		if rps > 0 {
			eps[name] = rps
		}
	}
	o.EndpointRPS = eps // a copy: the caller's map may change
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = chatapi.DefaultTimeout
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
	if o.OutageAfter <= 0 {
		o.OutageAfter = DefaultOutageAfter
	}
	return o
}

// Pacer sends requests: one rate limiter per endpoint with AIMD on throttle answers, a
// global cap on requests in flight, retries by error class, and a stop of every request on
// the first fatal answer. It is safe for concurrent use.
type Pacer struct {
	opt      Options
	sem      chan struct{} // one token per request in flight
	fatal    atomic.Pointer[FatalError]
	noAnswer atomic.Int64 // attempts in a row that got no answer from the API
	epoch    time.Time    // New's time: the origin of lastWord
	lastWord atomic.Int64 // time since epoch of the last answer of the API (or of New)

	mu  sync.Mutex
	eps map[string]*endpoint
}

// New returns a Pacer for opt (zero fields take their defaults).
func New(opt Options) *Pacer {
	opt = opt.withDefaults()
	return &Pacer{opt: opt, sem: make(chan struct{}, opt.Concurrency), eps: make(map[string]*endpoint), epoch: time.Now()}
}

// heard notes an answer of the API: the silence, if any, is over.
func (p *Pacer) heard() {
	p.noAnswer.Store(0)
	p.lastWord.Store(int64(time.Since(p.epoch)))
}

// silence returns how long the API has given no answer, when enough attempts in a row got
// none to tell a silent API from a few unlucky requests; else 0.
func (p *Pacer) silence() time.Duration {
	if p.noAnswer.Load() < minOutage {
		return 0
	}
	return max(time.Since(p.epoch)-time.Duration(p.lastWord.Load()), time.Nanosecond)
}

// Concurrency returns the cap on requests in flight, its default filled in: callers size
// their worker pools by it.
func (p *Pacer) Concurrency() int { return p.opt.Concurrency }

// RPS returns endpoint's configured rate at most (Options.RPS, or its EndpointRPS), before
// any throttle answer lowered it: callers estimate times by it.
func (p *Pacer) RPS(endpoint string) float64 {
	if rps, ok := p.opt.EndpointRPS[endpoint]; ok {
		return rps
	}
	return p.opt.RPS
}

// Stats counts what one endpoint saw.
type Stats struct {
	Requests  int64 // requests sent (retries included)
	Retries   int64 // requests sent again after a failure
	Throttled int64 // throttle answers
}

// Stats returns the counts of endpoint (a service path).
func (p *Pacer) Stats(endpoint string) Stats {
	ep := p.endpoint(endpoint)
	return Stats{Requests: ep.requests.Load(), Retries: ep.retries.Load(), Throttled: ep.throttled.Load()}
}

// Limit returns endpoint's current rate limit in requests per second (for tests and the
// status line).
func (p *Pacer) Limit(endpoint string) float64 {
	return float64(p.endpoint(endpoint).lim.Limit())
}

// Stopped returns the fatal error that stopped every request, or nil.
func (p *Pacer) Stopped() *FatalError { return p.fatal.Load() }

// CountRetry counts a request that the caller of Do sends again by itself (after settling an
// in-doubt request), so that endpoint's retries include it.
func (p *Pacer) CountRetry(endpoint string) { p.endpoint(endpoint).retries.Add(1) }

// throttleAll lowers every endpoint's limit, for an answer (60011) that says the app's
// requests over all APIs together were too many: slowing only the endpoint that got it would
// leave the others to take up the room and meet the same answer.
func (p *Pacer) throttleAll(sentAt time.Time) {
	p.mu.Lock()
	eps := make([]*endpoint, 0, len(p.eps))
	for _, ep := range p.eps {
		eps = append(eps, ep)
	}
	p.mu.Unlock()
	for _, ep := range eps {
		ep.throttle(sentAt)
	}
}

func (p *Pacer) endpoint(name string) *endpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	ep := p.eps[name]
	if ep == nil {
		ep = newEndpoint(name, p.RPS(name), time.Now())
		p.eps[name] = ep
	}
	return ep
}
