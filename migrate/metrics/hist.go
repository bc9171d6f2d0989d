package metrics

import (
	"math"
	"math/bits"
	"sort"
	"time"
)

// The latency histogram has four buckets per power of two of microseconds: fine enough that
// a percentile is at most a quarter off, small enough (a fixed array, no allocation) to keep
// one per endpoint and second. Latencies above maxBucket's bound land in the last bucket.
const (
	subBuckets = 4
	maxBucket  = 4*26 + 3 // covers up to 2^27 µs, about 134 s: beyond any sane request timeout
	numBuckets = maxBucket + 1
)

// bucketOf returns the bucket of a latency.
func bucketOf(d time.Duration) int {
	us := d.Microseconds()
	if us < subBuckets {
		return int(max(us, 0))
	}
	e := bits.Len64(uint64(us)) - 1  // 2^e <= us < 2^(e+1), e >= 2
	m := int(us>>(e-2)) - subBuckets // the two bits after the leading one
	return min(subBuckets*(e-1)+m, maxBucket)
}

// upperBound returns the largest latency in microseconds that falls into bucket i.
func upperBound(i int) int64 {
	if i < subBuckets {
		return int64(i)
	}
	e := i/subBuckets + 1
	m := int64(i%subBuckets + subBuckets)
	return (m+1)<<(e-2) - 1
}

// histogram counts latencies by bucket.
type histogram [numBuckets]uint32

// sparse returns the non-empty buckets as [upper bound µs, count] pairs.
func (h *histogram) sparse() [][2]int64 {
	var out [][2]int64
	for i, n := range h {
		if n > 0 {
			out = append(out, [2]int64{upperBound(i), int64(n)})
		}
	}
	return out
}

// MergeHist adds two histograms as Line.Hist holds them and returns the sum, in increasing
// order of bound. Neither argument is changed.
func MergeHist(a, b [][2]int64) [][2]int64 {
	out := make([][2]int64, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i][0] < b[j][0]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j][0] < a[i][0]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, [2]int64{a[i][0], a[i][1] + b[j][1]})
			i++
			j++
		}
	}
	return out
}

// Quantile returns the q-quantile (0 < q <= 1) of a histogram as Line.Hist holds it: the upper
// bound of the bucket that holds it. It returns 0 for an empty histogram. Pairs out of order
// (a hand-edited log) are sorted first; negative counts are taken as zero.
func Quantile(h [][2]int64, q float64) time.Duration {
	if !sort.SliceIsSorted(h, func(i, j int) bool { return h[i][0] < h[j][0] }) {
		h = append([][2]int64(nil), h...)
		sort.Slice(h, func(i, j int) bool { return h[i][0] < h[j][0] })
	}
	var n int64
	for _, b := range h {
		n += max(b[1], 0)
	}
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen int64
	for _, b := range h {
		seen += max(b[1], 0)
		if seen >= rank {
			return time.Duration(b[0]) * time.Microsecond
		}
	}
	return time.Duration(h[len(h)-1][0]) * time.Microsecond
}

// millis converts a duration to milliseconds with three decimals: the log's unit.
func millis(d time.Duration) float64 {
	return math.Round(float64(d.Microseconds())) / 1000
}
