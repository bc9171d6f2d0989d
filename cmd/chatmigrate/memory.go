package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// minMemory is the smallest --memory accepted: below it the runtime and the read-ahead alone
// do not fit.
const minMemory = 32 << 20

// parseBytes reads a --memory value: a number of bytes with an optional unit (KiB, MiB, GiB,
// or K, M, G, read as the same powers of two); a bare number is MiB.
func parseBytes(v string) (int64, error) {
	s := strings.TrimSpace(v)
	mult := int64(1 << 20)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || !(n > 0) || n*float64(mult) > 1<<60 { // NaN, Inf and exabytes are no budget
		return 0, errors.New("not a size such as 256MiB or 1GiB")
	}
	b := int64(n * float64(mult))
	if b < minMemory {
		return 0, fmt.Errorf("at least %dMiB", minMemory>>20)
	}
	return b, nil
}

// setMemoryLimit makes the budget the Go runtime's soft limit, less an eighth for what it does
// not count (the binary, thread stacks, the page cache of mapped files), so that the garbage
// collector works harder near it instead of letting the heap double.
func setMemoryLimit(budget int64) {
	debug.SetMemoryLimit(budget - budget/8)
}

// planProgress returns BuildPlan's progress callback: a status line on w every statusEvery
// while input that did not fit the budget is sorted on disk. Small input prints nothing.
func planProgress(w io.Writer) func(migrate.PlanProgress) {
	start := time.Now()
	last := start
	return func(p migrate.PlanProgress) {
		if now := time.Now(); now.Sub(last) >= statusEvery {
			last = now
			fmt.Fprintf(w, "planning: %s, %d records read and sorted on disk (%s)\n", p.Kind, p.Records, fmtDuration(now.Sub(start)))
		}
	}
}

// firstSent passes each attempt on to next and keeps when the first one was sent: the
// operator's wait before anything reached the service (reading, validating and planning the
// input, opening the checkpoint), reported by run.
type firstSent struct {
	next  pacer.Observer // may be nil
	first atomic.Int64   // UnixNano of the first attempt, 0 before it
}

func (f *firstSent) Attempt(a pacer.Attempt) {
	f.first.CompareAndSwap(0, a.Sent.UnixNano())
	if f.next != nil {
		f.next.Attempt(a)
	}
}

// at returns when the first attempt was sent, or the zero time.
func (f *firstSent) at() time.Time {
	if f == nil || f.first.Load() == 0 {
		return time.Time{}
	}
	return time.Unix(0, f.first.Load())
}
