package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/htmlreport"
	"github.com/chatmigrate/chatmigrate/migrate/metrics"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// reportEvery is how often a running command rewrites report.html. The page reloads itself
// at about this pace; rewriting it more often would cost a re-read of the reports for
// nothing a person sees.
const reportEvery = 5 * time.Second

// liveReport keeps a command's metrics.jsonl and report.html in its --out directory: it is
// the pacer's Observer (every attempt goes into the metrics log) and rewrites the page every
// reportEvery while the command runs, and once more when it stops.
type liveReport struct {
	dir    string
	f      *os.File
	rec    *metrics.Recorder
	warn   io.Writer
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once // the one warning about the page
	// stopped and stopErr make stop idempotent: the run's report step stops the log to
	// write the final page, and the run's cleanup stops it again on every other way out.
	stopped sync.Once
	stopErr error
}

// startLiveReport opens dir's metrics log, appending when resumed (a resumed run's log
// continues the earlier one's, so the page shows the whole migration) and afresh otherwise,
// and starts the refresh loop. Problems
// writing the page are told to warn once and never stop the command: the page is for a
// person to look at, the reports that scripts read are written elsewhere.
func startLiveReport(ctx context.Context, dir string, resumed bool, warn io.Writer) (*liveReport, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
	if !resumed {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(filepath.Join(dir, metrics.FileName), flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics log: %w", err)
	}
	l := &liveReport{dir: dir, f: f, rec: metrics.New(f, nil), warn: warn}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.cancel = cancel
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTicker(reportEvery)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				_ = l.rec.Flush() // a write error is kept and reported by stop
				l.refresh(true)
			}
		}
	}()
	return l, nil
}

// Attempt records one attempt of the pacer in the metrics log.
func (l *liveReport) Attempt(a pacer.Attempt) { l.rec.Record(sampleOf(a)) }

// refresh rewrites report.html from the files in dir.
func (l *liveReport) refresh(live bool) {
	if err := buildReportPage(l.dir, live); err != nil {
		l.once.Do(func() { warnReportPage(l.warn, err) })
	}
}

// writeReportPage rewrites report.html once from the files in dir (verify, at its end: the
// page then shows its diff beside the run's numbers). A failure is only a warning.
func writeReportPage(dir string, warn io.Writer) {
	if err := buildReportPage(dir, false); err != nil {
		warnReportPage(warn, err)
	}
}

func buildReportPage(dir string, live bool) error {
	d, err := htmlreport.Load(dir)
	if errors.Is(err, htmlreport.ErrNoReports) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Live = live
	return htmlreport.Write(dir, d)
}

func warnReportPage(w io.Writer, err error) {
	fmt.Fprintf(w, "chatmigrate: warning: %s not written: %v\n", htmlreport.FileName, err)
}

// stop ends the refresh loop, writes the rest of the metrics log and the final page. Call it
// after the command's reports are written, so that the page shows their final state.
func (l *liveReport) stop() error {
	l.stopped.Do(func() {
		l.cancel()
		l.wg.Wait()
		err := l.rec.Close()
		if cerr := l.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("metrics log: %w", cerr)
		}
		l.refresh(false)
		l.stopErr = err
	})
	return l.stopErr
}

// sampleOf maps a pacer attempt to the metrics log's sample: the outcome by the error's class
// (docs/vendor-api.md, "Error classes"), the vendor's code, else the HTTP status.
func sampleOf(a pacer.Attempt) metrics.Sample {
	s := metrics.Sample{Endpoint: a.Endpoint, Sent: a.Sent, Latency: a.Latency, Retry: a.Retry, Limit: a.Limit}
	if a.Err == nil {
		return s
	}
	var ce *chatapi.Error
	if !errors.As(a.Err, &ce) {
		s.Outcome = metrics.Transient // no answer came: a local timeout or an interrupt
		return s
	}
	s.Code = ce.Code
	if s.Code == 0 && ce.HTTPStatus != 200 {
		s.Code = ce.HTTPStatus
	}
	switch ce.Class {
	case chatapi.ClassThrottled:
		s.Outcome = metrics.Throttled
	case chatapi.ClassTransient, chatapi.ClassRenew, chatapi.ClassRetryThenFatal:
		s.Outcome = metrics.Transient
	case chatapi.ClassFatal:
		s.Outcome = metrics.Fatal
	default:
		s.Outcome = metrics.Failed
	}
	return s
}
