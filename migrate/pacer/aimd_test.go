package pacer

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// t0 is the tests' epoch: the arithmetic reads no clock, so any instant does.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestAIMD(t *testing.T) {
	rc := newRateControl(200, t0)
	for range 1000 { // the server let far more through than the new limit: a plain cut
		rc.answered()
	}
	sent := t0.Add(time.Second)
	now := sent.Add(time.Millisecond)
	rc.throttle(now, sent)
	const cut = 200 * decreaseFactor
	if rc.limit != cut {
		t.Fatalf("limit %v after a throttle, want %v", rc.limit, cut)
	}
	if rc.pause(now) <= 0 {
		t.Fatal("the pause gate is open after a throttle")
	}
	now = now.Add(time.Millisecond)
	rc.throttle(now, sent) // an answer to a request sent before the decrease: no second cut
	if rc.limit != cut {
		t.Fatalf("limit %v after a stale throttle, want %v", rc.limit, cut)
	}
	now = now.Add(time.Millisecond)
	rc.throttle(now, now) // within decreaseEvery of the last cut: no second cut
	if rc.limit != cut {
		t.Fatalf("limit %v after a throttle within a second, want %v", rc.limit, cut)
	}
	for range 20 {
		now = now.Add(2 * decreaseEvery)
		rc.throttle(now, now)
	}
	if rc.limit != minRate {
		t.Fatalf("limit %v, want the floor %v", rc.limit, minRate)
	}
	now = now.Add(time.Hour)
	rc.success(now)
	if rc.limit != minRate+minClimb {
		t.Fatalf("limit %v after a quiet success at the floor, want the least step", rc.limit)
	}
	rc.success(now) // too soon for another step
	if rc.limit != minRate+minClimb {
		t.Fatalf("limit %v, want no second step so soon", rc.limit)
	}
	if l, ok := rc.success(now.Add(climbEvery)); !ok || l != minRate+2*minClimb {
		t.Fatalf("success after climbEvery = %v, %v; want a step to %v", l, ok, minRate+2*minClimb)
	}
}

// TestClimb: the climb after a cut is sized by the rate last refused, quick below 90% of it
// and slow near and above it, so that a configured rate far above what the server grants
// does not overshoot again and again.
func TestClimb(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		max, limit, ceiling    float64
		wantLimit, wantCeiling float64
	}{
		{"quick below the ceiling", 200, 100, 200, 110, 200},
		{"slow near the ceiling", 200, 185, 200, 187, 200},
		{"sized by the ceiling, not by the configured rate", 2000, 100, 200, 110, 200},
		{"the ceiling follows the limit past it", 2000, 250, 250, 252.5, 252.5},
		{"capped at the configured rate", 200, 199.5, 200, 200, 200},
		{"at least minClimb", 200, 1, 1, 1 + minClimb, 1 + minClimb},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The state after some cut and climbs; the last change was long before now.
			rc := &rateControl{max: tc.max, limit: tc.limit, ceiling: tc.ceiling}
			if _, ok := rc.success(t0); !ok {
				t.Fatal("no climb after a quiet period")
			}
			if got := rc.limit; math.Abs(got-tc.wantLimit) > 1e-9 {
				t.Errorf("limit %v, want %v", got, tc.wantLimit)
			}
			if got := rc.ceiling; math.Abs(got-tc.wantCeiling) > 1e-9 {
				t.Errorf("ceiling %v, want %v", got, tc.wantCeiling)
			}
		})
	}
}

// TestCut: a throttle answer cuts the limit by decreaseFactor, or down to the rate the server
// admitted since the last cut when that is lower (a configured rate far above the server's
// grant), but never below a quarter of the limit; the refused rate becomes the ceiling.
func TestCut(t *testing.T) {
	for _, tc := range []struct {
		name     string
		admitted int // answers let through in the last second
		want     float64
	}{
		{"admitted plenty: the plain cut", 3000, 2000 * decreaseFactor},
		{"admitted 800/s: down to it", 800, 800},
		{"admitted nothing: a quarter", 0, 2000 * minDecrease},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newRateControl(2000, t0)
			for range tc.admitted {
				rc.answered()
			}
			now := t0.Add(time.Second)
			l, ok := rc.throttle(now, now)
			if !ok || l != rc.limit {
				t.Errorf("throttle = %v, %v; want the cut, as limit %v", l, ok, rc.limit)
			}
			if got := rc.limit; math.Abs(got-tc.want) > tc.want*0.02 {
				t.Errorf("limit %v after the cut, want %v", got, tc.want)
			}
			if rc.ceiling != 2000 {
				t.Errorf("ceiling %v, want the refused 2000", rc.ceiling)
			}
			if rc.admitted.Load() != 0 {
				t.Error("the admitted count was not reset")
			}
		})
	}
}

