package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
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

// runOptions are run's flags.
type runOptions struct {
	inputOptions
	connOptions
	tuningOptions
	outputOptions
	topicPath   string
	checkpoint  string
	retryFailed bool
	force       bool
}

func (o *runOptions) addFlags(fs *flag.FlagSet) {
	o.inputOptions.addFlags(fs)
	o.connOptions.addFlags(fs)
	o.tuningOptions.addFlags(fs)
	o.outputOptions.addFlags(fs)
	fs.StringVar(&o.topicPath, "topic-path", "", "import_topic service `PATH`: group_open_http_svc/import_topic (default) or million_group_open_http_svc/import_topic, as the vendor's pages for your app say")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "checkpoint `FILE`: a rerun with the same file resumes (default: "+
		DefaultCheckpoint+" in --out; with --sim "+SimCheckpoint+", started afresh)")
	fs.BoolVar(&o.retryFailed, "retry-failed", false, "also send again what an earlier run with this checkpoint recorded as failed")
	fs.BoolVar(&o.force, "force", false, "no longer needed, and ignored: a rerun recognises finished work by what it sends, whatever the input became")
}

// cmdRun migrates the inputs: open the checkpoint, plan, send, report. Exit 0: everything
// done; 1: a fatal answer or a local failure stopped it (resumable); 2: usage, configuration
// or a checkpoint of another format version; 3: finished with failed or invalid items; 130:
// interrupted (resumable).
func cmdRun(ctx context.Context, args []string, e env) error {
	var o runOptions
	fs := newFlagSet("run", e.stderr)
	o.addFlags(fs)
	setHelp(fs, "chatmigrate run [INPUTS] [--endpoint URL | --region NAME | --sim] [flags]",
		"Migrate the inputs into Tencent Cloud Chat, resumably.",
		"A rerun with the same --checkpoint skips what is done, settles what was in flight, and\n"+
			"(with --retry-failed) retries what failed, after any edit of the input: it sends what\n"+
			"is new or changed. Credentials: TIM_SDKAPPID, TIM_IDENTIFIER,\n"+
			"TIM_SECRET_KEY (or --secret-key-file), or a precomputed TIM_USERSIG (or --usersig-file).\n"+
			"Example: chatmigrate run samples/ --sim --out /tmp/rehearsal")
	if err := parseArgs(fs, args, &o.inputOptions); err != nil {
		return usageErr(err)
	}
	if err := o.check(); err != nil {
		return usageErr(err)
	}
	if err := checkInputs(o.inputs, e.stderr); err != nil {
		return err
	}
	if o.force {
		fmt.Fprintln(e.stderr, "--force is no longer needed and is ignored: a rerun with the same --checkpoint "+
			"skips what an earlier run finished and sends what is new or changed, whatever the input became")
	}
	command := "run"
	if o.retryFailed {
		command = "run --retry-failed"
	}
	lock, err := openOut(setRun, command, o.out, o.checkpoint, o.inputs)
	if err != nil {
		return err
	}
	defer lock.Release()
	tgt, err := connect(&o.connOptions, &o.tuningOptions, o.topicPath, e)
	if err != nil {
		return usageErr(err)
	}
	defer tgt.close()
	if tgt.sim != nil {
		fmt.Fprint(e.stderr, simBanner)
	}
	return runPlan(ctx, &o, tgt, e)
}

// runPlan is run once connected. The order of its steps keeps a rerun's promises: nothing is
// sent for input that does not read, and a checkpoint that cannot be resumed (damaged, of
// another format) or input that does not read leaves the earlier run's reports as they were,
// since they are opened only after both. The checkpoint comes first, so that planning looks
// each topic up in it as it reads it.
func runPlan(ctx context.Context, o *runOptions, tgt *target, e env) error {
	r := &runJob{o: o, tgt: tgt, e: e, started: time.Now()}
	defer r.close()
	if err := r.openOutputs(); err != nil {
		return err
	}
	if err := r.openCheckpoint(); err != nil {
		return err
	}
	if err := r.readPlan(ctx); err != nil {
		return err
	}
	if err := r.openReports(ctx); err != nil {
		return err
	}
	sum, err := r.execute(ctx)
	return r.report(r.outcome(err, sum), sum)
}

// runJob is one run, put together step by step by runPlan.
type runJob struct {
	o       *runOptions
	tgt     *target
	e       env
	started time.Time

	ckpt    string // the checkpoint's path
	spool   *problemSpool
	plan    *migrate.Plan
	journal *checkpoint.Journal
	reports *migrate.Reports
	live    *liveReport // metrics.jsonl and report.html
	first   *firstSent  // when the first request left
}

