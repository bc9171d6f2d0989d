package htmlreport

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

// view is Data laid out for the template: every number the page prints, already formatted,
// and every chart's coordinates, so that the template holds no arithmetic.
type view struct {
	Title     string
	Command   string
	Target    string
	State     string // "finished (exit 3)", "running", "stopped before it finished"
	Span      string
	Updated   string
	Live      bool
	Kinds     []kindView
	Endpoints []endpointView
	Failures  failuresView
	Verify    *verifyView
	Notes     []string
}

type kindView struct {
	Name                                  string
	Total, Done, Failed, Skipped, Invalid string
	Left, ETA                             string
	Requests, Retries, Throttled          string
	Segs                                  []bar // the progress bar: done, failed, skipped
	HasTotal                              bool
}

type endpointView struct {
	Name                                   string
	Requests, Retries, Throttled, Failures string
	PeakRate, Limit                        string
	P50, P90, P99                          string
	Charts                                 []chart
}

type failuresView struct {
	Total string
	Codes []codeView
	Files []string
}

type codeView struct {
	Code, Meaning, Count, Kinds string
	Examples                    []Failure
}

type verifyView struct {
	Kinds    []VerifyKind
	Statuses []StatusCount
	Files    []string
}

// progressW is the width of a kind's progress bar in SVG user units.
const progressW = 300

func newView(d Data) view {
	v := view{Command: d.Command, Target: d.Target, Live: d.Live, Notes: d.Notes}
	v.Title = "chatmigrate report"
	if d.Command != "" {
		v.Title = "chatmigrate " + d.Command + " report"
	}
	switch {
	case d.Finished:
		v.State = "finished, exit code " + strconv.Itoa(d.ExitCode)
	case d.Live:
		v.State = "running"
	case d.Command != "":
		v.State = "not finished: still running, or stopped before it ended"
	}
	if !d.Started.IsZero() {
		v.Span = "started " + stamp(d.Started)
		if d.Updated.After(d.Started) {
			v.Span += ", " + roundDur(d.Updated.Sub(d.Started)) + " elapsed"
		}
	}
	if !d.Updated.IsZero() {
		v.Updated = stamp(d.Updated)
	}
	for _, k := range d.Kinds {
		v.Kinds = append(v.Kinds, newKindView(k))
	}
	if tl, ok := newTimeline(d.Endpoints); ok {
		for _, ep := range d.Endpoints {
			v.Endpoints = append(v.Endpoints, newEndpointView(tl, ep))
		}
	}
	v.Failures = failuresView{Total: num(d.Failures.Total), Files: d.Failures.Files}
	for _, c := range d.Failures.Codes {
		v.Failures.Codes = append(v.Failures.Codes, codeView{Code: c.Code, Meaning: meaning(c.Code),
			Count: num(c.Count), Kinds: byKind(c.ByKind), Examples: c.Examples})
	}
	if d.Verify != nil {
		v.Verify = &verifyView{Kinds: d.Verify.Kinds, Statuses: d.Verify.Statuses, Files: d.Verify.Files}
	}
	return v
}

func newKindView(k Kind) kindView {
	kv := kindView{Name: k.Name, Total: num(k.Total), Done: num(k.Done), Failed: num(k.Failed),
		Skipped: num(k.Skipped), Invalid: num(k.Invalid), Requests: num(k.Requests),
		Retries: num(k.Retries), Throttled: num(k.Throttled), HasTotal: k.Total > 0}
	if k.ETA > 0 {
		kv.ETA = roundDur(k.ETA)
	}
	if k.Total <= 0 {
		return kv
	}
	kv.Left = num(max(k.Total-k.Done-k.Failed-k.Skipped, 0))
	x := 0.0
	for _, s := range []struct {
		n           int
		class, what string
	}{{k.Done, "done", "done"}, {k.Failed, "failed", "failed"}, {k.Skipped, "skipped", "skipped (done before or already there)"}} {
		if s.n <= 0 {
			continue
		}
		w := min(float64(s.n)/float64(k.Total)*progressW, progressW-x)
		kv.Segs = append(kv.Segs, bar{X: fmtNum(x), W: fmtNum(w), Class: s.class,
			Title: fmt.Sprintf("%s %s of %s", num(s.n), s.what, num(k.Total))})
		x += w
	}
	return kv
}

func newEndpointView(tl timeline, ep Endpoint) endpointView {
	ev := endpointView{Name: ep.Name}
	var req, retries, throttled, failures int
	var hist [][2]int64
	limit := 0.0
	for _, l := range ep.Seconds {
		req += l.Requests
		retries += l.Retries
		throttled += l.Throttled
		failures += l.Failed + l.Fatal + l.Transient
		hist = metrics.MergeHist(hist, l.Hist)
		limit = max(limit, l.Limit)
	}
	as := tl.aggregate(ep)
	peak := 0.0
	for i, a := range as {
		if a.lines > 0 {
			peak = max(peak, float64(a.requests)/tl.seconds(i))
		}
	}
	ev.Requests, ev.Retries, ev.Throttled, ev.Failures = num(req), num(retries), num(throttled), num(failures)
	ev.PeakRate = fmtNum(peak) + "/s"
	if limit > 0 {
		ev.Limit = fmtNum(limit) + "/s"
	}
	ev.P50, ev.P90, ev.P99 = ms(metrics.Quantile(hist, 0.5)), ms(metrics.Quantile(hist, 0.9)), ms(metrics.Quantile(hist, 0.99))
	ev.Charts = []chart{tl.rateChart(as), tl.throttleChart(as), tl.latencyChart(as)}
	return ev
}

// meaning returns the plain reading of a failures.csv code.
func meaning(code string) string {
	switch code {
	case "invalid":
		return "the row failed validation before anything was sent: the message says which field"
	case codeOther:
		return "codes beyond the ones listed"
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return ""
	}
	if m := chatapi.Meaning(n); m != "" {
		return m
	}
	return "no plain reading known: see the vendor's message"
}

// byKind renders per-kind counts, in report order.
func byKind(m map[string]int) string {
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if ri, rj := kindRank(kinds[i]), kindRank(kinds[j]); ri != rj {
			return ri < rj
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, k+" "+num(m[k]))
	}
	return strings.Join(parts, ", ")
}

// num formats a count with thin groupings of three digits, as a person reads large numbers.
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ms(d time.Duration) string {
	return fmtNum(float64(d.Microseconds())/1000) + " ms"
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// roundDur formats a duration to the second, or to the minute beyond an hour.
func roundDur(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	}
}
