package metrics

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

// clock is a test clock: Now returns what the test set.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// at returns a time ms milliseconds after t0.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func readAll(t *testing.T, b []byte) []Line {
	t.Helper()
	ls, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, b)
	}
	return ls
}

func TestRecorderCounts(t *testing.T) {
	c := &clock{t: at(0)}
	var buf bytes.Buffer
	r := New(&buf, c.Now)
	ep := "sns/group_add"
	for _, s := range []Sample{
		{Endpoint: ep, Sent: at(100), Latency: 10 * time.Millisecond, Outcome: OK, Limit: 200},
		{Endpoint: ep, Sent: at(200), Latency: 20 * time.Millisecond, Outcome: Throttled, Code: 60007, Limit: 100},
		{Endpoint: ep, Sent: at(300), Latency: 30 * time.Millisecond, Retry: true, Outcome: OK, Limit: 50},
		{Endpoint: ep, Sent: at(400), Latency: 5 * time.Millisecond, Retry: true, Outcome: Transient},
		{Endpoint: ep, Sent: at(500), Latency: 5 * time.Millisecond, Outcome: Failed, Code: 32216},
		{Endpoint: ep, Sent: at(600), Latency: 5 * time.Millisecond, Outcome: Failed, Code: 32216},
		{Endpoint: ep, Sent: at(700), Latency: 5 * time.Millisecond, Outcome: Fatal, Code: 70009},
		{Endpoint: "other", Sent: at(700), Latency: time.Millisecond, Outcome: OK},
	} {
		r.Record(s)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	ls := readAll(t, buf.Bytes())
	if len(ls) != 2 {
		t.Fatalf("got %d lines, want 2 (one per endpoint):\n%s", len(ls), buf.Bytes())
	}
	if ls[0].Endpoint != "other" || ls[1].Endpoint != ep {
		t.Fatalf("lines of one second not in endpoint order: %q, %q", ls[0].Endpoint, ls[1].Endpoint)
	}
	got := ls[1]
	want := Line{Time: t0, Endpoint: ep, Requests: 7, Retries: 2, OK: 2, Throttled: 1, Transient: 1,
		Failed: 2, Fatal: 1, Limit: 200}
	if got.Time != want.Time || got.Requests != want.Requests || got.Retries != want.Retries || got.OK != want.OK ||
		got.Throttled != want.Throttled || got.Transient != want.Transient || got.Failed != want.Failed ||
		got.Fatal != want.Fatal || got.Limit != want.Limit {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	wantCodes := map[string]int{"60007": 1, "0": 1, "32216": 2, "70009": 1}
	if len(got.Codes) != len(wantCodes) {
		t.Errorf("codes %v, want %v", got.Codes, wantCodes)
	}
	for c, n := range wantCodes {
		if got.Codes[c] != n {
			t.Errorf("codes[%s] = %d, want %d", c, got.Codes[c], n)
		}
	}
	var n int64
	for _, b := range got.Hist {
		n += b[1]
	}
	if n != 7 {
		t.Errorf("histogram holds %d samples, want 7", n)
	}
}

// TestRecorderSeconds checks when a second is written: after its end plus the grace, on
// Flush even without new samples, and the open one on Close; a late sample counts in the
// earliest open second.
func TestRecorderSeconds(t *testing.T) {
	// step sets the clock to ms, records a sample answered at ans (none if ans < 0), then
	// flushes if asked.
	type step struct {
		ms, ans int
		flush   bool
	}
	ep := "recentcontact/create_contact_group"
	tests := []struct {
		name  string
		steps []step
		// wantSecs lists the second (relative to t0) and requests of each line written before Close
		wantSecs [][2]int
		// afterClose lists them after Close
		afterClose [][2]int
	}{
		{
			name:       "a second waits for the grace",
			steps:      []step{{100, 100, false}, {1100, 1100, false}},
			wantSecs:   nil,
			afterClose: [][2]int{{0, 1}, {1, 1}},
		},
		{
			name:       "a sample past the grace closes the earlier second",
			steps:      []step{{100, 100, false}, {1300, 1300, false}},
			wantSecs:   [][2]int{{0, 1}},
			afterClose: [][2]int{{0, 1}, {1, 1}},
		},
		{
			name:       "flush writes a closed second without new samples",
			steps:      []step{{100, 100, false}, {5000, -1, true}},
			wantSecs:   [][2]int{{0, 1}},
			afterClose: [][2]int{{0, 1}},
		},
		{
			name: "a late sample counts in the earliest open second",
			// second 0 is written at 1300; a sample answered at 900 reported at 1400 counts in second 1
			steps:      []step{{100, 100, false}, {1300, 1300, false}, {1400, 900, false}},
			wantSecs:   [][2]int{{0, 1}},
			afterClose: [][2]int{{0, 1}, {1, 2}},
		},
		{
			name:       "a late sample with nothing open counts in the current second",
			steps:      []step{{100, 100, false}, {3000, -1, true}, {3100, 500, true}},
			wantSecs:   [][2]int{{0, 1}},
			afterClose: [][2]int{{0, 1}, {3, 1}},
		},
		{
			name:       "out of order samples within the open seconds",
			steps:      []step{{1100, 1100, false}, {1150, 900, false}, {1200, 1050, false}},
			afterClose: [][2]int{{0, 1}, {1, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: t0}
			var buf bytes.Buffer
			r := New(&buf, c.Now)
			for _, s := range tt.steps {
				c.Set(at(s.ms))
				if s.ans >= 0 {
					r.Record(Sample{Endpoint: ep, Sent: at(s.ans - 1), Latency: time.Millisecond})
				}
				if s.flush {
					if err := r.Flush(); err != nil {
						t.Fatal(err)
					}
				}
			}
			check := func(when string, want [][2]int) {
				t.Helper()
				ls := readAll(t, buf.Bytes())
				if len(ls) != len(want) {
					t.Fatalf("%s: %d lines, want %d:\n%s", when, len(ls), len(want), buf.Bytes())
				}
				for i, w := range want {
					if sec := int(ls[i].Time.Sub(t0) / time.Second); sec != w[0] || ls[i].Requests != w[1] {
						t.Errorf("%s: line %d: second %d with %d requests, want second %d with %d",
							when, i, sec, ls[i].Requests, w[0], w[1])
					}
				}
			}
			check("before Close", tt.wantSecs)
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			check("after Close", tt.afterClose)
			r.Record(Sample{Endpoint: ep, Sent: c.Now()})
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			check("after a sample past Close", tt.afterClose)
		})
	}
}

// TestRecorderKilled checks that what a killed run leaves (the bytes before Close) reads back
// as the seconds that had closed, each complete.
func TestRecorderKilled(t *testing.T) {
	c := &clock{t: t0}
	var buf bytes.Buffer
	r := New(&buf, c.Now)
	for ms := 0; ms < 10_000; ms += 10 {
		c.Set(at(ms))
		r.Record(Sample{Endpoint: "a", Sent: at(ms), Outcome: OK})
		r.Record(Sample{Endpoint: "b", Sent: at(ms), Outcome: Throttled, Code: 10006})
	}
	// Killed at 9.99 s: seconds 0..8 are out (second 8 ended 0.99 s ago), second 9 is not.
	ls := readAll(t, buf.Bytes())
	if len(ls) != 18 {
		t.Fatalf("%d lines before Close, want 18", len(ls))
	}
	for i, l := range ls {
		if want := t0.Add(time.Duration(i/2) * time.Second); !l.Time.Equal(want) || l.Requests != 100 {
			t.Errorf("line %d: %v with %d requests, want %v with 100", i, l.Time, l.Requests, want)
		}
	}
}

func TestRecorderConcurrent(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, nil)
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r.Record(Sample{Endpoint: []string{"x", "y"}[w%2], Sent: time.Now(), Latency: time.Duration(i) * time.Microsecond,
					Retry: i%3 == 0})
				if i%500 == 0 {
					if err := r.Flush(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	total, retries := 0, 0
	seen := map[[2]string]bool{}
	for _, l := range readAll(t, buf.Bytes()) {
		key := [2]string{l.Time.String(), l.Endpoint}
		if seen[key] {
			t.Errorf("second %v of %s written twice", l.Time, l.Endpoint)
		}
		seen[key] = true
		total += l.Requests
		retries += l.Retries
	}
	if total != workers*each {
		t.Errorf("log counts %d requests, want %d", total, workers*each)
	}
	if want := workers * ((each + 2) / 3); retries != want {
		t.Errorf("log counts %d retries, want %d", retries, want)
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

func TestRecorderWriteError(t *testing.T) {
	c := &clock{t: t0}
	w := &failingWriter{}
	r := New(w, c.Now)
	r.Record(Sample{Endpoint: "a", Sent: t0})
	c.Set(at(5000))
	if err := r.Flush(); err == nil {
		t.Fatal("Flush: no error from a failing writer")
	}
	r.Record(Sample{Endpoint: "a", Sent: at(5000)})
	c.Set(at(9000))
	if err := r.Close(); err == nil {
		t.Fatal("Close: the write error was forgotten")
	}
	if w.n != 1 {
		t.Errorf("%d writes, want 1: nothing more after the first failure", w.n)
	}
}

func TestPercentiles(t *testing.T) {
	c := &clock{t: t0}
	var buf bytes.Buffer
	r := New(&buf, c.Now)
	for i := 1; i <= 1000; i++ {
		r.Record(Sample{Endpoint: "a", Sent: t0, Latency: time.Duration(i) * 100 * time.Microsecond})
	}
	r.Close()
	l := readAll(t, buf.Bytes())[0]
	for _, tt := range []struct {
		name     string
		got, est float64 // ms
	}{{"p50", l.P50, 50}, {"p90", l.P90, 90}, {"p99", l.P99, 99}} {
		if tt.got < tt.est || tt.got > tt.est*1.25 {
			t.Errorf("%s = %.3f ms, want within [%.0f, %.2f]", tt.name, tt.got, tt.est, tt.est*1.25)
		}
	}
}

func TestBuckets(t *testing.T) {
	prev := -1
	for us := int64(0); us < 1<<22; us += 1 + us/50 {
		d := time.Duration(us) * time.Microsecond
		b := bucketOf(d)
		if b < prev {
			t.Fatalf("bucketOf(%v) = %d < %d: not monotonic", d, b, prev)
		}
		prev = b
		ub := upperBound(b)
		if ub < us || float64(ub) > float64(us)*1.25+1 {
			t.Fatalf("bucketOf(%v) = %d with bound %d µs: not within a quarter above", d, b, ub)
		}
		if b > 0 && upperBound(b-1) >= us {
			t.Fatalf("%d µs in bucket %d, but bucket %d's bound is %d", us, b, b-1, upperBound(b-1))
		}
	}
	if b := bucketOf(time.Hour); b != maxBucket {
		t.Errorf("bucketOf(1h) = %d, want the last bucket %d", b, maxBucket)
	}
	if b := bucketOf(-time.Second); b != 0 {
		t.Errorf("bucketOf(-1s) = %d, want 0", b)
	}
}

func TestMergeHist(t *testing.T) {
	a := [][2]int64{{9, 1}, {99, 2}}
	b := [][2]int64{{5, 4}, {99, 3}, {999, 1}}
	got := MergeHist(a, b)
	want := [][2]int64{{5, 4}, {9, 1}, {99, 5}, {999, 1}}
	if len(got) != len(want) {
		t.Fatalf("MergeHist = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("MergeHist = %v, want %v", got, want)
		}
	}
	// 11 samples: the 5th is in the bucket of 9 µs, the 6th (the median) in that of 99 µs.
	if q := Quantile(got, 5.0/11); q != 9*time.Microsecond {
		t.Errorf("5/11 quantile %v, want 9µs", q)
	}
	if q := Quantile(got, 0.5); q != 99*time.Microsecond {
		t.Errorf("median %v, want 99µs", q)
	}
	if q := Quantile([][2]int64{{999, 1}, {5, 3}}, 1); q != 999*time.Microsecond {
		t.Errorf("max of an unsorted histogram %v, want 999µs", q)
	}
	if q := Quantile(nil, 0.5); q != 0 {
		t.Errorf("Quantile(empty) = %v, want 0", q)
	}
}

func BenchmarkRecord(b *testing.B) {
	r := New(discard{}, nil)
	s := Sample{Endpoint: "sns/group_add", Latency: 3 * time.Millisecond, Limit: 200}
	b.ReportAllocs()
	for b.Loop() {
		s.Sent = time.Now()
		r.Record(s)
	}
}

func BenchmarkRecordParallel(b *testing.B) {
	r := New(discard{}, nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		s := Sample{Endpoint: "sns/group_add", Latency: 3 * time.Millisecond, Outcome: Throttled, Code: 60007}
		for pb.Next() {
			s.Sent = time.Now()
			r.Record(s)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
