package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// maxListed is how many problems validate prints; failures.csv has them all.
const maxListed = 20

// validateOptions are validate's flags: the inputs, where the reports go, and the rate its
// time estimate assumes.
type validateOptions struct {
	inputOptions
	outputOptions
	rps    float64
	online onlineOptions // --online and the connection flags it reads with
}

// cmdValidate reads, validates and plans every input, prints the plan, writes
// validate_failures.csv and validate_summary.json (never run's files), and sends nothing.
// Exit 0: all valid (warnings are fine); 3: some rows invalid; 2: usage error, an unusable
// --out, or an input file or header that cannot be read.
func cmdValidate(ctx context.Context, args []string, e env) error {
	var o validateOptions
	flags := newFlagSet("validate", e.stderr)
	o.inputOptions.addFlags(flags)
	o.outputOptions.addFlags(flags)
	addRPSFlag(flags, &o.rps)
	o.online.addFlags(flags)
	setHelp(flags, "chatmigrate validate [INPUTS] [flags]",
		"Read, validate and plan every input, and estimate the run's time; nothing is sent.",
		"With --online and run's connection flags, also read the target (never write) and predict\n"+
			"item by item what the run would fail, and what is there already.\n"+
			"Exit 0: all valid (warnings are fine) and, with --online, nothing predicted to fail; 3: some rows\n"+
			"invalid or predicted to fail; 2: a file or header unusable.\n"+
			"Example: chatmigrate validate samples/ --out /tmp/check\n"+
			"         chatmigrate validate samples/ --online --sim --sim-world world.json --out /tmp/check")
	if err := parseArgs(flags, args, &o.inputOptions); err != nil {
		return usageErr(err)
	}
	if !validRPS(o.rps) {
		return usageErr(errors.New("--rps must be a positive number"))
	}
	if err := o.online.check(); err != nil {
		return usageErr(err)
	}
	if err := checkInputs(o.inputs, e.stderr); err != nil {
		return err
	}
	lock, err := openOut(setValidate, "validate", o.out, "", o.inputs)
	if err != nil {
		return err
	}
	defer lock.Release()
	started := time.Now()
	reports, err := migrate.OpenValidateReports(o.out)
	if err != nil {
		return usageErr(err)
	}
	defer reports.Close()

	problems := &problemLister{w: e.stderr, rep: reports}
	plan, err := buildPlan(ctx, &o.inputOptions, o.out, e.stderr, problems.add, nil)
	if plan == nil {
		return err
	}
	defer plan.Close()
	warnEmptyInputs(o.inputs, e.stderr)
	failure := err // header errors: those files were skipped
	if !o.online.on {
		if err := flagUncreatedGroups(ctx, plan, problems); err != nil {
			return err
		}
	}
	if failure != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", failure)
	}
	if problems.unlisted > 0 {
		fmt.Fprintf(e.stderr, "... and %d more problems: see %s\n", problems.unlisted, reports.Dir())
	}
	printPlan(e.stdout, plan, o.rps)

	invalid := 0
	sum := &migrate.Summary{Command: migrate.CommandValidate, Started: started, Kinds: make(map[sources.Kind]*migrate.KindSummary)}
	for _, k := range sources.Kinds {
		st := plan.Stats[k]
		invalid += st.Invalid
		sum.Kinds[k] = &migrate.KindSummary{Records: st.Records, Valid: st.Valid, Invalid: st.Invalid, Warnings: st.Warnings, Requests: st.Requests}
	}
	predicted := 0
	if o.online.on && failure == nil && problems.err == nil {
		n, err := validateOnline(ctx, &o, plan, reports, sum, e)
		if err != nil {
			failure = err
		}
		predicted = n
	}
	if failure == nil && (invalid > 0 || predicted > 0) {
		failure = &exitError{code: exitPartial}
	}
	if problems.err != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", problems.err)
		failure = problems.err
	}
	code := exitCode(failure)
	sum.Finished, sum.ExitCode = time.Now(), code
	if err := reports.WriteSummary(sum); err != nil {
		return err
	}
	if err := reports.Close(); err != nil {
		return err
	}
	switch code {
	case exitOK:
		fmt.Fprintf(e.stdout, "all input valid; reports in %s\n", reports.Dir())
	case exitPartial:
		if invalid > 0 {
			fmt.Fprintf(e.stdout, "%d invalid records: see %s/%s\n", invalid, reports.Dir(), migrate.ValidateFailuresFile)
		}
		if predicted > 0 {
			fmt.Fprintf(e.stdout, "%d items predicted to fail or not checked: see %s/%s\n", predicted, reports.Dir(), migrate.ValidateFailuresFile)
		}
	}
	return exitWith(code)
}

// problemLister prints the first maxListed problems on stderr and writes every one into
// the reports; err is the first write that failed.
type problemLister struct {
	w        io.Writer
	rep      *migrate.Reports
	listed   int
	unlisted int
	err      error
}

func (l *problemLister) add(p migrate.Problem) {
	if l.listed < maxListed {
		fmt.Fprintln(l.w, p.String())
		l.listed++
	} else {
		l.unlisted++
	}
	if err := l.rep.Problem(p); err != nil && l.err == nil {
		l.err = err
	}
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

// flagUncreatedGroups reports, offline, the rows that remove from or rename a conversation
// group no row creates: only the target can tell whether the group is there (--online reads
// it), so validate counts them invalid in its own report and table, while run keeps them and
// applies them where the group exists.
func flagUncreatedGroups(ctx context.Context, plan *migrate.Plan, problems *problemLister) error {
	n, err := plan.UncreatedGroups(ctx, problems.add)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(problems.w, "%d records change conversation groups that no row creates: whether the target has them, validate --online tells\n", n)
	}
	st := plan.Stats[sources.ContactGroups]
	st.Valid -= n
	st.Invalid += n
	return nil
}
