// Package browsercheck opens a report page in headless Chromium and tells what a person would
// see: how many charts drew data, which requests the page made, what the browser reported as
// an error, and screenshots. Tests use it; it starts the browser it is given, nothing else.
package browsercheck

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Names are the names a Chromium binary goes by; Debian's is chromium.
var Names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNoBrowser is Find's error when no Chromium binary is in PATH.
var ErrNoBrowser = errors.New("no Chromium binary in PATH (looked for " + strings.Join(Names, ", ") + "); on Debian: apt-get install -y chromium")

// Find returns the path of a Chromium binary in PATH, or ErrNoBrowser.
func Find() (string, error) {
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// chartsJS counts, per chart kind, the charts that drew data: a polyline of two or more
// points, or a bar of non-zero size, inside an SVG the browser laid out with a width.
const chartsJS = `(() => {
	const out = {charts: 0, withData: 0, points: 0, bars: 0, rate: 0, throttle: 0, latency: 0};
	for (const svg of document.querySelectorAll('svg.chart')) {
		out.charts++;
		if (svg.getBoundingClientRect().width < 100) continue;
		let pts = 0, bars = 0;
		for (const p of svg.querySelectorAll('polyline')) if (p.points.numberOfItems > 1) pts += p.points.numberOfItems;
		for (const r of svg.querySelectorAll('rect.bar')) if (r.height.baseVal.value > 0 && r.width.baseVal.value > 0) bars++;
		out.points += pts; out.bars += bars;
		if (pts > 0 || bars > 0) { out.withData++; out[svg.dataset.kind]++; }
	}
	return out;
})()`

// Result is what the browser showed of one page.
type Result struct {
	// Charts counts the page's charts: "charts" all of them, "withData" those that drew
	// data, and per kind ("rate", "throttle", "latency") those of that kind that drew data.
	Charts map[string]int
	// Heading is the text of the page's first h1.
	Heading string
	// Requests are the URLs the page asked for other than itself: a self-contained page
	// makes none.
	Requests []string
	// Problems are the errors and warnings the console, the log or a thrown exception
	// reported.
	Problems []string
	// First is a screenshot of the first screen, Full one of the whole page (PNG).
	First, Full []byte
}

// Open loads the page at path (a local file) in the headless browser exe and reads what it
// shows. It fails when the browser does not start or the page does not load, and also when
// its listeners did not see the page load or a console error of its own: their silence would
// then prove nothing.
func Open(ctx context.Context, exe, path string) (*Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	pageURL := "file://" + filepath.ToSlash(abs)
	ctx, stop := context.WithTimeout(ctx, 90*time.Second) // chromedp stops the browser with it
	defer stop()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // as root (CI containers) Chromium refuses to start with its sandbox
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Without these, Chromium reaches out to its vendor's hosts at start.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1200, 1000),
	)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // starts the browser and opens the tab
		return nil, fmt.Errorf("start %s: %w", exe, err)
	}

	var (
		mu       sync.Mutex
		res      Result
		sawPage  bool
		probes   int
		requests []string
	)
	if err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning ||
				e.Type == runtime.ConsoleAPICalledTypeAssert {
				if len(e.Args) > 0 && string(e.Args[0].Value) == `"probe"` {
					probes++
					return
				}
				res.Problems = append(res.Problems, "console."+string(e.Type)+": "+argsText(e.Args))
			}
		case *runtime.EventExceptionThrown:
			res.Problems = append(res.Problems, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				res.Problems = append(res.Problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}); err != nil {
		return nil, err
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(pageURL)); err != nil {
		return nil, fmt.Errorf("open %s: %w", pageURL, err)
	}
	if res.Charts, err = chromedp.Run(bctx, chromedp.Evaluate[map[string]int](chartsJS)); err != nil {
		return nil, err
	}
	if res.Heading, err = chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('h1').textContent`)); err != nil {
		return nil, err
	}
	if res.First, err = chromedp.Run(bctx, chromedp.CaptureScreenshot()); err != nil {
		return nil, err
	}
	if res.Full, err = chromedp.Run(bctx, chromedp.FullScreenshot(100)); err != nil {
		return nil, err
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void](`console.error("probe")`)); err != nil {
		return nil, err
	}
	// Events are delivered asynchronously: give the probe a moment to arrive.
	for i := 0; i < 50; i++ {
		mu.Lock()
		n := probes
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		if u == pageURL {
			sawPage = true
			continue
		}
		res.Requests = append(res.Requests, u)
	}
	switch {
	case !sawPage:
		return nil, fmt.Errorf("the request listener did not see the page load (%q): its silence proves nothing", requests)
	case probes != 1:
		return nil, errors.New("the console listener did not see the probe: its silence proves nothing")
	}
	return &res, nil
}

// argsText joins a console call's arguments as the console shows them.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}
