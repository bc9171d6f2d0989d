package htmlreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

// TestReadMetricsFolds: a log far longer than a chart has points is held folded, at most
// maxHeld lines per endpoint, and the page's numbers are those of the log as written: every
// bucket's requests and throttles, each endpoint's totals and latency histogram. A short log
// is held as written.
func TestReadMetricsFolds(t *testing.T) {
	for _, seconds := range []int{10, maxHeld, maxHeld + 1, 20_000} {
		t.Run(fmt.Sprint(seconds), func(t *testing.T) {
			start := time.Date(2026, 12, 1, 10, 0, 3, 0, time.UTC) // not on a span's start
			var raw []metrics.Line
			var buf bytes.Buffer
			for i := range seconds {
				for e, name := range []string{"a", "b"} {
					if name == "b" && i%7 == 0 {
						continue // seconds without a line
					}
					l := metrics.Line{Time: start.Add(time.Duration(i) * time.Second), Endpoint: name,
						Requests: 3 + i%5 + e, Retries: i % 2, OK: 2, Throttled: i % 3, Limit: float64(100 + i%50),
						Hist: [][2]int64{{1000, 1}, {int64(2000 + 1000*(i%4)), 2}}, Codes: map[string]int{"90001": i % 2}}
					raw = append(raw, l)
					b, err := json.Marshal(l)
					if err != nil {
						t.Fatal(err)
					}
					buf.Write(append(b, '\n'))
				}
			}
			path := filepath.Join(t.TempDir(), "metrics.jsonl")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			eps, err := readMetrics(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, ep := range eps {
				if len(ep.Seconds) > maxHeld {
					t.Errorf("%s: %d lines held, at most %d", ep.Name, len(ep.Seconds), maxHeld)
				}
				if seconds <= maxHeld && ep.Step > 1 {
					t.Errorf("%s: a short log folded into %d-second spans", ep.Name, ep.Step)
				}
			}
			tl, ok := newTimeline(eps)
			if !ok {
				t.Fatal("no timeline")
			}
			for _, ep := range eps {
				var rawEp Endpoint
				rawEp.Name = ep.Name
				for _, l := range raw {
					if l.Endpoint == ep.Name {
						rawEp.Seconds = append(rawEp.Seconds, l)
					}
				}
				got, want := tl.aggregate(ep), tl.aggregate(rawEp)
				for i := range want {
					if got[i].requests != want[i].requests || got[i].throttled != want[i].throttled ||
						got[i].retries != want[i].retries || got[i].limit != want[i].limit ||
						fmt.Sprint(got[i].hist) != fmt.Sprint(want[i].hist) {
						t.Fatalf("%s bucket %d: folded %+v, as written %+v", ep.Name, i, got[i], want[i])
					}
				}
				gv, wv := newEndpointView(tl, ep), newEndpointView(tl, rawEp)
				if gv.Requests != wv.Requests || gv.Throttled != wv.Throttled || gv.P99 != wv.P99 || gv.PeakRate != wv.PeakRate {
					t.Errorf("%s: folded view %+v, as written %+v", ep.Name, gv, wv)
				}
			}
		})
	}
}
