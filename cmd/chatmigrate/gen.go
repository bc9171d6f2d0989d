package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// genOptions are gen's flags. They share nothing with the other commands': gen writes
// inputs, where the others read them.
type genOptions struct {
	cfg    synth.Config
	out    string
	format string
	force  bool
}

func (o *genOptions) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.out, "out", "", "`DIR` to write topics.*, friend_groups.*, contact_groups.* into (required)")
	fs.Int64Var(&o.cfg.Seed, "seed", 1, "random seed: the same seed and counts give the same bytes")
	fs.IntVar(&o.cfg.Topics, "topics", 1000, "topic rows")
	fs.IntVar(&o.cfg.Groups, "groups", 0, "communities the topics spread over (default topics/20)")
	fs.IntVar(&o.cfg.FriendMemberships, "friend-memberships", 10000, "friend-group memberships (CSV rows)")
	fs.IntVar(&o.cfg.Users, "users", 0, "users owning friend and conversation groups (default a tenth of the memberships)")
	fs.IntVar(&o.cfg.ContactMemberships, "contact-memberships", 5000, "conversation-group memberships (CSV rows)")
	fs.StringVar(&o.format, "format", "csv", "output format: csv or jsonl")
	fs.BoolVar(&o.cfg.Sorted, "sorted", false, "keep each user's (community's) rows together")
	fs.BoolVar(&o.force, "force", false, "overwrite the files gen writes when --out has them already")
}

// cmdGen writes a synthetic legacy export (package synth) into --out: topics, friend groups
// and conversation groups, deterministic for --seed, every row valid. It is for rehearsing a
// migration at scale and for the benchmarks' inputs.
func cmdGen(ctx context.Context, args []string, e env) error {
	var o genOptions
	fs := newFlagSet("gen", e.stderr)
	o.addFlags(fs)
	setHelp(fs, "chatmigrate gen --out DIR [flags]",
		"Write a synthetic legacy export, every row valid, for rehearsals and benchmarks.",
		"The same --seed and counts give the same bytes. Files already in DIR are kept unless --force.\n"+
			"Example: chatmigrate gen --out /tmp/big --topics 100000")
	if err := parseFlags(fs, args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		return usageErr(fmt.Errorf("gen: unexpected argument %q", fs.Arg(0)))
	}
	if o.out == "" {
		return usageErr(errors.New("gen: --out DIR is required"))
	}
	cfg := o.cfg
	switch o.format {
	case "csv":
		cfg.Format = sources.CSV
	case "jsonl":
		cfg.Format = sources.JSONL
	default:
		return usageErr(fmt.Errorf("gen: --format %q: want csv or jsonl", o.format))
	}
	if err := refuseOverwrite(o.out, cfg, o.force); err != nil {
		return usageErr(err)
	}
	if err := synth.WriteDir(ctx, o.out, cfg); err != nil {
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("gen interrupted: %w", err) // wraps ctx's error: exit 130
		case errors.Is(err, synth.ErrConfig):
			return usageErr(err)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d topics, %d friend-group memberships, %d conversation-group memberships to %s (seed %d)\n",
		cfg.Topics, cfg.FriendMemberships, cfg.ContactMemberships, o.out, cfg.Seed)
	return nil
}

// refuseOverwrite fails when dir holds a file gen would write, unless force: a directory
// of inputs may hold an export that took long to make, or the real one.
func refuseOverwrite(dir string, cfg synth.Config, force bool) error {
	if force {
		return nil
	}
	counts := map[sources.Kind]int{sources.Topics: cfg.Topics, sources.FriendGroups: cfg.FriendMemberships,
		sources.ContactGroups: cfg.ContactMemberships}
	var there []string
	for _, k := range sources.Kinds {
		path := filepath.Join(dir, synth.FileName(k, cfg.Format))
		if _, err := os.Lstat(path); err == nil && counts[k] > 0 {
			there = append(there, path)
		}
	}
	if len(there) == 0 {
		return nil
	}
	return fmt.Errorf("gen: %s already exists: pass --force to overwrite, or choose another --out", strings.Join(there, ", "))
}
