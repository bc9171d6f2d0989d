package htmlreport

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

// Chart geometry, in SVG user units: the plot area is inset for the axis labels. The page
// scales the SVG to its width, so these only fix proportions.
const (
	chartW    = 420
	chartH    = 200
	plotLeft  = 46
	plotRight = chartW - 10
	plotTop   = 10
	plotBot   = chartH - 26
	// maxBuckets caps the points of a chart: a run of hours has more seconds than a chart has
	// pixels, so longer runs are drawn in buckets of several seconds.
	maxBuckets = 240
)

// chart is one SVG chart, laid out: the template only prints these numbers.
type chart struct {
	Kind   string // rate, throttle or latency: the CSS class and the test's handle
	Title  string
	Frame  frame
	Points int // buckets with data: the page's data-points
	Series []series
	Bars   []bar
	YTicks []tick
	XTicks []tick
	Legend []legend
	Empty  bool // no data: the template says so instead of drawing axes alone
}

// frame is the fixed geometry the template draws every chart in.
type frame struct {
	ViewBox          string
	GridX1, GridX2   int // the horizontal grid lines' ends
	YLabelX, XLabelY int // where the axis labels stand
}

func chartFrame() frame {
	return frame{ViewBox: "0 0 " + strconv.Itoa(chartW) + " " + strconv.Itoa(chartH),
		GridX1: plotLeft, GridX2: plotRight, YLabelX: plotLeft - 4, XLabelY: chartH - 8}
}

// series is a polyline (or a filled area under one).
type series struct {
	Class  string
	Label  string
	Points string // "x,y x,y ..."
	N      int    // its points
	Area   string // polygon points closing the line to the axis; "" for a plain line
}

// bar is one bar of a bar chart.
type bar struct {
	X, Y, W, H string
	Class      string
	Title      string
}

// tick is an axis label with its grid position.
type tick struct {
	Pos    string // x or y in user units
	Label  string
	Anchor string // an x label's text-anchor: start, middle or end
}

type legend struct{ Class, Label string }

// timeline maps the run's seconds onto buckets: the same for every endpoint, so that their
// charts line up.
type timeline struct {
	first, last int64 // unix seconds, inclusive
	width       int64 // seconds per bucket
	n           int   // buckets
}

// newTimeline returns the timeline spanning every endpoint's seconds; ok is false when there
// are none.
func newTimeline(eps []Endpoint) (timeline, bool) {
	var tl timeline
	seen := false
	for _, ep := range eps {
		for _, l := range ep.Seconds {
			u := l.Time.Unix()
			if !seen || u < tl.first {
				tl.first = u
			}
			if !seen || u > tl.last {
				tl.last = u
			}
			seen = true
		}
	}
	if !seen {
		return tl, false
	}
	step := int64(1)
	for _, ep := range eps {
		step = max(step, ep.Step)
	}
	tl.last += step - 1 // the last line's span
	span := tl.last - tl.first + 1
	// A bucket covers whole spans: k spans start in every stretch of k·step seconds.
	tl.width = (span + maxBuckets - 1) / maxBuckets
	tl.width = (tl.width + step - 1) / step * step
	tl.n = int((span + tl.width - 1) / tl.width)
	return tl, true
}

// bucket returns the bucket of a unix second.
func (tl timeline) bucket(u int64) int { return int((u - tl.first) / tl.width) }

// seconds returns how many seconds bucket i covers: the last one may be short.
func (tl timeline) seconds(i int) float64 {
	start := tl.first + int64(i)*tl.width
	return float64(min(tl.width, tl.last-start+1))
}

// x returns the horizontal position of bucket i's middle.
func (tl timeline) x(i int) float64 {
	return plotLeft + (float64(i)+0.5)*(plotRight-plotLeft)/float64(tl.n)
}

// barWidth returns the width of one bucket's slot.
func (tl timeline) barWidth() float64 { return (plotRight - plotLeft) / float64(tl.n) }

