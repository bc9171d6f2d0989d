package main

import (
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

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// simStateFile is where run --sim leaves the emulator's final state (writeSimFiles).
const simStateFile = "sim_state.json"

// cmdVerify reads the target back and compares it with the input's intended end state.
// Exit 0: everything checked is equal; 3: differences (diff.csv, missing_<kind>.jsonl) or
// groups that could not be read back; 1: a fatal answer or a local failure; 2: usage or
// configuration; 130: interrupted.
func cmdVerify(ctx context.Context, args []string, e env) int {
	var o options
	var so simOptions
	var topicIDs string
	fs := newFlagSet("verify", e.stderr, &o)
	addConnFlags(fs, &o)
	addSimFlags(fs, &so)
	fs.Float64Var(&o.sample, "sample", 1, "read back only a deterministic `FRACTION` (0 < f <= 1) of the users and Community groups")
	fs.StringVar(&topicIDs, "topic-ids", "", "run's topic_ids.csv `FILE`, to match topics without an input TopicId by ID (default: <out>/topic_ids.csv if it exists)")
	if err := parseArgs(fs, args, &o); err != nil {
		return usageError(e.stderr, err)
	}
	if err := checkTuning(&o); err != nil {
		return usageError(e.stderr, err)
	}
	if !(o.sample > 0 && o.sample <= 1) { // NaN fails too
		return usageError(e.stderr, errors.New("--sample must be a fraction: 0 < f <= 1"))
	}
	ids, err := loadTopicIDs(topicIDs, o.out, e.stderr)
	if err != nil {
		return usageError(e.stderr, err)
	}
	tgt, err := connect(&o, &so, e)
	if err != nil {
		return usageError(e.stderr, err)
	}
	defer tgt.close()
	if tgt.sim != nil {
		fmt.Fprint(e.stderr, simVerifyBanner)
		if err := loadSimState(tgt.sim, filepath.Join(o.out, simStateFile), e.stderr); err != nil {
			return usageError(e.stderr, err)
		}
	}
	return verifyPlan(ctx, &o, tgt, ids, e)
}

// loadTopicIDs reads --topic-ids, or <out>/topic_ids.csv when it exists; nil when neither.
// An unreadable default is only a warning: without it topics are matched by name.
func loadTopicIDs(flagPath, out string, stderr io.Writer) (*migrate.TopicIDs, error) {
	if flagPath != "" {
		return migrate.LoadTopicIDs(flagPath)
	}
	path := filepath.Join(out, migrate.TopicIDsFile)
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	ids, err := migrate.LoadTopicIDs(path)
	if err != nil {
		fmt.Fprintf(stderr, "chatmigrate: warning: %v; topics without a TopicId are matched by name\n", err)
		return nil, nil
	}
	return ids, nil
}

// loadSimState gives the in-process emulator the state run --sim left in the same --out, so
// that a rehearsal can be verified: without it the emulator starts empty and everything
// reads as missing.
func loadSimState(sim *chatsim.Server, path string, stderr io.Writer) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "chatmigrate: no %s: the emulator starts empty (verify after 'run --sim' with the same --out)\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	var st chatsim.State
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sim.Tamper(func(s *chatsim.State) { *s = st })
	fmt.Fprintf(stderr, "emulator loaded from %s\n", path)
	return nil
}

