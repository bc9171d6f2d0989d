package sources

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// seed adds every testdata fixture of the format as a seed, whatever its kind: a header or
// line of another kind is a good seed too.
func seed(f *testing.F, ext string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*"+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// fuzzRead checks what must hold for any input: no panic, Next ends, every line is ≥ 1 and
// never goes back, every row error is well formed, and a fatal error is sticky.
func fuzzRead[T Topic | FriendGroup | ContactGroup](t *testing.T, data []byte,
	newFn func(string, io.Reader, Format, bool) (*Reader[T], error), f Format) {
	const name = "fuzz.in"
	r, err := newFn(name, bytes.NewReader(data), f, false)
	if err != nil {
		// A bad header, or a file refused as a whole (one in UTF-16), named after the file.
		var he *HeaderError
		var fe *FileError
		switch {
		case errors.As(err, &he) && he.File == name:
		case errors.As(err, &fe) && fe.File == name:
		default:
			t.Fatalf("open: %v", err)
		}
		return
	}
	defer r.Close()
	last := 1
	// Every record or row error consumes at least one byte, so this bounds a correct reader.
	for i := 0; i <= len(data)+1; i++ {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var line int
		var re *RowError
		switch {
		case err == nil:
			pos := posOf(rec)
			if pos.File != name {
				t.Fatalf("record file %q", pos.File)
			}
			line = pos.Line
		case errors.As(err, &re):
			if re.File != name || !utf8.ValidString(re.Excerpt) || utf8.RuneCountInString(re.Excerpt) > excerptRunes ||
				!utf8.ValidString(re.Reason) {
				t.Fatalf("bad row error %#v", re)
			}
			line = re.Line
		default:
			t.Fatalf("fatal error on an in-memory reader: %v", err)
		}
		if line < last {
			t.Fatalf("line %d after line %d", line, last)
		}
		if line > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("line %d past the end of the input", line)
		}
		last = line
	}
	t.Fatalf("Next did not reach EOF after %d calls", len(data)+2)
}

func FuzzTopicsCSV(f *testing.F) {
	seed(f, ".csv")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, NewTopics, CSV) })
}

func FuzzTopicsJSONL(f *testing.F) {
	seed(f, ".jsonl")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, NewTopics, JSONL) })
}

func FuzzFriendGroupsCSV(f *testing.F) {
	seed(f, ".csv")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, NewFriendGroups, CSV) })
}

func FuzzFriendGroupsJSONL(f *testing.F) {
	seed(f, ".jsonl")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, NewFriendGroups, JSONL) })
}

func FuzzContactGroupsCSV(f *testing.F) {
	seed(f, ".csv")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, NewContactGroups, CSV) })
}

func FuzzContactGroupsJSONL(f *testing.F) {
	seed(f, ".jsonl")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data, NewContactGroups, JSONL) })
}

// TestJSONLNoSilentReplacement: whatever a JSONL line decodes to, its strings are what the line
// held (no silent U+FFFD), checked on the fixtures.
func TestJSONLNoSilentReplacement(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "topics_bad.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewTopics("x.jsonl", bytes.NewReader(data), JSONL, false)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && strings.ContainsRune(rec.TopicName, utf8.RuneError) {
			t.Errorf("line %d: TopicName %q gained U+FFFD", rec.Pos.Line, rec.TopicName)
		}
	}
}
