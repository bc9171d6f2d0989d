package chatsim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/http"
	"sync"
	"time"
)

// Faults configures seeded fault injection. Each rate is the fraction of admitted requests
// (those past the query checks and the rate limiter) that meet that fault; the rates must add
// up to at most 1. A request meets at most one fault; latency is added on top to every request.
type Faults struct {
	// LatencyMin and LatencyMax bound a uniformly drawn delay added to every request (a zero
	// LatencyMax means a fixed LatencyMin). For a write, the delay falls inside the window in
	// which the user's other writes conflict.
	LatencyMin, LatencyMax time.Duration
	// TransientRate: answered with the family's "internal error, retry" code (10002 / 30006 /
	// 50004); nothing is applied.
	TransientRate float64
	// HTTP502Rate: answered HTTP 502 with a proxy's HTML body; nothing is applied.
	HTTP502Rate float64
	// HangRate: no answer for Hang or until the client goes away; nothing is applied. A request
	// that outlives Hang is answered 60008 (server timeout).
	HangRate float64
	// AmbiguousRate: the connection is dropped before any answer is written, after the change
	// was applied or before, as Dialect.LostAnswer says: the case that proves a client
	// settles what it cannot know by reading.
	AmbiguousRate float64
	// ThrottleRate: answered with the throttle code (10006 on group endpoints, 60007
	// elsewhere) although the rate limiter admitted it; nothing is applied.
	ThrottleRate float64
	// Hang is how long a hanging request hangs; default 15 s, past any sane client timeout.
	Hang time.Duration
}

func (f Faults) any() bool {
	return f.LatencyMax > 0 || f.TransientRate > 0 || f.HTTP502Rate > 0 || f.HangRate > 0 ||
		f.AmbiguousRate > 0 || f.ThrottleRate > 0
}

func (f Faults) check() error {
	sum := 0.0
	for _, r := range []float64{f.TransientRate, f.HTTP502Rate, f.HangRate, f.AmbiguousRate, f.ThrottleRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("fault rate %v is outside [0, 1]", r)
		}
		sum += r
	}
	if sum > 1 {
		return fmt.Errorf("fault rates add up to %v, more than 1", sum)
	}
	if f.LatencyMin < 0 || f.LatencyMax < f.LatencyMin {
		return fmt.Errorf("latency range %v-%v is not a range", f.LatencyMin, f.LatencyMax)
	}
	if f.Hang < 0 {
		return fmt.Errorf("hang %v is negative", f.Hang)
	}
	return nil
}

// decision is what fault injection makes of one request.
type decision struct {
	kind    string // "" or one of the Fault* kinds
	latency time.Duration
	applied bool // for a lost answer under Dialect.LostAnswer "mixed": applied before the drop
}

// faultPlan draws decisions. A decision depends only on (seed, path, body, how many times this
// exact body was seen before on this path), never on goroutine interleaving or arrival time:
// the same run replays the same faults, and a retry of the same body draws afresh.
type faultPlan struct {
	f    Faults
	seed uint64
	mu   sync.Mutex
	seen map[uint64]uint64 // hash(path, body) → times seen
}

func newFaultPlan(f Faults, seed int64) *faultPlan {
	return &faultPlan{f: f, seed: uint64(seed), seen: make(map[uint64]uint64)}
}

func (p *faultPlan) decide(path string, body []byte) decision {
	if !p.f.any() {
		return decision{}
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	key := h.Sum64()
	p.mu.Lock()
	n := p.seen[key]
	p.seen[key] = n + 1
	p.mu.Unlock()

	var buf [24]byte
	binary.LittleEndian.PutUint64(buf[0:], p.seed)
	binary.LittleEndian.PutUint64(buf[8:], key)
	binary.LittleEndian.PutUint64(buf[16:], n)
	x := mix(buf[:])
	kindDraw, latDraw := unit(splitmix(&x)), unit(splitmix(&x))
	// Drawn after the others, so that adding it changed none of the existing decisions.
	applyDraw := unit(splitmix(&x))

	d := decision{applied: applyDraw < 0.5}
	if span := p.f.LatencyMax - p.f.LatencyMin; span > 0 {
		d.latency = p.f.LatencyMin + time.Duration(latDraw*float64(span))
	} else {
		d.latency = p.f.LatencyMin
	}
	for _, k := range []struct {
		kind string
		rate float64
	}{
		{FaultTransient, p.f.TransientRate}, {FaultHTTP502, p.f.HTTP502Rate}, {FaultHang, p.f.HangRate},
		{FaultAmbiguous, p.f.AmbiguousRate}, {FaultThrottle, p.f.ThrottleRate},
	} {
		if kindDraw < k.rate {
			d.kind = k.kind
			break
		}
		kindDraw -= k.rate
	}
	return d
}

func mix(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// splitmix is SplitMix64: it spreads FNV's weak low bits into well-distributed draws.
func splitmix(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// unit maps a draw to [0, 1).
func unit(v uint64) float64 { return float64(v>>11) / (1 << 53) }

// drop closes the connection without an answer. Over HTTP/1 the connection is hijacked and
// closed, which the client sees as EOF or a reset; where hijacking is impossible (HTTP/2,
// recorders), net/http's own abort panic does the same job.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

const badGatewayBody = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
