package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// DefaultCheckpoint is the checkpoint's name in --out when --checkpoint is not given.
const DefaultCheckpoint = "checkpoint.journal"

// SimCheckpoint is the default checkpoint's name with --sim. It is started afresh on every
// run: the emulator's state lives only in its process, so a checkpoint of an earlier --sim
// run describes a target that no longer exists. (A --checkpoint given explicitly is kept.)
const SimCheckpoint = "sim-checkpoint.journal"

// maxRunListed is how many invalid rows run prints; failures.csv has them all.
const maxRunListed = 5

// cmdRun migrates the inputs: plan, open the checkpoint, send, report. Exit 0: everything
// done; 1: a fatal answer or a local failure stopped it (resumable); 2: usage, configuration
// or a checkpoint written for other input; 3: finished with failed or invalid items; 130:
// interrupted (resumable).
func cmdRun(ctx context.Context, args []string, e env) int {
	var o options
	var so simOptions
	fs := newFlagSet("run", e.stderr, &o)
	addConnFlags(fs, &o)
	fs.BoolVar(&o.retryFailed, "retry-failed", false, "also send again what an earlier run with this checkpoint recorded as failed")
	fs.BoolVar(&o.force, "force", false, "resume from a checkpoint written for other input (its finished units are trusted)")
	addSimFlags(fs, &so)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: chatmigrate run [INPUTS] [--endpoint URL | --region NAME | --sim] [flags]\n\n"+
			"Migrate the inputs. A rerun with the same --checkpoint skips what is done, settles what\n"+
			"was in flight, and (with --retry-failed) retries what failed. Credentials: TIM_SDKAPPID,\n"+
			"TIM_IDENTIFIER, TIM_SECRET_KEY (or --secret-key-file), or a precomputed TIM_USERSIG\n"+
			"(or --usersig-file).\n\n")
		fs.PrintDefaults()
	}
	if f := fs.Lookup("checkpoint"); f != nil {
		f.Usage += " (default: " + DefaultCheckpoint + " in --out; with --sim " + SimCheckpoint + ", started afresh)"
	}
	if err := parseArgs(fs, args, &o); err != nil {
		return usageError(e.stderr, err)
	}
	if err := checkTuning(&o); err != nil {
		return usageError(e.stderr, err)
	}
	tgt, err := connect(&o, &so, e)
	if err != nil {
		return usageError(e.stderr, err)
	}
	defer tgt.close()
	if tgt.sim != nil {
		fmt.Fprint(e.stderr, simBanner)
	}
	return runPlan(ctx, &o, tgt, e)
}

// runPlan is run once connected.
func runPlan(ctx context.Context, o *options, tgt *target, e env) int {
	started := time.Now()
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(e.stderr, "chatmigrate: "+format+"\n", a...)
		return code
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fail(exitUsage, "%v", err)
	}
	ckpt := o.checkpoint
	switch {
	case ckpt == "" && tgt.sim != nil:
		ckpt = filepath.Join(o.out, SimCheckpoint)
		if err := os.Remove(ckpt); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(exitFatal, "%v", err)
		}
	case ckpt == "":
		ckpt = filepath.Join(o.out, DefaultCheckpoint)
	}

	// The invalid rows wait in a spool until the checkpoint is open: a refused checkpoint
	// must leave the earlier run's reports alone.
	spool, err := newProblemSpool(o.out)
	if err != nil {
		return fail(exitFatal, "%v", err)
	}
	defer spool.close()
	plan, err := migrate.BuildPlan(ctx, o.inputs, migrate.PlanOptions{OnProblem: spool.add})
	switch {
	case plan == nil && ctx.Err() != nil:
		return fail(exitInterrupted, "interrupted while reading the input; nothing was sent")
	case plan == nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)):
		return fail(exitUsage, "%v", err)
	case plan == nil:
		return fail(exitFatal, "%v", err)
	case err != nil:
		return fail(exitUsage, "%v\nnothing was sent: fix the header (see 'chatmigrate validate')", err)
	}

	j, err := migrate.OpenJournal(ckpt, plan, o.force)
	var mismatch *checkpoint.MismatchError
	switch {
	case errors.As(err, &mismatch):
		return fail(exitUsage, "%v", err)
	case err != nil:
		return fail(exitFatal, "%v", err)
	}
	defer j.Close()
	if j.Resumed() {
		c := j.Counts()
		fmt.Fprintf(e.stderr, "resuming from %s: %d of %d requests done, %d failed, %d in doubt (settled before anything is resent)\n",
			ckpt, c[checkpoint.Done], plan.Total, c[checkpoint.Failed], c[checkpoint.Sent])
	}
	reports, err := migrate.OpenReports(o.out)
	if err != nil {
		return fail(exitFatal, "%v", err)
	}
	defer reports.Close()
	if err := spool.replay(reports, e.stderr); err != nil {
		return fail(exitFatal, "%v", err)
	}

	prog := newProgress(e.stderr, isTerminal(e.stderr, e.getenv), statusEvery)
	sum, err := migrate.Execute(ctx, plan, migrate.ExecOptions{
		API:         tgt.api,
		Call:        migrate.CallOptions{RPS: o.rps, Concurrency: o.concurrency, Timeout: o.timeout},
		Journal:     j,
		Reports:     reports,
		Progress:    prog,
		RetryFailed: o.retryFailed,
		Admin:       tgt.admin,
		Summary:     &migrate.Summary{Command: "run", Started: started, Target: tgt.desc},
	})
	prog.Stop()
	code := runOutcome(ctx, err, sum, ckpt, e.stderr)
	if cerr := j.Close(); cerr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", cerr)
		code = exitFatal
	}
	sum.Finished, sum.ExitCode = time.Now(), code
	if werr := reports.WriteSummary(sum); werr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", werr)
		code = exitFatal
	}
	if cerr := reports.Close(); cerr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", cerr)
		code = exitFatal
	}
	if serr := writeSimFiles(tgt, o.out); serr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", serr)
	}
	printRunSummary(e.stdout, sum, time.Since(started))
	fmt.Fprintf(e.stdout, "reports in %s; checkpoint %s\n", reports.Dir(), ckpt)
	return code
}