// close releases what the steps opened, however runPlan ends. On the way through, report
// has closed the checkpoint and the reports already (to tell if that failed); closing them
// again does nothing.
func (r *runJob) close() {
	if r.live != nil {
		r.live.stop()
	}
	if r.reports != nil {
		r.reports.Close()
	}
	if r.journal != nil {
		r.journal.Close()
	}
	if r.spool != nil {
		r.spool.close()
	}
}

// openOutputs makes --out, picks the checkpoint's path and opens the spool for the plan's
// problems.
func (r *runJob) openOutputs() error {
	if err := os.MkdirAll(r.o.out, 0o755); err != nil {
		return usageErr(err)
	}
	r.ckpt = r.o.checkpoint
	switch {
	case r.ckpt == "" && r.tgt.sim != nil:
		r.ckpt = filepath.Join(r.o.out, SimCheckpoint)
		if err := os.Remove(r.ckpt); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	case r.ckpt == "":
		r.ckpt = filepath.Join(r.o.out, DefaultCheckpoint)
	}
	spool, err := newProblemSpool(r.o.out)
	if err != nil {
		return err
	}
	r.spool = spool
	return nil
}

// readPlan reads and plans the input. Its invalid rows wait in the spool until the reports
// are opened: input that does not read must leave the earlier run's reports alone.
func (r *runJob) readPlan(ctx context.Context) error {
	plan, err := buildPlan(ctx, &r.o.inputOptions, r.o.out, r.e.stderr, r.spool.add, r.journal)
	switch {
	case planInterrupted(err):
		return reword(err, "interrupted while reading the input; nothing was sent")
	case err != nil && plan != nil:
		return fmt.Errorf("%w\nnothing was sent: fix the files named above (the other files were read: %d invalid rows; 'chatmigrate validate' lists every problem)", err, r.spool.n)
	case err != nil:
		return err
	}
	r.plan = plan
	warnEmptyInputs(r.o.inputs, r.e.stderr)
	return nil
}

// openCheckpoint opens the checkpoint. Any input resumes it: it knows units by what they
// send, so what the input asks for and an earlier run finished is skipped, and the rest sent.
func (r *runJob) openCheckpoint() error {
	j, err := migrate.OpenJournal(r.ckpt)
	if err != nil {
		return withHint(err)
	}
	r.journal = j
	if j.Resumed() {
		c := j.Counts()
		fmt.Fprintf(r.e.stderr, "resuming from %s: it records %d units done, %d failed, %d in doubt; "+
			"what this input asks for and an earlier run finished is skipped, what was in doubt is settled before anything is resent, "+
			"and what is new or changed is sent\n", r.ckpt, c[checkpoint.Done], c[checkpoint.Failed], c[checkpoint.Sent])
	}
	return nil
}

// openReports opens the reports, writes the spooled problems into them, and starts the
// metrics log and report.html.
func (r *runJob) openReports(ctx context.Context) error {
	reports, err := migrate.OpenReports(r.o.out)
	if err != nil {
		return err
	}
	r.reports = reports
	if err := r.spool.replay(reports, r.e.stderr); err != nil {
		return err
	}
	live, err := startLiveReport(ctx, r.o.out, r.journal.Resumed(), r.e.stderr)
	if err != nil {
		return err
	}
	r.live = live
	return nil
}

// execute sends the plan, showing progress on stderr.
func (r *runJob) execute(ctx context.Context) (*migrate.Summary, error) {
	o := r.o
	prog := newProgress(r.e.stderr, isTerminal(r.e.stderr, r.e.getenv), statusEvery)
	defer prog.Stop()
	for _, k := range sources.Kinds {
		prog.Plan(k, r.plan.Stats[k].Items) // a resumed run shows done so far of all
	}
	call := o.pacing()
	r.first = &firstSent{next: r.live}
	call.Observer = r.first
	return migrate.Execute(ctx, r.plan, migrate.ExecOptions{
		API:         r.tgt.api,
		Call:        call,
		Journal:     r.journal,
		Reports:     r.reports,
		Progress:    prog,
		RetryFailed: o.retryFailed,
		Admin:       r.tgt.admin,
		Summary:     &migrate.Summary{Command: migrate.CommandRun, Started: r.started, Target: r.tgt.desc},
	})
}

