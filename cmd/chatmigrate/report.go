package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/chatmigrate/chatmigrate/migrate/htmlreport"
)

// cmdReport rebuilds OUT/report.html from the files a run or a verify left in OUT, finished
// or killed: the page a running command keeps fresh, for a directory whose command is gone.
func cmdReport(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("report", e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: chatmigrate report OUT\n\n"+
			"Rebuild OUT/report.html from the files a run or verify left in its --out directory OUT.\n")
	}
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageErr(errors.New("report: give one directory, the --out of a run or verify (example: chatmigrate report chatmigrate-out)"))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := fs.Arg(0)
	d, err := htmlreport.Load(dir)
	if err != nil {
		return usageErr(fmt.Errorf("report: %w", err))
	}
	for _, n := range d.Notes {
		fmt.Fprintf(e.stderr, "chatmigrate: report: %s (the page shows what could be read)\n", n)
	}
	if err := htmlreport.Write(dir, d); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(dir, htmlreport.FileName))
	return nil
}
