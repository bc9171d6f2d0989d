package sources

import (
	"errors"
	"fmt"
	"io/fs"
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

	// Ignored lists the files of the directories given to AddDir that are not inputs, with
	// the reason, so that a command can say what it did not read.
	Ignored []Ignored
}

// Ignored is a file of an input directory that is not read.
type Ignored struct {
	Path   string
	Reason string
}

// File is one input file and the kind it is read as.
type File struct {
	Kind Kind
	Path string // as given
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

// List returns every input file, the kinds in the order of Kinds.
func (in Inputs) List() []File {
	var fs []File
	for _, k := range Kinds {
		for _, p := range in.Files(k) {
			fs = append(fs, File{Kind: k, Path: p})
		}
	}
	return fs
}

// Empty reports whether no file of any kind is listed.
func (in Inputs) Empty() bool {
	return len(in.Topics)+len(in.FriendGroups)+len(in.ContactGroups) == 0
}

// AddDir adds the files of dir taken by exact name (docs/contract.md, "Commands"): topics,
// friend_groups or contact_groups, each .csv, .jsonl or .ndjson, optionally .gz, all lower
// case. Every other regular file that is not hidden goes to Ignored with the reason: a
// near miss (Topics.csv, topics.txt, topics.old.csv) is read by nobody, and the user should
// hear so rather than find the data missing. A directory with none of the three is an
// error, since the user surely meant something.
func (in *Inputs) AddDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &FileError{File: dir, Reason: "cannot read the input directory", Err: err}
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	found := 0
	for _, name := range names {
		path := filepath.Join(dir, name)
		k, reason := kindByName(name)
		switch k {
		case Topics:
			in.Topics = append(in.Topics, path)
		case FriendGroups:
			in.FriendGroups = append(in.FriendGroups, path)
		case ContactGroups:
			in.ContactGroups = append(in.ContactGroups, path)
		default:
			in.Ignored = append(in.Ignored, Ignored{Path: path, Reason: reason})
			continue
		}
		found++
	}
	if found == 0 {
		return &FileError{File: dir, Reason: "no topics, friend_groups or contact_groups file (.csv, .jsonl or .ndjson, optionally .gz) in the input directory"}
	}
	return nil
}

// inputExts are the extensions of an input file, in the order of docs/contract.md.
var inputExts = []string{".csv", ".jsonl", ".ndjson", ".csv.gz", ".jsonl.gz", ".ndjson.gz"}

// kindByName returns the kind a directory entry is an input of, or "" and why it is not.
func kindByName(name string) (Kind, string) {
	for _, k := range Kinds {
		for _, ext := range inputExts {
			if name == string(k)+ext {
				return k, ""
			}
		}
	}
	lower := strings.ToLower(name)
	for _, k := range Kinds {
		for _, ext := range inputExts {
			if lower == string(k)+ext {
				return "", fmt.Sprintf("other case: an input is named %s exactly", string(k)+ext)
			}
		}
	}
	for _, k := range Kinds {
		rest, ok := strings.CutPrefix(lower, string(k))
		if !ok {
			continue
		}
		if strings.HasPrefix(rest, ".") && !strings.Contains(rest[1:], ".") {
			return "", fmt.Sprintf("other extension: an input is %s.csv, .jsonl or .ndjson, optionally .gz", k)
		}
		return "", fmt.Sprintf("a backup-like name: a directory gives only %s.csv, .jsonl or .ndjson (optionally .gz); give the file itself as %s input to read it", k, k)
	}
	return "", "not an input name: topics, friend_groups or contact_groups with .csv, .jsonl or .ndjson, optionally .gz"
}

// Check looks at every input file before anything is read and returns every problem found,
// joined, each a *FileError: a file that is missing or cannot be opened, one that is not a
// regular file, one whose format is unknown, and one given twice (the same device and inode,
// under any path or kind).
//
// A FIFO, a device or a directory is refused rather than read: topics are read more than
// once, which a stream cannot do, and opening a FIFO no one writes to would wait forever.
func (in Inputs) Check() error {
	var errs []error
	type seen struct {
		path string
		info fs.FileInfo
	}
	var done []seen
	for _, f := range in.List() {
		if _, err := FormatOf(f.Path); err != nil {
			errs = append(errs, &FileError{File: f.Path, Reason: "unknown format: want .csv, .jsonl or .ndjson, optionally .gz"})
			continue
		}
		info, err := os.Stat(f.Path)
		if err != nil {
			errs = append(errs, &FileError{File: f.Path, Reason: "cannot read the input", Err: err})
			continue
		}
		if !info.Mode().IsRegular() {
			errs = append(errs, &FileError{File: f.Path, Reason: notRegular(info.Mode())})
			continue
		}
		dup := false
		for _, s := range done {
			if os.SameFile(s.info, info) {
				errs = append(errs, &FileError{File: f.Path, Reason: fmt.Sprintf("the same file as %s, given twice: give each file once", s.path)})
				dup = true
				break
			}
		}
		if !dup {
			done = append(done, seen{f.Path, info})
		}
	}
	return errors.Join(errs...)
}

// notRegular says why a file that is not regular is refused, and what to give instead.
func notRegular(m fs.FileMode) string {
	if m.IsDir() {
		return "a directory, not a file: a directory of inputs is given as a directory, whose files are taken by name"
	}
	what := "a " + m.Type().String() + " file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return "not a regular file (" + what + "): every input is read more than once; copy the stream to a file and give that"
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