// report tells failure (the run's outcome), closes the checkpoint and the reports, writes
// the summary with the exit code, and prints the summary table. The code is exitCode's of
// the last failure: a checkpoint or a report that could not be written is fatal.
func (r *runJob) report(failure error, sum *migrate.Summary) error {
	stderr := r.e.stderr
	if failure != nil {
		say(stderr, failure)
	}
	if err := r.journal.Close(); err != nil {
		say(stderr, err)
		failure = err
	}
	sum.Finished, sum.ExitCode = time.Now(), exitCode(failure)
	if err := r.reports.WriteSummary(sum); err != nil {
		say(stderr, err)
		failure = err
	}
	if err := r.reports.Close(); err != nil {
		say(stderr, err)
		failure = err
	}
	if err := writeSimFiles(r.tgt, r.o.out); err != nil {
		say(stderr, err) // the migration itself is not the worse for it
	}
	if t := r.first.at(); !t.IsZero() {
		fmt.Fprintf(stderr, "first request %s after the start (reading and planning the input)\n", fmtDuration(t.Sub(r.started)))
	}
	if err := r.live.stop(); err != nil {
		say(stderr, err) // the page and its log are for a person; the reports are written
	}
	printRunSummary(r.e.stdout, sum, time.Since(r.started))
	fmt.Fprintf(r.e.stdout, "reports in %s; checkpoint %s\n", r.reports.Dir(), r.ckpt)
	return exitWith(exitCode(failure))
}

// outcome says what Execute's result means for the operator: nil when everything is done,
// else the failure, worded to say what to do next.
func (r *runJob) outcome(err error, sum *migrate.Summary) error {
	ckpt := r.ckpt
	var fe *pacer.FatalError
	switch {
	case r.tgt.sim != nil && err != nil:
		// The emulator's state ends with this process: a rerun starts from an empty target,
		// so no checkpoint of this run can be resumed against it.
		what := err.Error()
		if errors.Is(err, context.Canceled) && !errors.As(err, &fe) {
			what = "interrupted"
		}
		return reword(err, "%s\nthis was a rehearsal against the built-in emulator, whose state ends with this process: "+
			"there is nothing to resume; run the command again to rehearse from the start", what)
	case errors.As(err, &fe):
		return fmt.Errorf("%w\n%s\ncheckpoint: %s", fe, fatalHintFor(fe, r.tgt.userSig), ckpt)
	case errors.Is(err, context.Canceled):
		return reword(err, "interrupted; the checkpoint %s is saved: run the same command again to resume", ckpt)
	case err != nil:
		return fmt.Errorf("%w\nthe checkpoint %s keeps what was done: run the same command again to resume", withHint(err), ckpt)
	}
	for _, k := range sources.Kinds {
		if ks := sum.Kinds[k]; ks.Failed > 0 || ks.Invalid > 0 {
			return &exitError{code: exitPartial, err: fmt.Errorf("some items failed or were invalid: see %s and failed_<kind>.jsonl", migrate.FailuresFile)}
		}
	}
	return nil
}

// printRunSummary prints the one-screen summary table, 80 columns wide at most.
func printRunSummary(w io.Writer, s *migrate.Summary, took time.Duration) {
	var rows []countRow
	var t migrate.KindSummary
	for _, k := range sources.Kinds {
		ks := s.Kinds[k]
		rows = append(rows, countRow{string(k), []int{ks.Records, ks.Invalid, ks.Requests,
			ks.Succeeded, ks.Failed, ks.Skipped, ks.Retries, ks.Throttled}})
		t.Records += ks.Records
		t.Invalid += ks.Invalid
		t.Requests += ks.Requests
		t.Succeeded += ks.Succeeded
		t.Failed += ks.Failed
		t.Skipped += ks.Skipped
		t.Retries += ks.Retries
		t.Throttled += ks.Throttled
	}
	rows = append(rows, countRow{"total", []int{t.Records, t.Invalid, t.Requests,
		t.Succeeded, t.Failed, t.Skipped, t.Retries, t.Throttled}})
	writeCountTable(w, []string{"kind", "records", "invalid", "reqs", "ok", "fail", "skip", "retry", "thr"}, rows)
	fmt.Fprintf(w, "run took %s; ok, fail, skip count items, reqs and retry requests\n", fmtDuration(took))
	fmt.Fprintln(w, "ok = succeeded, skip = done before this run or found; thr = throttle answers")
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
