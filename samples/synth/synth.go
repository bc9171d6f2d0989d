// Package synth generates large synthetic legacy exports of chatmigrate's three kinds, for the
// benchmarks and for rehearsing a migration at scale. The output is deterministic for a seed
// (math/rand/v2's PCG), skewed the way real chat data is (a few users with thousands of
// friends, many with a handful, empty groups, groups of one user with identical member sets,
// Chinese and emoji names), and every row is valid under docs/vendor-api.md, "Limits", so that
// whatever a benchmark measures is the tool's work and not its error path.
//
// Rows are generated per owner (a user, or a community for topics) from a few integers of
// layout, so memory stays bounded whatever the row count: a million rows never need a million
// strings in memory.
package synth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/chatmigrate/chatmigrate/sources"
)

// Per-owner caps. They keep every generated row valid under docs/vendor-api.md, "Limits": a
// user has at most 3000 friends and 32 friend groups, and at most 20 conversation groups of at
// most 1000 conversations.
const (
	// MaxFriendRowsPerUser bounds one user's friend-group rows: up to 3000 friends, some of
	// them in several groups.
	MaxFriendRowsPerUser = 6000
	// MaxContactRowsPerUser bounds one user's conversation-group rows (20 groups × 1000 allow
	// 20000; real users keep far fewer).
	MaxContactRowsPerUser = 4000
	// MaxTopicsPerGroup bounds the topics of one community, keeping every community well under
	// a topic quota (10037).
	MaxTopicsPerGroup = 100
)

// window is how many owners' rows an unsorted file interleaves at a time. Large enough that a
// reader cannot rely on a user's rows being near each other; small enough to keep the
// generator's memory to a few megabytes.
const window = 4096

// Config says what to generate. Zero counts generate an empty file (a header only, for CSV).
type Config struct {
	Seed int64
	// Topics is the number of topic rows (lines), spread over Groups communities.
	Topics int
	// Groups is the number of communities; 0 means Topics/20 rounded up. At most
	// MaxTopicsPerGroup topics go to one community.
	Groups int
	// FriendMemberships is the number of friend-group memberships: CSV rows, one per (user,
	// group, friend), an empty group's declaration counting as one. JSONL carries the same
	// memberships on fewer lines (one per user, group and chunk of at most 100 friends).
	FriendMemberships int
	// Users is the number of users that own friend groups and conversation groups; 0 means a
	// tenth of the larger of FriendMemberships and ContactMemberships (at least 1).
	Users int
	// ContactMemberships is the number of conversation-group memberships: CSV rows, one per
	// (user, group, conversation). JSONL lines hold up to 100 conversations each.
	ContactMemberships int
	// Format is sources.CSV (the default when 0) or sources.JSONL.
	Format sources.Format
	// Sorted writes each owner's rows together, owners in order. Unsorted interleaves the rows
	// of up to 4096 owners at a time at random, so that a reader must not expect a user's (or
	// a community's) rows to be contiguous.
	Sorted bool
}

// ErrConfig is wrapped by every error about a Config that cannot be generated.
var ErrConfig = errors.New("synth: bad config")

// withDefaults returns cfg with its derived fields filled, or an error when it cannot be
// generated within the limits.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Topics < 0 || cfg.Groups < 0 || cfg.FriendMemberships < 0 || cfg.Users < 0 || cfg.ContactMemberships < 0 {
		return cfg, fmt.Errorf("%w: negative count", ErrConfig)
	}
	if cfg.Format == 0 {
		cfg.Format = sources.CSV
	}
	if cfg.Format != sources.CSV && cfg.Format != sources.JSONL {
		return cfg, fmt.Errorf("%w: unknown format %d", ErrConfig, cfg.Format)
	}
	if cfg.Groups == 0 {
		cfg.Groups = (cfg.Topics + 19) / 20
	}
	if cfg.Users == 0 {
		cfg.Users = max(1, max(cfg.FriendMemberships, cfg.ContactMemberships)/10)
	}
	if cfg.Topics > cfg.Groups*MaxTopicsPerGroup {
		return cfg, fmt.Errorf("%w: %d topics do not fit in %d communities of at most %d", ErrConfig, cfg.Topics, cfg.Groups, MaxTopicsPerGroup)
	}
	if cfg.FriendMemberships > cfg.Users*MaxFriendRowsPerUser {
		return cfg, fmt.Errorf("%w: %d friend memberships do not fit in %d users of at most %d", ErrConfig, cfg.FriendMemberships, cfg.Users, MaxFriendRowsPerUser)
	}
	if cfg.ContactMemberships > cfg.Users*MaxContactRowsPerUser {
		return cfg, fmt.Errorf("%w: %d conversation memberships do not fit in %d users of at most %d", ErrConfig, cfg.ContactMemberships, cfg.Users, MaxContactRowsPerUser)
	}
	return cfg, nil
}

// FileName returns the name WriteDir gives a kind's file: topics.csv, friend_groups.jsonl, ...
func FileName(k sources.Kind, f sources.Format) string {
	if f == sources.JSONL {
		return string(k) + ".jsonl"
	}
	return string(k) + ".csv"
}

// WriteDir writes the three files of cfg into dir (created if missing), named as
// sources.Inputs.AddDir expects. A kind whose count is 0 gets no file.
func WriteDir(ctx context.Context, dir string, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	kinds := []struct {
		kind  sources.Kind
		count int
		write func(context.Context, io.Writer, Config) error
	}{
		{sources.Topics, cfg.Topics, WriteTopics},
		{sources.FriendGroups, cfg.FriendMemberships, WriteFriendGroups},
		{sources.ContactGroups, cfg.ContactMemberships, WriteContactGroups},
	}
	for _, k := range kinds {
		if k.count == 0 {
			continue
		}
		if err := writeFile(ctx, filepath.Join(dir, FileName(k.kind, cfg.Format)), cfg, k.write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(ctx context.Context, path string, cfg Config, write func(context.Context, io.Writer, Config) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := write(ctx, f, cfg); err != nil {
		f.Close()
		return fmt.Errorf("synth: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}
