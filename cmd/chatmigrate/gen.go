package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// cmdGen writes a synthetic legacy export (package synth) into --out: topics, friend groups
// and conversation groups, deterministic for --seed, every row valid. It is for rehearsing a
// migration at scale and for the benchmarks' inputs.
func cmdGen(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("chatmigrate gen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cfg synth.Config
	var out, format string
	fs.StringVar(&out, "out", "", "`DIR` to write topics.*, friend_groups.*, contact_groups.* into (required)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "random seed: the same seed and counts give the same bytes")
	fs.IntVar(&cfg.Topics, "topics", 1000, "topic rows")
	fs.IntVar(&cfg.Groups, "groups", 0, "communities the topics spread over (default topics/20)")
	fs.IntVar(&cfg.FriendMemberships, "friend-memberships", 10000, "friend-group memberships (CSV rows)")
	fs.IntVar(&cfg.Users, "users", 0, "users owning friend and conversation groups (default a tenth of the memberships)")
	fs.IntVar(&cfg.ContactMemberships, "contact-memberships", 5000, "conversation-group memberships (CSV rows)")
	fs.StringVar(&format, "format", "csv", "output format: csv or jsonl")
	fs.BoolVar(&cfg.Sorted, "sorted", false, "keep each user's (community's) rows together")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: chatmigrate gen --out DIR [flags]\n\nWrite a synthetic legacy export.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError(e.stderr, err)
	}
	if fs.NArg() > 0 {
		return usageError(e.stderr, fmt.Errorf("gen: unexpected argument %q", fs.Arg(0)))
	}
	if out == "" {
		return usageError(e.stderr, errors.New("gen: --out DIR is required"))
	}
	switch format {
	case "csv":
		cfg.Format = sources.CSV
	case "jsonl":
		cfg.Format = sources.JSONL
	default:
		return usageError(e.stderr, fmt.Errorf("gen: --format %q: want csv or jsonl", format))
	}
	if err := synth.WriteDir(ctx, out, cfg); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stderr, "chatmigrate: gen interrupted: %v\n", err)
			return exitInterrupted
		}
		fmt.Fprintf(e.stderr, "chatmigrate: %v\n", err)
		if errors.Is(err, synth.ErrConfig) {
			return exitUsage
		}
		return exitFatal
	}
	fmt.Fprintf(e.stdout, "wrote %d topics, %d friend-group memberships, %d conversation-group memberships to %s (seed %d)\n",
		cfg.Topics, cfg.FriendMemberships, cfg.ContactMemberships, out, cfg.Seed)
	return exitOK
}
