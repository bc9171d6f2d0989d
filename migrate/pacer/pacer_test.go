package pacer

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// testOptions are options for tests: no real waiting.
func testOptions() Options {
	return Options{RPS: 100000, Concurrency: 4, Timeout: time.Second, Grace: 100 * time.Millisecond,
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

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRetriesByClass(t *testing.T) {
	transient := codeErr(chatapi.CodeInternal)
	tests := []struct {
		name      string
		errs      []error
		wantSends int32
		check     func(t *testing.T, err error)
		retries   int64
		throttled int64
	}{
		{"success", nil, 1, func(t *testing.T, err error) { mustNil(t, err) }, 0, 0},
		{"transient then ok", []error{transient, transient}, 3, func(t *testing.T, err error) { mustNil(t, err) }, 2, 0},
		{"throttled then ok", []error{codeErr(chatapi.CodeRESTRate)}, 2, func(t *testing.T, err error) { mustNil(t, err) }, 1, 1},
		{"renew then ok", []error{codeErr(chatapi.CodeSigExpired)}, 2, func(t *testing.T, err error) { mustNil(t, err) }, 1, 0},
		{"permanent", []error{codeErr(chatapi.CodeNotFriend)}, 1, func(t *testing.T, err error) {
			var ce *chatapi.Error
			var ex *ExhaustedError
			if errors.As(err, &ex) || !errors.As(err, &ce) || ce.Code != chatapi.CodeNotFriend {
				t.Fatalf("err %v, want the 32216 error", err)
			}
		}, 0, 0},
		{"exhausted", []error{transient, transient, transient, transient, transient, transient, transient, transient, transient}, DefaultMaxAttempts,
			func(t *testing.T, err error) {
				var ex *ExhaustedError
				if !errors.As(err, &ex) || ex.Attempts != DefaultMaxAttempts {
					t.Fatalf("err %v, want ExhaustedError after %d attempts", err, DefaultMaxAttempts)
				}
				if ex.Last.Code != chatapi.CodeInternal {
					t.Fatalf("last code %d, want 10002", ex.Last.Code)
				}
			}, DefaultMaxAttempts - 1, 0},
		{"give up passes through", []error{GiveUp(transient)}, 1, func(t *testing.T, err error) {
			var gu *GiveUpError
			if !errors.As(err, &gu) {
				t.Fatalf("err %v, want GiveUpError", err)
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
			synctest.Test(t, func(t *testing.T) { // a throttle answer closes the gate for 100 ms
				p := New(testOptions())
				send, n := script(tt.errs...)
				err := p.Do(context.Background(), "ep", send)
				tt.check(t, err)
				if n.Load() != tt.wantSends {
					t.Fatalf("%d sends, want %d", n.Load(), tt.wantSends)
				}
				st := p.Stats("ep")
				if st.Retries != tt.retries || st.Throttled != tt.throttled || st.Requests != int64(tt.wantSends) {
					t.Fatalf("stats %+v, want retries %d throttled %d requests %d", st, tt.retries, tt.throttled, tt.wantSends)
				}
			})
		})
	}
}

// TestFatalStopsEverything: a fatal answer stops the Pacer with a FatalError carrying that
// answer, and nothing is sent afterwards on any endpoint.
func TestFatalStopsEverything(t *testing.T) {
	for _, code := range []int{
		chatapi.CodeSigWrongKey, chatapi.CodeSigInvalid, chatapi.CodeKeyNotFound, chatapi.CodeAppNotFound,
		chatapi.CodeNeedAdmin, chatapi.CodeSigWrongAdmin, chatapi.CodeSNSNeedAdmin, chatapi.CodeRCNeedAdmin,
		chatapi.CodeBadSDKAppID, chatapi.CodeSigWrongApp,
	} {
		t.Run(chatapi.ClassOf(code).String()+"/"+strconv.Itoa(code), func(t *testing.T) {
			p := New(testOptions())
			err := p.Do(context.Background(), "a", func(context.Context) error { return codeErr(code) })
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Err.Code != code || fe.Outage != 0 {
				t.Fatalf("err %v, want FatalError %d", err, code)
			}
			if p.Stopped() != fe {
				t.Fatalf("Stopped() = %v, want %v", p.Stopped(), fe)
			}
			sent := false
			err = p.Do(context.Background(), "b", func(context.Context) error { sent = true; return nil })
			if sent || !errors.As(err, &fe) {
				t.Fatalf("after a fatal answer: sent %v, err %v", sent, err)
			}
		})
	}
}

// TestInFlightCap: however many goroutines call, at most Concurrency sends overlap, and after
// a fatal answer nothing more is sent: at most Concurrency requests in all.
func TestInFlightCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(testOptions())
		var in, peak, sends atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				p.Do(context.Background(), "ep", func(context.Context) error {
					sends.Add(1)
					n := in.Add(1)
					for {
						pk := peak.Load()
						if n <= pk || peak.CompareAndSwap(pk, n) {
							break
						}
					}
					<-release
					in.Add(-1)
					return codeErr(chatapi.CodeSigWrongKey)
				})
			})
		}
		for sends.Load() < 4 {
			time.Sleep(time.Millisecond)
		}
		synctest.Wait() // every other goroutine is blocked: on release, or on a slot
		if sends.Load() != 4 {
			t.Fatalf("%d sent while 4 wait for their answer, want 4", sends.Load())
		}
		close(release)
		wg.Wait()
		if peak.Load() > 4 || sends.Load() > 4 {
			t.Fatalf("peak %d in flight, %d sent; want at most 4 each", peak.Load(), sends.Load())
		}
	})
}

func TestContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{RPS: 1000, BackoffBase: time.Hour, BackoffMax: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			done <- p.Do(ctx, "ep", func(context.Context) error { return codeErr(chatapi.CodeInternal) })
		}()
		time.Sleep(10 * time.Millisecond)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	})
}

// TestGrace: a request in flight when ctx ends keeps its context for the grace period.
func TestGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const grace = 50 * time.Millisecond
		p := New(Options{RPS: 1000, Grace: grace})
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		done := make(chan error)
		go func() {
			done <- p.Do(ctx, "ep", func(rctx context.Context) error {
				close(started)
				<-rctx.Done()
				return rctx.Err()
			})
		}()
		<-started
		t0 := time.Now()
		cancel()
		err := <-done
		if took := time.Since(t0); took < 40*time.Millisecond || took > grace {
			t.Fatalf("request context ended %v after ctx, want the grace period %v", took, grace)
		}
		if err == nil {
			t.Fatal("want an error")
		}
	})
}

// TestBackoff: transient failures are retried after a full-jitter wait under an exponential
// ceiling, and a context that ends during the wait ends it.
func TestBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{RPS: 1000, BackoffBase: 100 * time.Millisecond, BackoffMax: 300 * time.Millisecond})
		transient := codeErr(chatapi.CodeInternal)
		send, n := script(transient, transient, transient)
		t0 := time.Now()
		mustNil(t, p.Do(context.Background(), "ep", send))
		// Ceilings 100, 200, 300 (capped) ms, plus the limiter's few ms.
		if took := time.Since(t0); took > 610*time.Millisecond {
			t.Fatalf("three retries took %v, want at most the ceilings' 600ms", took)
		}
		if n.Load() != 4 {
			t.Fatalf("%d sends, want 4", n.Load())
		}

		for i := 1; i <= 40; i++ {
			if d := p.backoff(i); d < 0 || d > 300*time.Millisecond || i == 1 && d > 100*time.Millisecond {
				t.Fatalf("backoff(%d) = %v, want within [0, min(100ms<<%d, 300ms)]", i, d, i-1)
			}
		}

		// Seven waits of up to an hour each: the deadline ends one of them.
		long := New(Options{RPS: 1000, BackoffBase: time.Hour, BackoffMax: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		t0 = time.Now()
		err := long.Do(ctx, "ep", func(context.Context) error { return transient })
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) != time.Second {
			t.Fatalf("err %v after %v, want the deadline at 1s", err, time.Since(t0))
		}
	})
}

