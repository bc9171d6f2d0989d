// Command chatmigrate moves a chat product's legacy topics, friend groups and conversation
// groups into Tencent Cloud Chat through its server REST API.
//
//	chatmigrate validate [INPUTS] [flags]   # read, validate, plan; sends nothing
//	chatmigrate run      [INPUTS] [flags]   # migrate; resumable with the same --checkpoint
//	chatmigrate verify   [INPUTS] [flags]   # read back from the API and compare with the input
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Exit codes of docs/contract.md, "Exit codes".
const (
	exitOK          = 0
	exitFatal       = 1
	exitUsage       = 2
	exitPartial     = 3
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is what a command takes from the process: its output streams and its environment.
// Tests build their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

const usage = `usage: chatmigrate COMMAND [INPUTS] [flags]

commands:
  validate   read, validate and plan every input; sends nothing
  run        migrate the inputs; resumable with the same --checkpoint
  verify     read the target back and compare it with the input
  report     rebuild OUT/report.html from a run's files
  gen        write a large synthetic legacy export (for rehearsals and benchmarks)

INPUTS: a directory (files taken by name: topics.*, friend_groups.*, contact_groups.*)
or --topics FILE, --friend-groups FILE, --contact-groups FILE (each repeatable).
Run 'chatmigrate help COMMAND' (or 'chatmigrate COMMAND -h') for a command's flags,
and 'chatmigrate --version' for the version.
`

// run runs the command args name and returns the process's exit code: the one place where
// a command's error becomes a code and, unless the command told it already, a line on stderr.
func run(ctx context.Context, args []string, e env) int {
	err := dispatch(ctx, args, e)
	var ee *exitError
	told := errors.As(err, &ee) && ee.err == nil
	if err != nil && !told && !errors.Is(err, flag.ErrHelp) {
		say(e.stderr, err)
	}
	return exitCode(err)
}

// say prints err on stderr as every failure of chatmigrate is printed.
func say(stderr io.Writer, err error) {
	fmt.Fprintf(stderr, "chatmigrate: %v\n", err)
}

// dispatch runs the command args[0] names.
func dispatch(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return &exitError{code: exitUsage}
	}
	switch args[0] {
	case "validate":
		return cmdValidate(ctx, args[1:], e)
	case "run":
		return cmdRun(ctx, args[1:], e)
	case "verify":
		return cmdVerify(ctx, args[1:], e)
	case "report":
		return cmdReport(ctx, args[1:], e)
	case "gen":
		return cmdGen(ctx, args[1:], e)
	case "help", "-h", "-help", "--help":
		return help(ctx, args[1:], e)
	case "version", "-version", "--version":
		printVersion(e)
		return nil
	default:
		fmt.Fprintf(e.stderr, "chatmigrate: unknown command %q\n\n%s", args[0], usage)
		return &exitError{code: exitUsage}
	}
}

// isCommand reports whether dispatch runs a command of that name.
func isCommand(name string) bool {
	switch name {
	case "validate", "run", "verify", "report", "gen":
		return true
	}
	return false
}

// help prints the overview, or with a command's name that command's help, on stdout: asked
// for, it is the output, not a diagnostic.
func help(ctx context.Context, args []string, e env) error {
	switch {
	case len(args) == 0:
		fmt.Fprint(e.stdout, usage)
		return nil
	case len(args) > 1 || !isCommand(args[0]):
		fmt.Fprintf(e.stderr, "chatmigrate: help takes one command name, not %q\n\n%s", strings.Join(args, " "), usage)
		return &exitError{code: exitUsage}
	}
	e.stderr = e.stdout
	return dispatch(ctx, []string{args[0], "-h"}, e)
}

// exitError is a failure that settles its own exit code: a usage error, a run that finished
// with failed items, or the end of a command that has already said on stderr what happened
// (err nil), so that run prints nothing more.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitWith ends a command that has told its outcome already with code.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

// usageErr marks err as a usage or configuration error (exit 2): a flag, the environment, a
// target or an output directory the command cannot use as given.
func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// reword returns err told in the command's own words: the text is what the user reads,
// err what exitCode sees.
func reword(err error, format string, a ...any) error {
	return &rewordedError{text: fmt.Sprintf(format, a...), err: err}
}

type rewordedError struct {
	text string
	err  error
}

func (e *rewordedError) Error() string { return e.text }
func (e *rewordedError) Unwrap() error { return e.err }

// planError is migrate.BuildPlan's failure, kept apart from a command's other failures
// because the contract's rule for input applies to it alone (exitCode).
type planError struct {
	err         error
	interrupted bool // ctx ended while the input was read
}

func (e *planError) Error() string { return e.err.Error() }
func (e *planError) Unwrap() error { return e.err }

// buildPlan is migrate.BuildPlan for every command: its error is a *planError. As there, a
// plan comes back with an error when only headers did not fit (their files are skipped).
// o's --memory bounds the plan and, as the Go runtime's soft limit, the whole process; input
// larger than it is sorted in --tmp-dir, or else in out. j is the checkpoint run resumes, nil
// for the other commands: the plan's topics are looked up in it as they are read.
func buildPlan(ctx context.Context, o *inputOptions, out string, stderr io.Writer, onProblem func(migrate.Problem), j *checkpoint.Journal) (*migrate.Plan, error) {
	in := o.inputs
	opt := migrate.PlanOptions{OnProblem: onProblem, Memory: o.memory, TempDir: o.tmpDir, Journal: j}
	if opt.TempDir == "" {
		opt.TempDir = out
	}
	opt.Memory = planBudget(o.memory, j)
	setMemoryLimit(o.memory)
	opt.OnProgress = planProgress(stderr)
	plan, err := migrate.BuildPlan(ctx, in, opt)
	if err != nil {
		return plan, &planError{err: err, interrupted: plan == nil && ctx.Err() != nil}
	}
	return plan, nil
}

// planBudget is the part of the --memory budget the plan may use: what the resumed
// checkpoint holds for the whole run (its table of finished units) is already spent. Past
// that, planning keeps to a floor of its own, as it must to work at all.
func planBudget(budget int64, j *checkpoint.Journal) int64 {
	if j == nil {
		return budget
	}
	return max(budget-j.HeldBytes(), minMemory/2)
}

// planInterrupted reports whether err is a plan that ctx's end cut short.
func planInterrupted(err error) bool {
	var pe *planError
	return errors.As(err, &pe) && pe.interrupted
}

// exitCode maps what a command returned to its exit code (docs/contract.md, "Exit codes").
// It is the only such mapping: run applies it to the process, and a command that records its
// exit code in summary.json takes it from here too, so that the two never disagree.
//
// An input that cannot be opened or read as its kind (a truncated or corrupt gzip stream
// included), an --out that cannot be written or that another command of the same files
// holds, and a checkpoint of another format version are the operator's to fix (2); an
// interruption is 130 wherever it struck; any other failure, a fatal answer of the API
// included, is 1 (resumable).
func exitCode(err error) int {
	var (
		ee  *exitError
		pe  *planError
		he  *sources.HeaderError
		sfe *sources.FileError
		ve  *checkpoint.VersionError
		le  *checkpoint.LockedError
		fe  *pacer.FatalError
	)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &fe):
		return exitFatal // even when its last failure was the interruption's
	case planInterrupted(err), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &pe) && (errors.As(pe.err, &he) || errors.Is(pe.err, fs.ErrNotExist) || errors.Is(pe.err, fs.ErrPermission)),
		errors.As(err, &sfe), errors.As(err, &ve), errors.As(err, &le):
		return exitUsage
	}
	return exitFatal
}
