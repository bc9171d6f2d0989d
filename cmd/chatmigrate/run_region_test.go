package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRunWrongRegion: an endpoint of another region answers 60026 to every request. The run
// stops at the first answer, having sent at most --concurrency requests, exits 1 and names
// --region; it does not walk the input failing every item (issue 11, item 6).
func TestRunWrongRegion(t *testing.T) {
	var requests atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ActionStatus":"FAIL","ErrorCode":60026,"ErrorInfo":"the SDKAppID does not belong to this region"}`))
	}))
	t.Cleanup(ts.Close)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", ts.URL, "--out", out, "--concurrency", "3", "../../samples")
	if code != exitFatal {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFatal, stdout, stderr)
	}
	for _, want := range []string{"60026", "--region", "--checkpoint"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := requests.Load(); n < 1 || n > 3 {
		t.Errorf("%d requests, want 1 to --concurrency 3", n)
	}
	var sum map[string]any
	readJSON(t, filepath.Join(out, "summary.json"), &sum)
	if sum["exit_code"] != float64(exitFatal) {
		t.Errorf("summary.json exit_code %v, want %d", sum["exit_code"], exitFatal)
	}
}
