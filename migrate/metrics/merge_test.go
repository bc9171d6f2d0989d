package metrics

import (
	"reflect"
	"testing"
	"time"
)

// TestMerge: two lines merged hold both's attempts, the higher limit, the merged histogram
// and its percentiles, and both's codes, at the first line's time; neither input changes.
func TestMerge(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a := Line{Time: at, Endpoint: "e", Requests: 3, Retries: 1, OK: 2, Throttled: 1, Limit: 100,
		Hist: [][2]int64{{1000, 2}, {4000, 1}}, Codes: map[string]int{"90001": 1}}
	b := Line{Time: at.Add(time.Second), Endpoint: "e", Requests: 5, OK: 3, Transient: 1, Failed: 1, Fatal: 0, Limit: 80,
		Hist: [][2]int64{{4000, 3}, {9000, 2}}, Codes: map[string]int{"90001": 1, "0": 1}}
	got := Merge(a, b)
	want := Line{Time: at, Endpoint: "e", Requests: 8, Retries: 1, OK: 5, Throttled: 1, Transient: 1, Failed: 1, Limit: 100,
		Hist: [][2]int64{{1000, 2}, {4000, 4}, {9000, 2}}, P50: 4, P90: 9, P99: 9, Codes: map[string]int{"90001": 2, "0": 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %+v\nwant    %+v", got, want)
	}
	if a.Codes["90001"] != 1 || len(a.Hist) != 2 {
		t.Errorf("Merge changed its first argument: %+v", a)
	}
}
