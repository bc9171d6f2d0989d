package main

import (
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

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// simStateFile is where run --sim leaves the emulator's final state (writeSimFiles).
const simStateFile = "sim_state.json"

// verifyOptions are verify's flags. They have no checkpoint and no import_topic path:
// verify only reads.
type verifyOptions struct {
	inputOptions
	connOptions
	tuningOptions
	outputOptions
	sample   float64
	topicIDs string
}

func (o *verifyOptions) addFlags(fs *flag.FlagSet) {
	o.inputOptions.addFlags(fs)
	o.connOptions.addFlags(fs)
	o.tuningOptions.addFlags(fs)
	o.outputOptions.addFlags(fs)
	fs.Float64Var(&o.sample, "sample", 1, "read back only a deterministic `FRACTION` (0 < f <= 1) of the users and Community groups")
	fs.StringVar(&o.topicIDs, "topic-ids", "", "run's topic_ids.csv `FILE`, to match topics without an input TopicId by ID (default: <out>/topic_ids.csv if it exists)")
}

// cmdVerify reads the target back and compares it with the input's intended end state.
// Exit 0: everything checked is equal; 3: differences (diff.csv, missing_<kind>.jsonl) or
// groups that could not be read back; 1: a fatal answer or a local failure; 2: usage or
// configuration; 130: interrupted.
func cmdVerify(ctx context.Context, args []string, e env) error {
	var o verifyOptions
	fs := newFlagSet("verify", e.stderr)
	o.addFlags(fs)
	setHelp(fs, "chatmigrate verify [INPUTS] [--endpoint URL | --region NAME | --sim] [flags]",
		"Read the target back and compare it with the input; nothing is written to the target.",
		"Differences go to diff.csv, and what is missing to missing_<kind>.jsonl, which\n"+
			"'chatmigrate run' takes as input. Credentials as for run.\n"+
			"Example: chatmigrate verify samples/ --sim --out /tmp/rehearsal (after run --sim there)")
	if err := parseArgs(fs, args, &o.inputOptions); err != nil {
		return usageErr(err)
	}
	if err := o.check(); err != nil {
		return usageErr(err)
	}
	if !(o.sample > 0 && o.sample <= 1) { // NaN fails too
		return usageErr(errors.New("--sample must be a fraction: 0 < f <= 1"))
	}
	if err := checkInputs(o.inputs, e.stderr); err != nil {
		return err
	}
	lock, err := openOut(setVerify, "verify", o.out, "", o.inputs)
	if err != nil {
		return err
	}
	defer lock.Release()
	ids, err := loadTopicIDs(o.topicIDs, o.out, e.stderr)
	if err != nil {
		return usageErr(err)
	}
	tgt, err := connect(&o.connOptions, &o.tuningOptions, "", e)
	if err != nil {
		return usageErr(err)
	}
	defer tgt.close()
	if tgt.sim != nil {
		fmt.Fprint(e.stderr, simVerifyBanner)
		if err := loadSimState(tgt.sim, filepath.Join(o.out, simStateFile), e.stderr); err != nil {
			return usageErr(err)
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
func verifyPlan(ctx context.Context, o *verifyOptions, tgt *target, ids *migrate.TopicIDs, e env) error {
	started := time.Now()
	invalid := 0
	plan, err := buildPlan(ctx, &o.inputOptions, o.out, e.stderr, func(p migrate.Problem) {
		if !p.Warning {
			invalid++
		}
	}, nil)
	switch {
	case planInterrupted(err):
		return reword(err, "interrupted while reading the input")
	case err != nil && plan != nil:
		return fmt.Errorf("%w\nfix the files named above first (see 'chatmigrate validate')", err)
	case err != nil:
		return err
	}
	warnEmptyInputs(o.inputs, e.stderr)
	if invalid > 0 {
		fmt.Fprintf(e.stderr, "%d invalid items are not verified (see 'chatmigrate validate')\n", invalid)
	}
	if ids != nil {
		fmt.Fprintf(e.stderr, "matching topics by the %d IDs of topic_ids.csv where the input has no TopicId\n", ids.Len())
	}
	rep, err := migrate.OpenDiffReport(o.out)
	if err != nil {
		return err
	}
	defer rep.Close()

	prog := newProgress(e.stderr, isTerminal(e.stderr, e.getenv), statusEvery)
	res, err := migrate.Verify(ctx, plan, migrate.VerifyOptions{
		API:      tgt.api,
		Call:     o.pacing(),
		Admin:    tgt.admin,
		TopicIDs: ids,
		Sample:   o.sample,
		Report:   rep,
		Progress: prog,
		Summary:  &migrate.Summary{Command: migrate.CommandVerify, Started: started, Target: tgt.desc},
	})
	prog.Stop()
	failure := verifyOutcome(err, res, tgt, prog, e.stderr)
	if failure != nil {
		say(e.stderr, failure)
	}
	if err := rep.Close(); err != nil {
		say(e.stderr, err)
		failure = err
	}
	code := exitCode(failure)
	sum := res.Summary
	sum.Finished, sum.ExitCode = time.Now(), code
	if err := rep.WriteSummary(sum); err != nil {
		say(e.stderr, err)
		code = exitCode(err)
	}
	writeReportPage(o.out, e.stderr)
	printVerifySummary(e.stdout, sum, o.sample, code == exitInterrupted, time.Since(started))
	switch code {
	case exitOK:
		fmt.Fprintf(e.stdout, "all equal; reports in %s\n", rep.Dir())
	case exitPartial:
		fmt.Fprintf(e.stdout, "differences: see %s; missing items in %s, to feed to 'chatmigrate run'\n",
			filepath.Join(rep.Dir(), migrate.DiffFile), filepath.Join(rep.Dir(), "missing_<kind>.jsonl"))
	}
	return exitWith(code)
}

// verifyOutcome says what Verify's result means: nil when everything checked is equal,
// else the failure. The groups that could not be read back are listed on stderr here; an
// interruption says how far the reading got, from prog's counts.
func verifyOutcome(err error, res *migrate.VerifyResult, tgt *target, prog *progress, stderr io.Writer) error {
	var fe *pacer.FatalError
	switch {
	case errors.As(err, &fe):
		return fmt.Errorf("%w\n%s", fe, fatalHintFor(fe, tgt.userSig))
	case errors.Is(err, context.Canceled):
		done, total := prog.counts()
		return reword(err, "interrupted after reading back %d of %d groups and users: the reports cover only those; run verify again to check everything", done, total)
	case err != nil:
		return err
	}
	for _, u := range res.Unread {
		fmt.Fprintf(stderr, "chatmigrate: %v\n", u)
	}
	if n := unreadCount(res.Summary); n > len(res.Unread) {
		fmt.Fprintf(stderr, "... and %d more groups or users not read back\n", n-len(res.Unread))
	}
	if !res.Equal() {
		return &exitError{code: exitPartial}
	}
	return nil
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
func printVerifySummary(w io.Writer, s *migrate.Summary, sample float64, interrupted bool, took time.Duration) {
	var rows []countRow
	var t migrate.KindSummary
	for _, k := range sources.Kinds {
		ks := s.Kinds[k]
		rows = append(rows, countRow{string(k), []int{ks.Checked, ks.Equal, ks.Missing, ks.Extra, ks.Differs, ks.Failed, ks.Requests}})
		t.Checked += ks.Checked
		t.Equal += ks.Equal
		t.Missing += ks.Missing
		t.Extra += ks.Extra
		t.Differs += ks.Differs
		t.Failed += ks.Failed
		t.Requests += ks.Requests
	}
	rows = append(rows, countRow{"total", []int{t.Checked, t.Equal, t.Missing, t.Extra, t.Differs, t.Failed, t.Requests}})
	writeCountTable(w, []string{"kind", "checked", "equal", "missing", "extra", "differs", "unread", "requests"}, rows)
	scope := "everything"
	switch {
	case interrupted:
		scope = "part of the input (interrupted)"
	case sample < 1:
		scope = fmt.Sprintf("a sample of %g of the users and Community groups", sample)
	}
	fmt.Fprintf(w, "verify read back %s in %s (checked/equal: topics and groups; missing/extra/differs: rows of %s)\n",
		scope, fmtDuration(took), migrate.DiffFile)
}
