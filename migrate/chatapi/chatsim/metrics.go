package chatsim

import (
	"sync"
	"time"
)

// Fault kinds, as Metrics names them.
const (
	FaultTransient = "transient"
	FaultHTTP502   = "http502"
	FaultHang      = "hang"
	FaultAmbiguous = "ambiguous"
	FaultThrottle  = "throttle"
)

// Metrics counts what the emulator was asked and how it answered, per endpoint (keyed by
// service path, e.g. "sns/group_add"; unknown commands under "unknown") and in total.
type Metrics struct {
	Endpoints map[string]EndpointMetrics `json:"Endpoints"`
	Total     EndpointMetrics            `json:"Total"`
}

// EndpointMetrics are one endpoint's counters.
type EndpointMetrics struct {
	Requests  int64 `json:"Requests"`  // every request that reached the endpoint
	OK        int64 `json:"OK"`        // answered ErrorCode 0 (per-item failures included)
	Errors    int64 `json:"Errors"`    // answered a non-zero ErrorCode (throttles and faults included)
	Throttled int64 `json:"Throttled"` // refused by the rate limiter (injected throttles are in Faults)
	Conflicts int64 `json:"Conflicts"` // refused because another write for the same user was in flight
	// Faults counts injected faults by kind (FaultTransient, FaultHTTP502, ...).
	Faults map[string]int64 `json:"Faults,omitempty"`
	// PeakPerSecond is the most requests that arrived within one second of the emulator's
	// clock; PeakAdmittedPerSecond counts only those the rate limiter let through.
	PeakPerSecond         int64 `json:"PeakPerSecond"`
	PeakAdmittedPerSecond int64 `json:"PeakAdmittedPerSecond"`
}

// counter tracks one endpoint's figures, including the current second's arrivals.
type counter struct {
	m                    EndpointMetrics
	sec, secAdmitted     int64 // unix second of the window being counted
	inSec, inSecAdmitted int64 // arrivals within that second
}

// peak counts one arrival in the second now and keeps the best count seen.
func peak(window, n, best *int64, now int64) {
	if *window != now {
		*window, *n = now, 0
	}
	*n++
	*best = max(*best, *n)
}

// metrics is the emulator's recorder; one mutex is enough at the rates benchmarks push.
type metrics struct {
	mu    sync.Mutex
	by    map[string]*counter
	total counter
}

func newMetrics() *metrics { return &metrics{by: make(map[string]*counter)} }

func (m *metrics) with(name string, fn func(c *counter)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.by[name]
	if c == nil {
		c = &counter{m: EndpointMetrics{Faults: map[string]int64{}}}
		m.by[name] = c
	}
	if m.total.m.Faults == nil {
		m.total.m.Faults = map[string]int64{}
	}
	fn(c)
	fn(&m.total)
}

func (m *metrics) arrive(name string, now time.Time) {
	sec := now.Unix()
	m.with(name, func(c *counter) {
		c.m.Requests++
		peak(&c.sec, &c.inSec, &c.m.PeakPerSecond, sec)
	})
}

func (m *metrics) admitted(name string, now time.Time) {
	sec := now.Unix()
	m.with(name, func(c *counter) { peak(&c.secAdmitted, &c.inSecAdmitted, &c.m.PeakAdmittedPerSecond, sec) })
}

func (m *metrics) throttled(name string) { m.with(name, func(c *counter) { c.m.Throttled++ }) }
func (m *metrics) conflict(name string)  { m.with(name, func(c *counter) { c.m.Conflicts++ }) }
func (m *metrics) fault(name, kind string) {
	m.with(name, func(c *counter) { c.m.Faults[kind]++ })
}

// answered records the ErrorCode of an answer that was written.
func (m *metrics) answered(name string, code int) {
	m.with(name, func(c *counter) {
		if code == 0 {
			c.m.OK++
		} else {
			c.m.Errors++
		}
	})
}

func (m *metrics) snapshot() Metrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := Metrics{Endpoints: make(map[string]EndpointMetrics, len(m.by)), Total: copyMetrics(m.total.m)}
	for name, c := range m.by {
		out.Endpoints[name] = copyMetrics(c.m)
	}
	return out
}

func copyMetrics(e EndpointMetrics) EndpointMetrics {
	f := make(map[string]int64, len(e.Faults))
	for k, v := range e.Faults {
		f[k] = v
	}
	e.Faults = f
	return e
}

// Metrics returns a copy of the request counters.
func (s *Server) Metrics() Metrics { return s.metrics.snapshot() }
