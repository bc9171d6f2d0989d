package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"text/tabwriter"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// maxListed is how many problems validate prints; failures.csv has them all.
const maxListed = 20

// cmdValidate reads, validates and plans every input, prints the plan, writes failures.csv,
// failed_<kind>.jsonl and summary.json, and sends nothing. Exit 0: all valid (warnings are
// fine); 3: some rows invalid; 2: usage error or a header that does not fit its kind.
func cmdValidate(ctx context.Context, args []string, e env) int {
	var o options
	flags := newFlagSet("validate", e.stderr, &o)
	if err := parseArgs(flags, args, &o); err != nil {
		return usageError(e.stderr, err)
	}
	if o.rps <= 0 || math.IsInf(o.rps, 0) || math.IsNaN(o.rps) {
		return usageError(e.stderr, errors.New("--rps must be a positive number"))
	}
	started := time.Now()
	reports, err := migrate.OpenReports(o.out)
	if err != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", err)
		return exitUsage
	}
	defer reports.Close()

	var listed, unlisted int
	var writeErr error
	plan, err := migrate.BuildPlan(ctx, o.inputs, migrate.PlanOptions{OnProblem: func(p migrate.Problem) {
		if listed < maxListed {
			fmt.Fprintln(e.stderr, p.String())
			listed++
		} else {
			unlisted++
		}
		if werr := reports.Problem(p); werr != nil && writeErr == nil {
			writeErr = werr
		}
	}})
	code := exitOK
	switch {
	case plan == nil:
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", err)
		switch {
		case ctx.Err() != nil:
			return exitInterrupted
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
			return exitUsage
		}
		return exitFatal
	case err != nil: // header errors: those files were skipped
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", err)
		code = exitUsage
	}
	if unlisted > 0 {
		fmt.Fprintf(e.stderr, "... and %d more problems: see %s\n", unlisted, reports.Dir())
	}
	printPlan(e.stdout, plan, o.rps)

	invalid := 0
	sum := &migrate.Summary{Command: "validate", Started: started, Kinds: make(map[sources.Kind]*migrate.KindSummary)}
	for _, k := range sources.Kinds {
		st := plan.Stats[k]
		invalid += st.Invalid
		sum.Kinds[k] = &migrate.KindSummary{Records: st.Records, Invalid: st.Invalid, Requests: st.Requests}
	}
	if code == exitOK && invalid > 0 {
		code = exitPartial
	}
	if writeErr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", writeErr)
		code = exitFatal
	}
	sum.Finished, sum.ExitCode = time.Now(), code
	if err := reports.WriteSummary(sum); err != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", err)
		return exitFatal
	}
	if err := reports.Close(); err != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", err)
		return exitFatal
	}
	switch code {
	case exitOK:
		fmt.Fprintf(e.stdout, "all input valid; reports in %s\n", reports.Dir())
	case exitPartial:
		fmt.Fprintf(e.stdout, "%d invalid records: see %s/%s\n", invalid, reports.Dir(), migrate.FailuresFile)
	}
	return code
}

// printPlan prints one line per kind and a total: records, valid, invalid, warnings, requests
// and the time the requests take at rps per endpoint. A kind's endpoints run at the same time,
// and so do the kinds: each time is the slowest endpoint's, the total the slowest kind's.
func printPlan(w io.Writer, p *migrate.Plan, rps float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The kind column is padded by hand: tabwriter right-aligns every column.
	fmt.Fprintf(tw, "%-14s\trecords\tvalid\tinvalid\twarnings\trequests\test. time\t\n", "kind")
	var total migrate.KindStats
	var slowest time.Duration
	for _, k := range sources.Kinds {
		st := p.Stats[k]
		d := kindTime(st, rps)
		slowest = max(slowest, d)
		total.Records += st.Records
		total.Valid += st.Valid
		total.Invalid += st.Invalid
		total.Warnings += st.Warnings
		total.Requests += st.Requests
		fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", k, st.Records, st.Valid, st.Invalid, st.Warnings, st.Requests, fmtDuration(d))
	}
	fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", "total", total.Records, total.Valid, total.Invalid, total.Warnings, total.Requests, fmtDuration(slowest))
	tw.Flush()
	fmt.Fprintf(w, "at %g requests/s per endpoint; plan fingerprint %s\n", rps, p.Fingerprint[:16])
}

// kindTime is the time a kind's requests take at rps per endpoint: its busiest endpoint's.
func kindTime(st *migrate.KindStats, rps float64) time.Duration {
	var d time.Duration
	for _, n := range st.ByEndpoint {
		d = max(d, time.Duration(float64(n)/rps*float64(time.Second)))
	}
	return d
}

// fmtDuration shows short times to a tenth of a second, long ones to the second.
func fmtDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
