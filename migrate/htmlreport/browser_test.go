package htmlreport

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/htmlreport/browsercheck"
)

// TestReportInBrowser opens the report of a long simulated run (15 minutes over four
// endpoints, drawn in multi-second buckets) in headless Chromium from disk and checks what a
// person would see: every chart drawn with data, nothing fetched from the network, nothing
// logged as an error. The report of a real run against the emulator is opened by
// cmd/chatmigrate's TestReportOfFaultyRunInBrowser. Without a browser it skips, except in CI
// (CI=true), where it fails.
func TestReportInBrowser(t *testing.T) {
	exe, err := browsercheck.Find()
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	simulateRun(t, dir)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, d); err != nil {
		t.Fatal(err)
	}
	res, err := browsercheck.Open(context.Background(), exe, filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("charts in the page: %v", res.Charts)
	for _, kind := range []string{"rate", "throttle", "latency"} {
		if res.Charts[kind] == 0 {
			t.Errorf("no %s chart drew data (%v)", kind, res.Charts)
		}
	}
	if res.Charts["withData"] != res.Charts["charts"] || res.Charts["charts"] < 3 {
		t.Errorf("%d of %d charts drew data: every endpoint of the run had requests", res.Charts["withData"], res.Charts["charts"])
	}
	if res.Heading != "chatmigrate run report" {
		t.Errorf("heading %q", res.Heading)
	}
	for _, u := range res.Requests {
		t.Errorf("the page made a request: %s", u)
	}
	for _, p := range res.Problems {
		t.Errorf("the browser reported: %s", p)
	}
	if arts := os.Getenv("CHATMIGRATE_ARTIFACTS"); arts != "" {
		if err := os.MkdirAll(arts, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(arts, "simulated-report.png"), res.First, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