// cutTo returns a rate control whose limit was cut to limit at the instant at: the server
// admitted limit requests/s over the second before.
func cutTo(t *testing.T, limit float64, at time.Time) *rateControl {
	t.Helper()
	rc := newRateControl(4*limit, at.Add(-time.Second))
	for range int(limit) {
		rc.answered()
	}
	if l, ok := rc.throttle(at, at); !ok || l != limit {
		t.Fatalf("the first cut gave %v, %v; want %v", l, ok, limit)
	}
	return rc
}

// TestOvershoot: within decreaseEvery of a cut, another throttle answer cuts again only when
// the server admitted less than half the limit over minWindow at least (a configured rate far
// above the server's grant); near the server's limit cuts stay decreaseEvery apart.
func TestOvershoot(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sinceCut time.Duration
		admitted int // answers admitted since the cut
		limit    float64
		wantCut  bool
	}{
		{"gross overshoot", 300 * time.Millisecond, 30, 2000, true},   // 100/s admitted
		{"near the limit", 300 * time.Millisecond, 150, 600, false},   // 500/s admitted
		{"too soon to judge", 100 * time.Millisecond, 0, 2000, false}, // under minWindow
		{"a second later: any throttle cuts", 1100 * time.Millisecond, 600, 600, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := cutTo(t, tc.limit, t0)
			for range tc.admitted {
				rc.answered()
			}
			now := t0.Add(tc.sinceCut)
			_, cut := rc.throttle(now, now)
			if got := rc.limit < tc.limit; got != tc.wantCut || cut != tc.wantCut {
				t.Errorf("cut %v (reported %v; limit %v -> %v), want %v", got, cut, tc.limit, rc.limit, tc.wantCut)
			}
		})
	}
}

// TestClimbOverTime: after a throttle answer, a stream of successes brings the limit back to
// the configured rate step by step, one step per quiet climbEvery: quick steps up to 90% of
// the refused rate, slow ones above.
func TestClimbOverTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{RPS: 200})
		send, _ := script(codeErr(chatapi.CodeRESTRate))
		start := time.Now() // the throttle answer comes at once
		mustNil(t, p.Do(context.Background(), "ep", send))
		if got := p.Limit("ep"); got != 200*decreaseFactor {
			t.Fatalf("limit %v after the throttle answer, want %v", got, 200*decreaseFactor)
		}
		var steps []time.Time
		last := p.Limit("ep")
		for p.Limit("ep") < 200 && time.Since(start) < time.Minute {
			mustNil(t, p.Do(context.Background(), "ep", func(context.Context) error { return nil }))
			if l := p.Limit("ep"); l != last {
				if l < last {
					t.Fatalf("limit fell from %v to %v on success", last, l)
				}
				steps, last = append(steps, time.Now()), l
			}
		}
		if last != 200 {
			t.Fatalf("limit %v a minute after the throttle, want 200", last)
		}
		// 140 → 180 in steps of 10 (a twentieth of the refused 200), then steps of 2.
		if len(steps) != 4+10 {
			t.Errorf("%d steps back to 200, want 14", len(steps))
		}
		prev := start
		for i, s := range steps {
			if s.Sub(prev) < climbEvery {
				t.Errorf("step %d came %v after the previous change, want climbEvery (%v) at least", i, s.Sub(prev), climbEvery)
			}
			prev = s
		}
		if took := time.Since(start); took > 14*climbEvery+time.Second {
			t.Errorf("the climb took %v, want about %v", took, 14*climbEvery)
		}
	})
}
