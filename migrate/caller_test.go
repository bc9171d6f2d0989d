package migrate

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// fastCall are call options for tests: no real waiting.
func testCallOptions() CallOptions {
	return CallOptions{RPS: 100000, Concurrency: 4, Timeout: time.Second, Grace: 100 * time.Millisecond,
		BackoffBase: time.Microsecond, BackoffMax: 10 * time.Microsecond}
}

func codeErr(code int) *chatapi.Error {
	return &chatapi.Error{Endpoint: "x", Code: code, Class: chatapi.ClassOf(code), Info: "test"}
}

// script answers attempt i with errs[i] (nil past the end).
func script(errs ...error) (func(context.Context) error, *atomic.Int32) {
	var n atomic.Int32
	return func(context.Context) error {
		i := int(n.Add(1)) - 1
		if i < len(errs) {
			return errs[i]
		}
		return nil
	}, &n
}

func TestCallerRetriesByClass(t *testing.T) {
	transient := codeErr(chatapi.CodeInternal)
	tests := []struct {
		name      string
		errs      []error
		wantSends int32
		check     func(t *testing.T, err error)
		retries   int64
		throttled int64
	}{
		{"success", nil, 1, func(t *testing.T, err error) { callerMust(t, err) }, 0, 0},
		{"transient then ok", []error{transient, transient}, 3, func(t *testing.T, err error) { callerMust(t, err) }, 2, 0},
		{"throttled then ok", []error{codeErr(chatapi.CodeRESTRate)}, 2, func(t *testing.T, err error) { callerMust(t, err) }, 1, 1},
		{"renew then ok", []error{codeErr(chatapi.CodeSigExpired)}, 2, func(t *testing.T, err error) { callerMust(t, err) }, 1, 0},
		{"permanent", []error{codeErr(chatapi.CodeNotFriend)}, 1, func(t *testing.T, err error) {
			if apiCode(err) != chatapi.CodeNotFriend {
				t.Fatalf("err %v, want the 32216 error", err)
			}
		}, 0, 0},
		{"exhausted", []error{transient, transient, transient, transient, transient, transient, transient, transient, transient}, DefaultMaxAttempts,
			func(t *testing.T, err error) {
				var ex *ExhaustedError
				if !errors.As(err, &ex) || ex.Attempts != DefaultMaxAttempts {
					t.Fatalf("err %v, want ExhaustedError after %d attempts", err, DefaultMaxAttempts)
				}
				if code, _ := failureCode(err); code != "10002" {
					t.Fatalf("code %q", code)
				}
			}, DefaultMaxAttempts - 1, 0},
		{"give up passes through", []error{giveUp(transient)}, 1, func(t *testing.T, err error) {
			var gu *giveUpError
			if !errors.As(err, &gu) {
				t.Fatalf("err %v, want giveUpError", err)
			}
		}, 0, 0},
		{"local error", []error{errors.New("boom")}, 1, func(t *testing.T, err error) {
			if err == nil || err.Error() != "boom" {
				t.Fatalf("err %v", err)
			}
		}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCaller(testCallOptions())
			send, n := script(tt.errs...)
			err := c.do(context.Background(), "ep", send)
			tt.check(t, err)
			if n.Load() != tt.wantSends {
				t.Fatalf("%d sends, want %d", n.Load(), tt.wantSends)
			}
			st := c.stats("ep")
			if st.Retries != tt.retries || st.Throttled != tt.throttled || st.Requests != int64(tt.wantSends) {
				t.Fatalf("stats %+v, want retries %d throttled %d requests %d", st, tt.retries, tt.throttled, tt.wantSends)
			}
		})
	}
}