// runOutcome maps Execute's result to the exit code and says on stderr what to do next.
func runOutcome(ctx context.Context, err error, sum *migrate.Summary, ckpt string, stderr io.Writer) int {
	var fe *migrate.FatalError
	switch {
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "chatmigrate: %v\n%s\ncheckpoint: %s\n", fe, fe.Hint, ckpt)
		return exitFatal
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "chatmigrate: interrupted; the checkpoint %s is saved: run the same command again to resume\n", ckpt)
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "chatmigrate: %v\nthe checkpoint %s keeps what was done: run the same command again to resume\n", err, ckpt)
		return exitFatal
	}
	for _, k := range sources.Kinds {
		if ks := sum.Kinds[k]; ks.Failed > 0 || ks.Invalid > 0 {
			fmt.Fprintf(stderr, "chatmigrate: some items failed or were invalid: see %s and failed_<kind>.jsonl\n", migrate.FailuresFile)
			return exitPartial
		}
	}
	return exitOK
}

// printRunSummary prints the one-screen summary table.
func printRunSummary(w io.Writer, s *migrate.Summary, took time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-14s\trecords\tinvalid\trequests\tsucceeded\tfailed\tskipped\tretries\tthrottled\t\n", "kind")
	var t migrate.KindSummary
	for _, k := range sources.Kinds {
		ks := s.Kinds[k]
		fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", k, ks.Records, ks.Invalid, ks.Requests,
			ks.Succeeded, ks.Failed, ks.Skipped, ks.Retries, ks.Throttled)
		t.Records += ks.Records
		t.Invalid += ks.Invalid
		t.Requests += ks.Requests
		t.Succeeded += ks.Succeeded
		t.Failed += ks.Failed
		t.Skipped += ks.Skipped
		t.Retries += ks.Retries
		t.Throttled += ks.Throttled
	}
	fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", "total", t.Records, t.Invalid, t.Requests,
		t.Succeeded, t.Failed, t.Skipped, t.Retries, t.Throttled)
	tw.Flush()
	fmt.Fprintf(w, "run took %s; skipped = done by an earlier run, succeeded/failed/skipped count items\n", fmtDuration(took))
}

// problemSpool keeps BuildPlan's problems in an unlinked temporary file until the reports
// may be opened, so that memory stays flat however many rows are invalid.
type problemSpool struct {
	f   *os.File
	w   *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

func newProblemSpool(dir string) (*problemSpool, error) {
	f, err := os.CreateTemp(dir, ".problems-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("problem spool: %w", err)
	}
	os.Remove(f.Name()) // gone with the process, even after kill -9 (where the OS allows it)
	w := bufio.NewWriter(f)
	return &problemSpool{f: f, w: w, enc: json.NewEncoder(w)}, nil
}

func (s *problemSpool) add(p migrate.Problem) {
	if p.Warning || s.err != nil {
		return
	}
	s.err = s.enc.Encode(p)
	s.n++
}

// replay writes the spooled problems into rep and lists the first few on stderr.
func (s *problemSpool) replay(rep *migrate.Reports, stderr io.Writer) error {
	if s.err == nil {
		s.err = s.w.Flush()
	}
	if s.err != nil {
		return fmt.Errorf("problem spool: %w", s.err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("problem spool: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReader(s.f))
	for i := range s.n {
		var p migrate.Problem
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("problem spool: %w", err)
		}
		if i < maxRunListed {
			fmt.Fprintln(stderr, p.String())
		}
		if err := rep.Problem(p); err != nil {
			return err
		}
	}
	if s.n > maxRunListed {
		fmt.Fprintf(stderr, "... and %d more invalid items: see %s\n", s.n-maxRunListed, filepath.Join(rep.Dir(), migrate.FailuresFile))
	}
	if s.n > 0 {
		fmt.Fprintf(stderr, "%d invalid items are left out (see failures.csv); the valid ones are migrated\n", s.n)
	}
	return nil
}

func (s *problemSpool) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}
