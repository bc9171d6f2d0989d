package main

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The documents comments and the README cite must be in the repository, under docs/. The
// vendor, contract, library and design notes the project started from live outside it, so a
// citation of one of them by its bare file name points at nothing a reader can open.
var (
	docCite   = regexp.MustCompile(`docs/([\w-]+)\.md`)
	bareCite  = regexp.MustCompile(`\b(API|CONTRACT|LIBRARIES|DESIGN)\.md`)
	outsideRe = regexp.MustCompile(`\.\./shared/`)
	headingRe = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t]*$`)
	fencedRe  = regexp.MustCompile("(?ms)^```.*?^```")
	// commentJoin folds a quoted section name that wraps onto the next comment line.
	commentJoin = regexp.MustCompile(`\s*\n\s*(//)?\s*`)
)

// citation is one mention of a document under docs/: its name (vendor-api for
// docs/vendor-api.md), the section it names in quotes right after it ("" for none), and where
// it starts in the text.
type citation struct {
	doc, section string
	offset       int
}

// maxSectionLen bounds a quoted section name, so that a stray quote far away is not read as one.
const maxSectionLen = 120

// docCitations finds the docs/ citations of text. A section is the quoted string that follows
// the file name after nothing but spaces, line breaks, comment slashes, a comma, a bracket or a
// backtick: `docs/vendor-api.md, "Limits"`, or the same wrapped onto the next comment line.
func docCitations(text string) []citation {
	var out []citation
	for _, m := range docCite.FindAllStringSubmatchIndex(text, -1) {
		c := citation{doc: text[m[2]:m[3]], offset: m[0]}
		rest := strings.TrimLeft(text[m[1]:], " \t\r\n/,()[]`")
		if q, ok := strings.CutPrefix(rest, `"`); ok {
			if end := strings.IndexByte(q, '"'); end > 0 && end <= maxSectionLen {
				c.section = commentJoin.ReplaceAllString(q[:end], " ")
			}
		}
		out = append(out, c)
	}
	return out
}

// outsideCitations returns the offsets of citations of documents that are not in the
// repository: one of the starting notes by its bare name (not under docs/), or anything under
// the shared directory beside the repository.
func outsideCitations(text string) []int {
	var out []int
	for _, m := range bareCite.FindAllStringIndex(text, -1) {
		// A name under docs/ is checked as a citation; one in the shared directory is reported below.
		if before := text[:m[0]]; !strings.HasSuffix(before, "docs/") && !strings.HasSuffix(before, "shared/") {
			out = append(out, m[0])
		}
	}
	for _, m := range outsideRe.FindAllStringIndex(text, -1) {
		out = append(out, m[0])
	}
	slices.Sort(out)
	return out
}

// headings returns the text of every Markdown heading of doc, outside fenced code blocks
// (where a line starting with # is a shell comment).
func headings(doc string) []string {
	var out []string
	for _, m := range headingRe.FindAllStringSubmatch(fencedRe.ReplaceAllString(doc, ""), -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDocCitations(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []citation
	}{
		{"plain", "see docs/contract.md for the names", []citation{{"contract", "", 4}}},
		{"section", `// Limits (docs/vendor-api.md, "Limits").`, []citation{{"vendor-api", "Limits", 11}}},
		{"section without comma", `docs/libraries.md "JSONL"`, []citation{{"libraries", "JSONL", 0}}},
		{"wrapped section", "// (docs/vendor-api.md, \"What the vendor\n// leaves open\")",
			[]citation{{"vendor-api", "What the vendor leaves open", 4}}},
		{"code span", "(`docs/contract.md`, \"Output\")", []citation{{"contract", "Output", 2}}},
		{"quote after words is no section", `docs/contract.md says "hello"`, []citation{{"contract", "", 0}}},
		{"two", "docs/" + `a.md, "X" and docs/` + "b.md", []citation{{"a", "X", 0}, {"b", "", 19}}},
		{"none", "nothing here", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := docCitations(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("docCitations(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestOutsideCitations(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []int
	}{
		{"bare vendor notes", "the class table (API" + ".md)", []int{17}},
		{"bare contract", "CONTRACT" + ".md says", []int{0}},
		{"shared path", "../" + "shared/API" + ".md", []int{0}},
		{"docs path", "docs/API" + ".md", nil},
		{"other word", "MYAPI" + ".md and README.md", nil},
		{"repository docs", "docs/vendor-api.md", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outsideCitations(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("outsideCitations(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestHeadings(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"levels", "# Title\ntext\n## Limits\n### How  it goes \n", []string{"Title", "Limits", "How  it goes"}},
		{"not a heading", "#hashtag\ntext # Limits\n", nil},
		{"code block", "## Real\n```sh\n# a shell comment\n```\n## After\n", []string{"Real", "After"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := headings(tt.doc); !slices.Equal(got, tt.want) {
				t.Errorf("headings(%q) = %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}

// TestCitedDocsExist checks every .go file of the module, the README and the docs themselves:
// each docs/ citation names a file that exists and, when it names a section, a heading of
// that file; and nothing cites a document that lives outside the repository.
func TestCitedDocsExist(t *testing.T) {
	root := moduleRoot(t)
	files := citingFiles(t, root)
	if len(files) < 10 {
		t.Fatalf("found only %d files to check under %s", len(files), root)
	}
	docHeadings := make(map[string][]string) // doc name → headings; nil: no such file
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, off := range outsideCitations(text) {
			t.Errorf("%s:%d: cites a document outside the repository (%q): cite docs/<name>.md instead",
				rel, lineOf(b, off), excerptAt(text, off))
		}
		for _, c := range docCitations(text) {
			hs, seen := docHeadings[c.doc]
			if !seen {
				doc, err := os.ReadFile(filepath.Join(root, "docs", c.doc+".md"))
				switch {
				case errors.Is(err, fs.ErrNotExist):
				case err != nil:
					t.Fatal(err)
				default:
					hs = headings(string(doc))
				}
				docHeadings[c.doc] = hs
			}
			switch {
			case hs == nil:
				t.Errorf("%s:%d: cites docs/%s.md, which does not exist", rel, lineOf(b, c.offset), c.doc)
			case c.section != "" && !slices.Contains(hs, c.section):
				t.Errorf("%s:%d: cites section %q of docs/%s.md, which has no such heading (it has %q)",
					rel, lineOf(b, c.offset), c.section, c.doc, hs)
			}
		}
	}
}

// moduleRoot returns the directory of go.mod above the test's working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// citingFiles lists, relative to root, the README, the docs and every .go file outside
// hidden directories and testdata.
func citingFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".go") || rel == "README.md" || (strings.HasPrefix(rel, "docs/") && strings.HasSuffix(rel, ".md")) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lineOf returns the 1-based line of offset off in b.
func lineOf(b []byte, off int) int { return bytes.Count(b[:off], []byte("\n")) + 1 }

// excerptAt returns the rest of the line that starts at offset off.
func excerptAt(text string, off int) string {
	sc := bufio.NewScanner(strings.NewReader(text[off:]))
	if sc.Scan() {
		return sc.Text()
	}
	return ""
}