func TestCallerFatalStopsEverything(t *testing.T) {
	tests := []struct {
		code int
		hint string
	}{
		{chatapi.CodeSigWrongKey, "TIM_SECRET_KEY"},
		{chatapi.CodeSigInvalid, "TIM_SECRET_KEY"},
		{chatapi.CodeKeyNotFound, "--region"},
		{chatapi.CodeAppNotFound, "--region"},
		{chatapi.CodeNeedAdmin, "--identifier"},
		{chatapi.CodeSigWrongAdmin, "--identifier"},
		{chatapi.CodeSNSNeedAdmin, "--identifier"},
		{chatapi.CodeRCNeedAdmin, "--identifier"},
		{chatapi.CodeBadSDKAppID, "--sdkappid"},
		{chatapi.CodeSigWrongApp, "--sdkappid"},
	}
	for _, tt := range tests {
		t.Run(chatapi.ClassOf(tt.code).String()+"/"+strings.TrimSpace(tt.hint), func(t *testing.T) {
			c := newCaller(testCallOptions())
			err := c.do(context.Background(), "a", func(context.Context) error { return codeErr(tt.code) })
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Err.Code != tt.code {
				t.Fatalf("err %v, want FatalError %d", err, tt.code)
			}
			if !strings.Contains(fe.Hint, tt.hint) || !strings.Contains(fe.Hint, "--checkpoint") {
				t.Fatalf("hint %q lacks %q or how to resume", fe.Hint, tt.hint)
			}
			sent := false
			err = c.do(context.Background(), "b", func(context.Context) error { sent = true; return nil })
			if sent || !errors.As(err, &fe) {
				t.Fatalf("after a fatal answer: sent %v, err %v", sent, err)
			}
		})
	}
}

// TestCallerInFlightCap: however many goroutines call, at most Concurrency sends overlap,
// and after a fatal answer nothing more is sent: at most Concurrency requests in all.
func TestCallerInFlightCap(t *testing.T) {
	c := newCaller(testCallOptions())
	var in, peak, sends atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.do(context.Background(), "ep", func(context.Context) error {
				sends.Add(1)
				n := in.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				<-release
				in.Add(-1)
				return codeErr(chatapi.CodeSigWrongKey)
			})
		}()
	}
	for sends.Load() < 4 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if peak.Load() > 4 || sends.Load() > 4 {
		t.Fatalf("peak %d in flight, %d sent; want at most 4 each", peak.Load(), sends.Load())
	}
}

func TestCallerAIMD(t *testing.T) {
	c := newCaller(CallOptions{RPS: 200, BackoffBase: time.Microsecond})
	ep := c.endpoint("ep")
	ep.since = time.Now().Add(-time.Second)
	for range 1000 { // the server let far more through than the new limit: a plain cut
		ep.answered()
	}
	sent := time.Now()
	ep.throttle(sent)
	const cut = 200 * decreaseFactor
	if got := c.limit("ep"); got != cut {
		t.Fatalf("limit %v after a throttle, want %v", got, cut)
	}
	if ep.pause() <= 0 {
		t.Fatal("the pause gate is open after a throttle")
	}
	ep.throttle(sent) // an answer to a request sent before the decrease: no second cut
	if got := c.limit("ep"); got != cut {
		t.Fatalf("limit %v after a stale throttle, want %v", got, cut)
	}
	ep.throttle(time.Now()) // within decreaseEvery of the last cut: no second cut
	if got := c.limit("ep"); got != cut {
		t.Fatalf("limit %v after a throttle within a second, want %v", got, cut)
	}
	for range 20 {
		ep.mu.Lock()
		ep.decreased = time.Now().Add(-2 * decreaseEvery)
		ep.mu.Unlock()
		ep.throttle(time.Now())
	}
	if got := c.limit("ep"); got != minRate {
		t.Fatalf("limit %v, want the floor %v", got, minRate)
	}
	ep.mu.Lock()
	ep.changed = time.Now().Add(-time.Hour)
	ep.mu.Unlock()
	ep.success()
	if got := c.limit("ep"); got != minRate+minClimb {
		t.Fatalf("limit %v after a quiet success at the floor, want the least step", got)
	}
	ep.success() // too soon for another step
	if got := c.limit("ep"); got != minRate+minClimb {
		t.Fatalf("limit %v, want no second step so soon", got)
	}
}

// TestCallerClimb: the climb after a cut is sized by the rate last refused, quick below 90%
// of it and slow near and above it, so that an --rps far above what the server grants does
// not overshoot again and again.
func TestCallerClimb(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		max, limit, ceiling    float64
		wantLimit, wantCeiling float64
	}{
		{"quick below the ceiling", 200, 100, 200, 110, 200},
		{"slow near the ceiling", 200, 185, 200, 187, 200},
		{"sized by the ceiling, not by --rps", 2000, 100, 200, 110, 200},
		{"the ceiling follows the limit past it", 2000, 250, 250, 252.5, 252.5},
		{"capped at --rps", 200, 199.5, 200, 200, 200},
		{"at least minClimb", 200, 1, 1, 1 + minClimb, 1 + minClimb},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := newEndpointState(tc.max)
			ep.lim.SetLimit(rate.Limit(tc.limit))
			ep.ceiling = rate.Limit(tc.ceiling)
			ep.changed = time.Now().Add(-time.Hour)
			ep.success()
			if got := float64(ep.lim.Limit()); math.Abs(got-tc.wantLimit) > 1e-9 {
				t.Errorf("limit %v, want %v", got, tc.wantLimit)
			}
			if got := float64(ep.ceiling); math.Abs(got-tc.wantCeiling) > 1e-9 {
				t.Errorf("ceiling %v, want %v", got, tc.wantCeiling)
			}
		})
	}
}