// verifyPlan is verify once connected.
func verifyPlan(ctx context.Context, o *options, tgt *target, ids *migrate.TopicIDs, e env) int {
	started := time.Now()
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(e.stderr, "chatmigrate: "+format+"\n", a...)
		return code
	}
	invalid := 0
	plan, err := migrate.BuildPlan(ctx, o.inputs, migrate.PlanOptions{OnProblem: func(p migrate.Problem) {
		if !p.Warning {
			invalid++
		}
	}})
	switch {
	case plan == nil && ctx.Err() != nil:
		return fail(exitInterrupted, "interrupted while reading the input")
	case plan == nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)):
		return fail(exitUsage, "%v", err)
	case plan == nil:
		return fail(exitFatal, "%v", err)
	case err != nil:
		return fail(exitUsage, "%v\nfix the header first (see 'chatmigrate validate')", err)
	}
	if invalid > 0 {
		fmt.Fprintf(e.stderr, "%d invalid items are not verified (see 'chatmigrate validate')\n", invalid)
	}
	if ids != nil {
		fmt.Fprintf(e.stderr, "matching topics by the %d IDs of topic_ids.csv where the input has no TopicId\n", ids.Len())
	}
	rep, err := migrate.OpenDiffReport(o.out)
	if err != nil {
		return fail(exitFatal, "%v", err)
	}
	defer rep.Close()

	prog := newProgress(e.stderr, isTerminal(e.stderr, e.getenv), statusEvery)
	res, err := migrate.Verify(ctx, plan, migrate.VerifyOptions{
		API:      tgt.api,
		Call:     migrate.CallOptions{RPS: o.rps, Concurrency: o.concurrency, Timeout: o.timeout},
		Admin:    tgt.admin,
		TopicIDs: ids,
		Sample:   o.sample,
		Report:   rep,
		Progress: prog,
		Summary:  &migrate.Summary{Command: "verify", Started: started, Target: tgt.desc},
	})
	prog.Stop()
	code := verifyOutcome(ctx, err, res, e.stderr)
	if cerr := rep.Close(); cerr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", cerr)
		code = exitFatal
	}
	sum := res.Summary
	sum.Finished, sum.ExitCode = time.Now(), code
	if werr := rep.WriteSummary(sum); werr != nil {
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", werr)
		code = exitFatal
	}
	printVerifySummary(e.stdout, sum, o.sample, time.Since(started))
	switch code {
	case exitOK:
		fmt.Fprintf(e.stdout, "all equal; reports in %s\n", rep.Dir())
	case exitPartial:
		fmt.Fprintf(e.stdout, "differences: see %s; missing items in %s, to feed to 'chatmigrate run'\n",
			filepath.Join(rep.Dir(), migrate.DiffFile), filepath.Join(rep.Dir(), "missing_<kind>.jsonl"))
	}
	return code
}

// verifyOutcome maps Verify's result to the exit code and explains a stop on stderr.
func verifyOutcome(ctx context.Context, err error, res *migrate.VerifyResult, stderr io.Writer) int {
	var fe *migrate.FatalError
	switch {
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "chatmigrate: %v\n%s\n", fe, fe.Hint)
		return exitFatal
	case err != nil && ctx.Err() != nil:
		fmt.Fprintln(stderr, "chatmigrate: interrupted; the reports cover what was read so far")
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "chatmigrate: %v\n", err)
		return exitFatal
	}
	for _, u := range res.Unread {
		fmt.Fprintf(stderr, "chatmigrate: %v\n", u)
	}
	if n := unreadCount(res.Summary); n > len(res.Unread) {
		fmt.Fprintf(stderr, "... and %d more groups or users not read back\n", n-len(res.Unread))
	}
	if !res.Equal() {
		return exitPartial
	}
	return exitOK
}

func unreadCount(s *migrate.Summary) int {
	n := 0
	for _, ks := range s.Kinds {
		n += ks.Failed
	}
	return n
}

// printVerifySummary prints the per-kind table: checked and equal count topics, or (user,
// group) pairs; missing, extra and differs count diff.csv rows; unread counts groups or
// users that could not be read back.
func printVerifySummary(w io.Writer, s *migrate.Summary, sample float64, took time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-14s\tchecked\tequal\tmissing\textra\tdiffers\tunread\trequests\t\n", "kind")
	var t migrate.KindSummary
	for _, k := range sources.Kinds {
		ks := s.Kinds[k]
		fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", k, ks.Checked, ks.Equal, ks.Missing, ks.Extra,
			ks.Differs, ks.Failed, ks.Requests)
		t.Checked += ks.Checked
		t.Equal += ks.Equal
		t.Missing += ks.Missing
		t.Extra += ks.Extra
		t.Differs += ks.Differs
		t.Failed += ks.Failed
		t.Requests += ks.Requests
	}
	fmt.Fprintf(tw, "%-14s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", "total", t.Checked, t.Equal, t.Missing, t.Extra,
		t.Differs, t.Failed, t.Requests)
	tw.Flush()
	scope := "everything"
	if sample < 1 {
		scope = fmt.Sprintf("a sample of %g of the users and Community groups", sample)
	}
	fmt.Fprintf(w, "verify read back %s in %s (checked/equal: topics and groups; missing/extra/differs: rows of %s)\n",
		scope, fmtDuration(took), migrate.DiffFile)
}
