package chatapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for renewal decisions.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countGen replaces the client's signer by one that numbers its signatures ("sig-1", ...):
// real signatures made within one second are identical, so renewals could not be told apart.
func countGen(c *Client) *atomic.Int64 {
	var n atomic.Int64
	c.sigs.mu.Lock()
	defer c.sigs.mu.Unlock()
	c.sigs.gen = func(app int, key, admin string, ttl int) (string, error) {
		return fmt.Sprintf("sig-%d", n.Add(1)), nil
	}
	c.sigs.sig = "" // the next request signs with the counting signer
	return &n
}

func TestSigRenewedBeforeExpiry(t *testing.T) {
	var rec recorder
	ts := httptest.NewServer(rec.handler(answerJSON(okBody)))
	defer ts.Close()
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := newClient(t, ts.URL, func(cfg *Config) { cfg.SigTTL = 4 * time.Hour; cfg.Now = clock.Now })
	countGen(c)

	steps := []struct {
		advance time.Duration
		wantSig string
	}{
		{0, "sig-1"},
		{2 * time.Hour, "sig-1"},                   // half the TTL left
		{59*time.Minute + 59*time.Second, "sig-1"}, // just over a quarter left
		{time.Second, "sig-2"},                     // a quarter left: renewed
		{time.Hour, "sig-2"},
		{2 * time.Hour, "sig-3"},
	}
	for i, s := range steps {
		clock.Add(s.advance)
		if _, err := c.GroupGet(context.Background(), &GroupGetRequest{From_Account: "a"}); err != nil {
			t.Fatal(err)
		}
		if got := rec.all()[i].query["usersig"]; got != s.wantSig {
			t.Fatalf("step %d: usersig %q, want %q", i, got, s.wantSig)
		}
	}
	if err := c.RenewSig(); err != nil {
		t.Fatal(err)
	}
	c.GroupGet(context.Background(), &GroupGetRequest{From_Account: "a"})
	if got := rec.all()[len(steps)].query["usersig"]; got != "sig-4" {
		t.Fatalf("after RenewSig: usersig %q", got)
	}
}

// TestSigExpiredRenews: 70001 renews at once and says "renew" (retry); a burst of workers
// meeting it together costs one renewal.
func TestSigExpiredRenews(t *testing.T) {
	const workers = 8
	var arrived sync.WaitGroup
	arrived.Add(workers)
	var rec recorder
	ts := httptest.NewServer(rec.handler(func(w http.ResponseWriter, c captured) {
		if c.query["usersig"] == "sig-1" {
			arrived.Done()
			arrived.Wait() // every worker holds the lapsed signature before any answer
			fmt.Fprintf(w, `{"ActionStatus":"FAIL","ErrorCode":%d,"ErrorInfo":"usersig expired"}`, CodeSigExpired)
			return
		}
		w.Write([]byte(okBody))
	}))
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	n := countGen(c)

	var wg sync.WaitGroup
	errs := make([]error, workers)
	for i := range workers {
		wg.Go(func() {
			_, errs[i] = c.GroupAdd(context.Background(), &GroupAddRequest{From_Account: "a", GroupName: []string{"g"}})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if e := asError(t, err); e.Code != CodeSigExpired || e.Class != ClassRenew || !e.Class.Retryable() {
			t.Fatalf("error %+v, want 70001 renew", e)
		}
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("%d signatures made, want 2 (the first and one renewal)", got)
	}
	if _, err := c.GroupAdd(context.Background(), &GroupAddRequest{From_Account: "a", GroupName: []string{"g"}}); err != nil {
		t.Fatalf("retry after renewal: %v", err)
	}
}

// TestPrecomputedSigExpired: without the key nothing can be renewed: the run must stop.
func TestPrecomputedSigExpired(t *testing.T) {
	for _, code := range []int{CodeSigExpired, CodeSigInvalidated} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			var rec recorder
			ts := httptest.NewServer(rec.handler(answerJSON(fmt.Sprintf(`{"ActionStatus":"FAIL","ErrorCode":%d,"ErrorInfo":"usersig expired"}`, code))))
			defer ts.Close()
			c := newClient(t, ts.URL, func(cfg *Config) { cfg.SecretKey = ""; cfg.UserSig = "precomputed-sig-value" })
			_, err := c.GroupGet(context.Background(), &GroupGetRequest{From_Account: "a"})
			e := asError(t, err)
			if e.Code != code || e.Class != ClassFatal || !strings.Contains(e.Info, "UserSig expired") || !strings.Contains(e.Info, "fresh UserSig") {
				t.Fatalf("error %+v", e)
			}
			if rec.all()[0].query["usersig"] != "precomputed-sig-value" {
				t.Fatalf("sent usersig %q", rec.all()[0].query["usersig"])
			}
			if err := c.RenewSig(); !errors.Is(err, errFixedSig) {
				t.Fatalf("RenewSig: %v", err)
			}
		})
	}
}
