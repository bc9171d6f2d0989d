package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// onlineOptions are validate's --online and the connection and tuning flags of run it reads
// the target with (--rps is validate's own flag, shared with its estimate).
type onlineOptions struct {
	on          bool
	conn        connOptions
	concurrency int
	timeout     time.Duration
	outageAfter time.Duration
}

func (o *onlineOptions) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.on, "online", false, "also read the target (read endpoints only, nothing is written) and predict what the run would fail or find there")
	o.conn.addFlags(fs)
	fs.IntVar(&o.concurrency, "concurrency", 0, "with --online: requests in flight at most (default as run)")
	fs.DurationVar(&o.timeout, "timeout", 0, "with --online: per-request timeout (default as run)")
	fs.DurationVar(&o.outageAfter, "outage-after", 0, "with --online: stop when the API has not answered any request for `DUR` (default as run)")
}

// check refuses connection flags without --online: validate would otherwise seem to have
// checked a target it never read.
func (o *onlineOptions) check() error {
	if o.on {
		return nil
	}
	c := &o.conn
	if c.endpoint != "" || c.region != "" || c.sim || c.sdkappid != 0 || c.identifier != "" || c.secretKeyFile != "" || c.userSigFile != "" {
		return errors.New("connection flags (--endpoint, --region, --sim, ...) are for --online: add --online to read the target")
	}
	return nil
}

// tuning returns the tuning of the online reads: run's defaults where a flag is not given.
func (o *onlineOptions) tuning(rps float64) *tuningOptions {
	var t tuningOptions
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	t.addFlags(fs) // run's defaults
	t.rps = rps
	if o.concurrency > 0 {
		t.concurrency = o.concurrency
	}
	if o.timeout > 0 {
		t.timeout = o.timeout
	}
	if o.outageAfter > 0 {
		t.outageAfter = o.outageAfter
	}
	return &t
}

// validateOnline reads the target for plan (migrate.Preflight), writes a predicted failure per
// item the run would fail into reports, fills sum's predicted and present, and prints what
// it read and what that cost. It returns the items predicted to fail or left unread; the
// error is a usage error (the connection) or what stopped the reads.
func validateOnline(ctx context.Context, o *validateOptions, plan *migrate.Plan, reports *migrate.Reports, sum *migrate.Summary, e env) (int, error) {
	t := o.online.tuning(o.rps)
	if err := t.check(); err != nil {
		return 0, usageErr(err)
	}
	tgt, err := connect(&o.online.conn, t, "", e)
	if err != nil {
		return 0, usageErr(err)
	}
	defer tgt.close()
	if tgt.sim != nil {
		fmt.Fprint(e.stderr, simOnlineBanner)
	}
	fmt.Fprintf(e.stderr, "reading the target (read endpoints only): %s\n", tgt.desc)
	res, err := migrate.Preflight(ctx, plan, migrate.PreflightOptions{API: tgt.api, Call: t.pacing(), Admin: tgt.admin, Reports: reports})
	sum.Online, sum.Target = true, tgt.desc
	bad := 0
	for _, k := range sources.Kinds {
		pk := res.Kinds[k]
		sum.Kinds[k].Predicted, sum.Kinds[k].Present = pk.Predicted, pk.Present
		bad += pk.Predicted + pk.Unread
	}
	printOnline(e.stdout, res)
	if err != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: reading the target stopped: %v\n", err)
		return bad, err
	}
	return bad, nil
}

// printOnline prints the prediction per kind and the reads' cost: requests per endpoint, the
// time they take at the endpoints' limits (the busiest endpoint's), and the time they took.
func printOnline(w io.Writer, res *migrate.PreflightResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-14s\tpredicted\tpresent\tnot checked\t\n", "online")
	for _, k := range sources.Kinds {
		pk := res.Kinds[k]
		fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t\n", k, pk.Predicted, pk.Present, pk.Unread)
	}
	tw.Flush()
	eps := make([]string, 0, len(res.Reads))
	total := 0
	for ep, n := range res.Reads {
		eps = append(eps, ep)
		total += n
	}
	slices.Sort(eps)
	parts := make([]string, len(eps))
	for i, ep := range eps {
		parts[i] = fmt.Sprintf("%s %d", ep[strings.LastIndex(ep, "/")+1:], res.Reads[ep])
	}
	fmt.Fprintf(w, "online check: %d reads (%s): %s at the endpoints' limits, took %s\n",
		total, strings.Join(parts, ", "), fmtDuration(res.Ideal), fmtDuration(res.Elapsed))
}

// simOnlineBanner is simBanner for validate --online --sim.
const simOnlineBanner = `
========================================================================
  SIMULATION: nothing is read from Tencent Cloud.
  --sim runs the built-in emulator in this process; --online reads
  its World (see --sim-world), and validate never writes to it.
========================================================================
`
