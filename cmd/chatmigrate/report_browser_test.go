package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/htmlreport"
	"github.com/chatmigrate/chatmigrate/migrate/htmlreport/browsercheck"
)

// TestReportOfFaultyRunInBrowser runs a migration against the built-in emulator with seeded
// faults (transient errors, proxy 502s, lost answers, throttle answers) at a low rate, so that
// it lasts a few seconds, and opens the report.html it left in headless Chromium: at least
// three charts drew data (a rate, a throttle and a latency chart among them), the page
// fetched nothing from the network, and the browser reported no error. The screenshots are
// kept in $CHATMIGRATE_ARTIFACTS (a temporary directory when unset). Without a browser the
// test skips, except in CI (CI=true), where it fails.
func TestReportOfFaultyRunInBrowser(t *testing.T) {
	exe, err := browsercheck.Find()
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	if err != nil {
		t.Skip(err)
	}
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	e := env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	ctx := context.Background()
	if err := dispatch(ctx, []string{"gen", "--out", in, "--topics", "150", "--friend-memberships", "300",
		"--contact-memberships", "150", "--seed", "3"}, e); err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr.String())
	}
	err = dispatch(ctx, []string{"run", "--sim", "--out", out, "--rps", "60",
		"--sim-seed", "7", "--sim-transient", "0.08", "--sim-http502", "0.03", "--sim-ambiguous", "0.03",
		"--sim-throttle", "0.05", "--sim-latency", "5ms-20ms", in}, e)
	if code := exitCode(err); code != exitOK && code != exitPartial {
		t.Fatalf("run: exit %d (%v)\n%s", code, err, stderr.String())
	}
	page := filepath.Join(out, htmlreport.FileName)
	res, err := browsercheck.Open(ctx, exe, page)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("charts: %v", res.Charts)
	if res.Charts["withData"] < 3 {
		t.Errorf("%d charts drew data, want at least 3 (%v)", res.Charts["withData"], res.Charts)
	}
	for _, kind := range []string{"rate", "throttle", "latency"} {
		if res.Charts[kind] == 0 {
			t.Errorf("no %s chart drew data (%v)", kind, res.Charts)
		}
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
	arts := os.Getenv("CHATMIGRATE_ARTIFACTS")
	if arts == "" {
		arts = t.TempDir()
	}
	if err := os.MkdirAll(arts, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, png := range map[string][]byte{"run-report.png": res.First, "run-report-full.png": res.Full} {
		if len(png) < 8 || string(png[1:4]) != "PNG" {
			t.Errorf("%s is not a PNG (%d bytes)", name, len(png))
			continue
		}
		path := filepath.Join(arts, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}
