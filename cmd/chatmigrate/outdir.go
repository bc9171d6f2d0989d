package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/htmlreport"
	"github.com/chatmigrate/chatmigrate/migrate/metrics"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Each command owns a set of files in --out (docs/contract.md, "Output") and holds that set's
// lock while it writes them: two commands of one set (two runs, a run and a run
// --retry-failed) never write into one --out at once, while commands of different sets (run
// and validate, run and verify) may.
const (
	setRun      = "run"
	setValidate = "validate"
	setVerify   = "verify"
)

// maxIgnoredListed is how many ignored files of the input directories are named.
const maxIgnoredListed = 10

// ownFiles returns the paths of the files command set writes in out; run's include its
// checkpoint, ckpt.
func ownFiles(set, out, ckpt string) []string {
	var names []string
	switch set {
	case setRun:
		names = append(migrate.RunReportFiles(), htmlreport.FileName, metrics.FileName, DefaultCheckpoint, SimCheckpoint)
	case setValidate:
		names = migrate.ValidateReportFiles()
	case setVerify:
		names = migrate.VerifyReportFiles()
	}
	paths := make([]string, 0, len(names)+1)
	for _, n := range names {
		paths = append(paths, filepath.Join(out, n))
	}
	if ckpt != "" {
		paths = append(paths, ckpt)
	}
	return paths
}

// checkInputs refuses inputs a command cannot read as given, and lists on stderr the files it
// reads and the files of the input directories it ignores. Every problem is named at once.
func checkInputs(in sources.Inputs, stderr io.Writer) error {
	for i, ig := range in.Ignored {
		if i == maxIgnoredListed {
			fmt.Fprintf(stderr, "... and %d more files ignored\n", len(in.Ignored)-i)
			break
		}
		fmt.Fprintf(stderr, "ignoring %s: %s\n", ig.Path, ig.Reason)
	}
	if err := in.Check(); err != nil {
		return usageErr(err)
	}
	var b strings.Builder
	for i, f := range in.List() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", f.Path, f.Kind)
	}
	fmt.Fprintf(stderr, "reading: %s\n", b.String())
	return nil
}

// openOut readies out for command set: it refuses an input that is one of the files the
// command writes there (it would replace it, and the user's edit with it), makes out, and
// takes the set's lock, which the caller releases when done. command is the command line's
// start, for whoever is refused the lock. Everything that fails here is the operator's to
// fix, and nothing has been written yet.
func openOut(set, command, out, ckpt string, in sources.Inputs) (*checkpoint.Lock, error) {
	if err := refuseOwnInputs(set, out, ckpt, in); err != nil {
		return nil, usageErr(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, usageErr(fmt.Errorf("--out %s: cannot create the directory: %w", out, errors.Unwrap(err)))
	}
	path := filepath.Join(out, ".chatmigrate-"+set+".lock")
	lock, err := checkpoint.AcquireLock(path, checkpoint.Holder{Command: command, PID: os.Getpid(), Started: time.Now()})
	var le *checkpoint.LockedError
	switch {
	case errors.As(err, &le):
		h := le.Holder
		who := "another chatmigrate " + set
		if h.PID != 0 {
			who = fmt.Sprintf("chatmigrate %s (pid %d, started %s)", h.Command, h.PID, h.Started.Local().Format(time.DateTime))
		}
		return nil, usageErr(fmt.Errorf("--out %s is in use by %s, which writes the same files: wait for it to end, or give another --out", out, who))
	case err != nil:
		return nil, usageErr(fmt.Errorf("--out %s is not writable: %w", out, unwrapPath(err)))
	}
	return lock, nil
}

// refuseOwnInputs returns an error when an input is one of the files set writes.
func refuseOwnInputs(set, out, ckpt string, in sources.Inputs) error {
	own := ownFiles(set, out, ckpt)
	var errs []error
	for _, f := range in.List() {
		fi, err := os.Stat(f.Path)
		if err != nil {
			continue // Check has named it
		}
		for _, p := range own {
			if oi, err := os.Stat(p); err == nil && os.SameFile(fi, oi) {
				errs = append(errs, fmt.Errorf("%s is one of the files %s writes in --out %s, and would be lost: "+
					"copy it elsewhere and give the copy (cp %s fixed_%s), with this --out or another", f.Path, set, out, f.Path, filepath.Base(p)))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// unwrapPath drops an *os.PathError's operation and path, which the message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
