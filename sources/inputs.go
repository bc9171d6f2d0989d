package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Inputs lists the files of each kind, in the order given.
type Inputs struct {
	Topics        []string
	FriendGroups  []string
	ContactGroups []string
}

// Files returns the files of one kind.
func (in Inputs) Files(k Kind) []string {
	switch k {
	case Topics:
		return in.Topics
	case FriendGroups:
		return in.FriendGroups
	case ContactGroups:
		return in.ContactGroups
	}
	return nil
}

// Empty reports whether no file of any kind is listed.
func (in Inputs) Empty() bool {
	return len(in.Topics)+len(in.FriendGroups)+len(in.ContactGroups) == 0
}

// AddDir adds the files of dir taken by name (CONTRACT.md): topics.*, friend_groups.*,
// contact_groups.*, each with a known format extension. Files of other names are ignored;
// a directory with none of the three is an error, since the user surely meant something.
func (in *Inputs) AddDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read input directory: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	found := 0
	for _, name := range names {
		if _, err := FormatOf(name); err != nil {
			continue
		}
		path := filepath.Join(dir, name)
		switch base := strings.SplitN(name, ".", 2)[0]; Kind(base) {
		case Topics:
			in.Topics = append(in.Topics, path)
		case FriendGroups:
			in.FriendGroups = append(in.FriendGroups, path)
		case ContactGroups:
			in.ContactGroups = append(in.ContactGroups, path)
		default:
			continue
		}
		found++
	}
	if found == 0 {
		return fmt.Errorf("input directory %s: no topics.*, friend_groups.* or contact_groups.* file", dir)
	}
	return nil
}

// Format is an input file's encoding.
type Format int

// The formats. Gzip is orthogonal: see Compressed.
const (
	CSV Format = iota + 1
	JSONL
)

// FormatOf tells a file's format by its extension: .csv, .jsonl or .ndjson, each optionally
// followed by .gz.
func FormatOf(name string) (Format, error) {
	lower := strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".gz"))
	switch filepath.Ext(lower) {
	case ".csv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("%s: unknown format: want .csv, .jsonl or .ndjson, optionally .gz", name)
}

// Compressed reports whether a file name says gzip.
func Compressed(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".gz") }