// TestOutage: requests that get no answer at all fail their item only while the API answers
// others, or before enough attempts in a row got none; once the API is silent, a request
// waits, and when the silence lasts OutageAfter the Pacer stops as an outage, failing
// nothing. The clock is synctest's.
func TestOutage(t *testing.T) {
	refused := func(context.Context) error {
		return &chatapi.Error{Endpoint: "ep", Info: "connection refused", Class: chatapi.ClassTransient}
	}
	outageOptions := func() Options {
		opt := testOptions()
		opt.BackoffMax, opt.OutageAfter = time.Second, 10*time.Second
		return opt
	}
	t.Run("silence stops after OutageAfter", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := New(outageOptions())
			t0 := time.Now()
			var ex *ExhaustedError
			if err := p.Do(context.Background(), "ep", refused); !errors.As(err, &ex) {
				t.Fatalf("first request: %v, want ExhaustedError (too few attempts for an outage)", err)
			}
			err := p.Do(context.Background(), "ep", refused)
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Outage < minOutage || fe.Err.Info != "connection refused" {
				t.Fatalf("second request: %v, want the outage FatalError after at least %d unanswered", err, minOutage)
			}
			if took := time.Since(t0); fe.Silence < 10*time.Second || took < 10*time.Second || took > 12*time.Second {
				t.Errorf("outage after %v (silence %v), want it once 10s passed without an answer", took, fe.Silence)
			}
			if p.Stopped() != fe {
				t.Errorf("Stopped() = %v, want the outage", p.Stopped())
			}
		})
	})
	t.Run("a short silence fails nothing more", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := New(outageOptions())
			t0 := time.Now()
			blip := func(ctx context.Context) error {
				if time.Since(t0) < 5*time.Second {
					return refused(ctx)
				}
				return nil
			}
			p.Do(context.Background(), "ep", blip) // too few attempts yet to call it silence
			if err := p.Do(context.Background(), "ep", blip); err != nil || p.Stopped() != nil {
				t.Fatalf("request in a 5s silence: %v (stopped: %v), want it to wait and succeed", err, p.Stopped())
			}
			if time.Since(t0) < 5*time.Second {
				t.Errorf("succeeded after %v, before the silence ended", time.Since(t0))
			}
		})
	})
	t.Run("an answer in between resets the row", func(t *testing.T) {
		p := New(testOptions())
		var ex *ExhaustedError
		p.Do(context.Background(), "ep", refused)
		p.Do(context.Background(), "ep", func(context.Context) error { return nil })
		if err := p.Do(context.Background(), "ep", refused); !errors.As(err, &ex) {
			t.Fatalf("after an answer: %v, want ExhaustedError", err)
		}
	})
	t.Run("an answer from another endpoint ends the silence", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := New(outageOptions())
			p.Do(context.Background(), "ep", refused)
			go func() {
				time.Sleep(3 * time.Second)
				p.Do(context.Background(), "other", codeErrSend(chatapi.CodeNotFriend))
			}()
			var ex *ExhaustedError
			if err := p.Do(context.Background(), "ep", refused); !errors.As(err, &ex) || p.Stopped() != nil {
				t.Fatalf("silence broken by an answer elsewhere: %v (stopped: %v), want ExhaustedError", err, p.Stopped())
			}
		})
	})
}

// codeErrSend is a send that the API answers with code.
func codeErrSend(code int) func(context.Context) error {
	return func(context.Context) error { return codeErr(code) }
}

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu       sync.Mutex
	attempts []Attempt
}

func (r *recorder) Attempt(a Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, a)
}

// TestObserver: the Observer hears of every attempt sent, with its latency, whether it was a
// retry, its error and the endpoint's limit when it left; requests not sent are not told.
func TestObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		opt := testOptions()
		opt.RPS, opt.Observer = 100, rec
		p := New(opt)
		throttled := codeErr(chatapi.CodeRESTRate)
		answers := []error{throttled, nil}
		var n int
		t0 := time.Now()
		mustNil(t, p.Do(context.Background(), "ep", func(context.Context) error {
			time.Sleep(30 * time.Millisecond)
			n++
			return answers[n-1]
		}))
		fatal := codeErr(chatapi.CodeSigWrongKey)
		p.Do(context.Background(), "other", func(context.Context) error { return fatal })
		p.Do(context.Background(), "other", func(context.Context) error { return nil }) // not sent

		got := rec.attempts
		if len(got) != 3 {
			t.Fatalf("%d attempts observed, want 3: %+v", len(got), got)
		}
		want := []struct {
			endpoint string
			retry    bool
			err      error
			limit    float64
			latency  time.Duration
		}{
			{"ep", false, throttled, 100, 30 * time.Millisecond},
			{"ep", true, nil, 100 * decreaseFactor, 30 * time.Millisecond},
			{"other", false, fatal, 100, 0},
		}
		for i, w := range want {
			a := got[i]
			if a.Endpoint != w.endpoint || a.Retry != w.retry || a.Err != w.err || a.Limit != w.limit || a.Latency != w.latency {
				t.Errorf("attempt %d = %+v, want %+v", i, a, w)
			}
			if a.Sent.Before(t0) {
				t.Errorf("attempt %d sent at %v, before the test began", i, a.Sent)
			}
		}
	})
}