// xTicks labels the start, the middle and the end of the timeline.
func (tl timeline) xTicks() []tick {
	label := func(u int64) string { return time.Unix(u, 0).UTC().Format("15:04:05") }
	ts := []tick{{fmtNum(plotLeft), label(tl.first), "start"}}
	if tl.last-tl.first >= 4 {
		mid := tl.first + (tl.last-tl.first)/2
		ts = append(ts, tick{fmtNum((plotLeft + plotRight) / 2), label(mid), "middle"})
	}
	if tl.last > tl.first {
		ts = append(ts, tick{fmtNum(plotRight), label(tl.last), "end"})
	}
	return ts
}

// agg is one endpoint's counts in one bucket.
type agg struct {
	lines                        int
	requests, retries, throttled int
	limit                        float64
	hist                         [][2]int64
}

// aggregate adds an endpoint's seconds up by bucket.
func (tl timeline) aggregate(ep Endpoint) []agg {
	out := make([]agg, tl.n)
	for _, l := range ep.Seconds {
		i := tl.bucket(l.Time.Unix())
		if i < 0 || i >= tl.n {
			continue
		}
		a := &out[i]
		a.lines++
		a.requests += l.Requests
		a.retries += l.Retries
		a.throttled += l.Throttled
		a.limit = max(a.limit, l.Limit)
		a.hist = metrics.MergeHist(a.hist, l.Hist)
	}
	return out
}

// y maps a value on a scale of 0..top to a vertical position.
func y(v, top float64) float64 {
	if top <= 0 {
		return plotBot
	}
	return plotBot - (plotBot-plotTop)*min(v, top)/top
}

// yTicks labels 0, the middle and the top of a scale.
func yTicks(top float64, unit string) []tick {
	return []tick{
		{Pos: fmtNum(y(0, top)), Label: "0"},
		{Pos: fmtNum(y(top/2, top)), Label: fmtNum(top/2) + unit},
		{Pos: fmtNum(y(top, top)), Label: fmtNum(top) + unit},
	}
}

// niceCeil returns the smallest of 1, 2, 2.5, 5 times a power of ten that is at least v.
func niceCeil(v float64) float64 { return ceilTo(v, []float64{1, 2, 2.5, 5, 10}) }

// niceCount is niceCeil for counts, whose scale's middle must be whole (a count scale is at
// least 4).
func niceCount(v float64) float64 { return ceilTo(v, []float64{1, 2, 4, 10}) }