// TestCallerCut: a throttle answer cuts the limit by decreaseFactor, or down to the rate the
// server admitted since the last cut when that is lower (an --rps far above the server's
// grant), but never below a quarter of the limit; the refused rate becomes the ceiling.
func TestCallerCut(t *testing.T) {
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
			ep := newEndpointState(2000)
			ep.since = time.Now().Add(-time.Second)
			for range tc.admitted {
				ep.answered()
			}
			ep.throttle(time.Now())
			if got := float64(ep.lim.Limit()); math.Abs(got-tc.want) > tc.want*0.02 {
				t.Errorf("limit %v after the cut, want %v", got, tc.want)
			}
			if ep.ceiling != 2000 {
				t.Errorf("ceiling %v, want the refused 2000", ep.ceiling)
			}
			if ep.admitted.Load() != 0 {
				t.Error("the admitted count was not reset")
			}
		})
	}
}

func TestCallerContextEnds(t *testing.T) {
	c := newCaller(CallOptions{RPS: 1000, BackoffBase: time.Hour, BackoffMax: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- c.do(ctx, "ep", func(context.Context) error { return codeErr(chatapi.CodeInternal) })
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestCallerGrace: a request in flight when ctx ends keeps its context for the grace period.
func TestCallerGrace(t *testing.T) {
	c := newCaller(CallOptions{RPS: 1000, Grace: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- c.do(ctx, "ep", func(rctx context.Context) error {
			close(started)
			<-rctx.Done()
			return rctx.Err()
		})
	}()
	<-started
	t0 := time.Now()
	cancel()
	err := <-done
	if time.Since(t0) < 40*time.Millisecond {
		t.Fatalf("request context ended %v after ctx, before the grace period", time.Since(t0))
	}
	if err == nil {
		t.Fatal("want an error")
	}
}

func callerMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestCallerOutage: requests that get no answer at all fail their item only while the API
// answers others; a long row of them stops the run as an outage, failing nothing.
func TestCallerOutage(t *testing.T) {
	c := newCaller(testCallOptions())
	refused := func(context.Context) error {
		return &chatapi.Error{Endpoint: "ep", Info: "connection refused", Class: chatapi.ClassTransient}
	}
	var ex *ExhaustedError
	if err := c.do(context.Background(), "ep", refused); !errors.As(err, &ex) {
		t.Fatalf("first request: %v, want ExhaustedError", err)
	}
	err := c.do(context.Background(), "ep", refused)
	var fe *FatalError
	if !errors.As(err, &fe) || !strings.Contains(fe.Hint, "--endpoint") || !strings.Contains(fe.Hint, "has not answered") {
		t.Fatalf("second request: %v, want the outage FatalError", err)
	}

	// An answer in between resets the row.
	c = newCaller(testCallOptions())
	c.do(context.Background(), "ep", refused)
	c.do(context.Background(), "ep", func(context.Context) error { return nil })
	if err := c.do(context.Background(), "ep", refused); !errors.As(err, &ex) {
		t.Fatalf("after an answer: %v, want ExhaustedError", err)
	}
}

// TestCallerOvershoot: within decreaseEvery of a cut, another throttle answer cuts again only
// when the server admitted less than half the limit over minWindow at least (an --rps far
// above the server's grant); near the server's limit cuts stay decreaseEvery apart.
func TestCallerOvershoot(t *testing.T) {
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
			ep := newEndpointState(2000)
			ep.lim.SetLimit(rate.Limit(tc.limit))
			cut := time.Now().Add(-tc.sinceCut)
			ep.decreased, ep.since = cut, cut
			for range tc.admitted {
				ep.answered()
			}
			ep.throttle(time.Now())
			if got := float64(ep.lim.Limit()) < tc.limit; got != tc.wantCut {
				t.Errorf("cut %v (limit %v -> %v), want %v", got, tc.limit, ep.lim.Limit(), tc.wantCut)
			}
		})
	}
}