// ceilTo returns the smallest of steps times a power of ten that is at least v.
func ceilTo(v float64, steps []float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range steps {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// fmtNum formats a coordinate or a label: at most one decimal, none when whole.
func fmtNum(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// pointList renders points as an SVG points attribute.
func pointList(xs, ys []float64) string {
	var b strings.Builder
	for i := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fmtNum(xs[i]))
		b.WriteByte(',')
		b.WriteString(fmtNum(ys[i]))
	}
	return b.String()
}

// perSecond names the unit of a bucket's counts.
func (tl timeline) perBucket() string {
	if tl.width == 1 {
		return "per second"
	}
	return "per " + strconv.FormatInt(tl.width, 10) + " s"
}

// rateChart draws requests per second against the endpoint's limit.
func (tl timeline) rateChart(as []agg) chart {
	c := chart{Kind: "rate", Title: "requests per second, against the limit", Frame: chartFrame()}
	var xs, ys, lx, ly []float64
	top := 0.0
	for i, a := range as {
		if a.lines == 0 {
			continue
		}
		r := float64(a.requests) / tl.seconds(i)
		xs, ys = append(xs, tl.x(i)), append(ys, r)
		top = max(top, r)
		if a.limit > 0 {
			lx, ly = append(lx, tl.x(i)), append(ly, a.limit)
			top = max(top, a.limit)
		}
	}
	c.Points = len(xs)
	if c.Points == 0 {
		c.Empty = true
		return c
	}
	top = niceCeil(top * 1.05)
	for i := range ys {
		ys[i] = y(ys[i], top)
	}
	for i := range ly {
		ly[i] = y(ly[i], top)
	}
	line := pointList(xs, ys)
	area := fmtNum(xs[0]) + "," + fmtNum(plotBot) + " " + line + " " + fmtNum(xs[len(xs)-1]) + "," + fmtNum(plotBot)
	c.Series = append(c.Series, series{Class: "requests", Label: "requests/s", Points: line, N: len(xs), Area: area})
	c.Legend = append(c.Legend, legend{"requests", "requests per second"})
	if len(lx) > 0 {
		c.Series = append(c.Series, series{Class: "limit", Label: "limit", Points: pointList(lx, ly), N: len(lx)})
		c.Legend = append(c.Legend, legend{"limit", "rate limit"})
	}
	c.YTicks, c.XTicks = yTicks(top, ""), tl.xTicks()
	return c
}

// throttleChart draws throttle answers and retries per bucket as pairs of bars.
func (tl timeline) throttleChart(as []agg) chart {
	c := chart{Kind: "throttle", Title: "throttle answers and retries, " + tl.perBucket(), Frame: chartFrame()}
	top := 0
	for _, a := range as {
		top = max(top, a.throttled, a.retries)
	}
	for _, a := range as {
		if a.lines > 0 {
			c.Points++
		}
	}
	if c.Points == 0 {
		c.Empty = true
		return c
	}
	// Counts are whole: a scale of at least 4 keeps its middle label whole too.
	scale := niceCount(float64(max(top, 4)))
	c.YTicks, c.XTicks = yTicks(scale, ""), tl.xTicks()
	c.Legend = []legend{{"throttled", "throttle answers"}, {"retries", "retries"}}
	w := tl.barWidth()
	half := max(w*0.45, 0.5)
	for i, a := range as {
		left := plotLeft + float64(i)*w
		for j, v := range []struct {
			n           int
			class, what string
		}{{a.throttled, "throttled", "throttle answers"}, {a.retries, "retries", "retries"}} {
			if v.n == 0 {
				continue
			}
			top := y(float64(v.n), scale)
			start := time.Unix(tl.first+int64(i)*tl.width, 0).UTC().Format("15:04:05")
			c.Bars = append(c.Bars, bar{X: fmtNum(left + float64(j)*half), Y: fmtNum(top), W: fmtNum(half),
				H: fmtNum(plotBot - top), Class: v.class, Title: start + ": " + strconv.Itoa(v.n) + " " + v.what})
		}
	}
	return c
}

// latencyChart draws the p50, p90 and p99 latency per bucket.
func (tl timeline) latencyChart(as []agg) chart {
	c := chart{Kind: "latency", Title: "latency percentiles (ms)", Frame: chartFrame()}
	qs := []struct {
		q     float64
		class string
	}{{0.50, "p50"}, {0.90, "p90"}, {0.99, "p99"}}
	var xs []float64
	vals := make([][]float64, len(qs))
	top := 0.0
	for i, a := range as {
		if len(a.hist) == 0 {
			continue
		}
		xs = append(xs, tl.x(i))
		for j, q := range qs {
			ms := float64(metrics.Quantile(a.hist, q.q).Microseconds()) / 1000
			vals[j] = append(vals[j], ms)
			top = max(top, ms)
		}
	}
	c.Points = len(xs)
	if c.Points == 0 {
		c.Empty = true
		return c
	}
	top = niceCeil(top * 1.05)
	for j, q := range qs {
		ys := make([]float64, len(xs))
		for i, v := range vals[j] {
			ys[i] = y(v, top)
		}
		c.Series = append(c.Series, series{Class: q.class, Label: q.class, Points: pointList(xs, ys), N: len(xs)})
		c.Legend = append(c.Legend, legend{q.class, q.class})
	}
	c.YTicks, c.XTicks = yTicks(top, " ms"), tl.xTicks()
	return c
}
