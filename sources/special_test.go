package sources

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGzip reads every good fixture gzip-compressed and expects exactly what the plain file
// gives; corrupt streams must end the file with an error naming it.
func TestGzip(t *testing.T) {
	for _, tt := range []struct {
		file string
		kind Kind
	}{
		{"topics.csv", Topics}, {"topics_bom_crlf.csv", Topics}, {"topics.jsonl", Topics},
		{"friend_groups.csv", FriendGroups}, {"friend_groups.jsonl", FriendGroups},
		{"contact_groups.csv", ContactGroups}, {"contact_groups.jsonl", ContactGroups},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, _ := FormatOf(tt.file)
			plain := readAll(t, tt.kind, tt.file, bytes.NewReader(data), f, false)
			zipped := readAll(t, tt.kind, tt.file, bytes.NewReader(gzipBytes(t, data)), f, true)
			if plain != zipped {
				t.Errorf("gzip output differs:\n%s\nplain:\n%s", zipped, plain)
			}
		})
	}

	data, err := os.ReadFile(filepath.Join("testdata", "topics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	gz := gzipBytes(t, data)
	flipped := bytes.Clone(gz)
	flipped[len(flipped)-6] ^= 0xff // inside the CRC32 trailer: all data decodes, then the check fails
	for _, tt := range []struct {
		name   string
		data   []byte
		atOpen bool
		want   string
	}{
		{"truncated", gz[:len(gz)/2], false, "unexpected EOF"},
		{"bad checksum", flipped, false, "checksum"},
		{"not gzip", data, true, "invalid header"},
		{"empty", nil, true, "EOF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := readAll(t, Topics, "topics.csv.gz", bytes.NewReader(tt.data), CSV, true)
			prefix := "fatal: topics.csv.gz: "
			if tt.atOpen {
				prefix = "open error: topics.csv.gz: "
			}
			if !strings.Contains(out, prefix) || !strings.Contains(out, tt.want) {
				t.Errorf("got\n%s\nwant a line starting %q containing %q", out, prefix, tt.want)
			}
		})
	}
}

// TestLongLines: a 1 MiB line must read whole in both formats (bufio.Scanner's default limit
// is 64 KiB); a JSONL line past maxLine is a row error and the next line still reads, at its
// true line number.
func TestLongLines(t *testing.T) {
	big := strings.Repeat("话", 1<<20/3+1) // just over 1 MiB of UTF-8
	t.Run("csv", func(t *testing.T) {
		in := "GroupId,TopicName,Introduction\n@TGS#_g1,a,\"" + big + "\"\n@TGS#_g1,b,\n"
		r, err := NewTopics("big.csv", strings.NewReader(in), CSV, false)
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, r)
		if len(got) != 2 || got[0].Introduction != big || got[1].Pos.Line != 3 {
			t.Fatalf("got %d records, first intro %d bytes", len(got), len(got[0].Introduction))
		}
	})
	t.Run("jsonl", func(t *testing.T) {
		in := `{"GroupId":"@TGS#_g1","TopicName":"a","Introduction":"` + big + "\"}\n\n" + `{"GroupId":"@TGS#_g1","TopicName":"b"}` + "\n"
		r, err := NewTopics("big.jsonl", strings.NewReader(in), JSONL, false)
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, r)
		if len(got) != 2 || got[0].Introduction != big || got[1].Pos.Line != 3 {
			t.Fatalf("got %d records", len(got))
		}
	})
	t.Run("jsonl over the cap", func(t *testing.T) {
		huge := `{"GroupId":"@TGS#_g1","TopicName":"` + strings.Repeat("x", maxLine) + "\"}\r\n"
		in := `{"GroupId":"@TGS#_g1","TopicName":"a"}` + "\n" + huge + `{"GroupId":"@TGS#_g1","TopicName":"b"}`
		r, err := NewTopics("huge.jsonl", strings.NewReader(in), JSONL, false)
		if err != nil {
			t.Fatal(err)
		}
		out := render(t, r)
		want := "row error: huge.jsonl line 2: line longer than 16 MiB\n"
		if !strings.Contains(out, want) || !strings.Contains(out, `Line:3}, GroupId:"@TGS#_g1", TopicId:"", TopicName:"b"`) {
			t.Errorf("got\n%.600s", out)
		}
	})
	t.Run("jsonl exactly at the cap", func(t *testing.T) {
		pre, post := `{"GroupId":"@TGS#_g1","TopicName":"`, `"}`
		line := pre + strings.Repeat("y", maxLine-len(pre)-len(post)) + post
		r, err := NewTopics("cap.jsonl", strings.NewReader(line+"\r\n"), JSONL, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := collect(t, r); len(got) != 1 || len(got[0].TopicName) != maxLine-len(pre)-len(post) {
			t.Fatalf("a line of exactly maxLine bytes must read")
		}
	})
}

// collect reads all records and fails the test on any error.
func collect[T Topic | FriendGroup | ContactGroup](t *testing.T, r *Reader[T]) []T {
	t.Helper()
	var out []T
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "friend_groups.csv"))
	if err != nil {
		t.Fatal(err)
	}
	gzPath := filepath.Join(dir, "friend_groups.CSV.GZ")
	if err := os.WriteFile(gzPath, gzipBytes(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("gzip by name", func(t *testing.T) {
		r, err := OpenFriendGroups(gzPath)
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, r)
		if len(got) != 5 || got[0].Pos.File != gzPath || got[4].Pos.Line != 6 {
			t.Errorf("got %+v", got)
		}
		if err := r.Close(); err != nil {
			t.Error(err)
		}
		r, err = OpenFriendGroups(gzPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Error(err)
		}
		if _, err := r.Next(); err == nil || errors.Is(err, io.EOF) {
			t.Errorf("Next after Close: %v", err)
		}
		if err := r.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	t.Run("each kind", func(t *testing.T) {
		for _, name := range []string{"topics.csv", "topics.jsonl", "contact_groups.jsonl"} {
			path := filepath.Join("testdata", name)
			var err error
			switch {
			case strings.HasPrefix(name, "topics"):
				var r *Reader[Topic]
				if r, err = OpenTopics(path); err == nil {
					collect(t, r)
					err = r.Close()
				}
			default:
				var r *Reader[ContactGroup]
				if r, err = OpenContactGroups(path); err == nil {
					collect(t, r)
					err = r.Close()
				}
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("header error is typed", func(t *testing.T) {
		_, err := OpenTopics(filepath.Join("testdata", "friend_groups.csv"))
		var he *HeaderError
		if !errors.As(err, &he) || he.File != filepath.Join("testdata", "friend_groups.csv") || he.Column != "GroupName" {
			t.Errorf("got %#v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := OpenContactGroups(filepath.Join(dir, "contact_groups.csv")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		if _, err := OpenTopics(filepath.Join(dir, "topics.xlsx")); err == nil || !strings.Contains(err.Error(), "unknown format") {
			t.Errorf("got %v", err)
		}
	})
}

func TestExcerpt(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"tab\there\nnl\r", `tab\there\nnl\r`},
		{"bad \xff byte", `bad \xff byte`},
		{"zero\u200bwidth \x00 nul", `zero\u200bwidth \u0000 nul`},
		{"中文 and emoji 😀", "中文 and emoji 😀"},
		{strings.Repeat("a", 40), strings.Repeat("a", 40)},
		{strings.Repeat("a", 41), strings.Repeat("a", 39) + "…"},
		{strings.Repeat("话", 100), strings.Repeat("话", 39) + "…"},
		{strings.Repeat("\x01", 20), strings.Repeat(`\u0001`, 6) + "…"},
	} {
		t.Run(fmt.Sprintf("%.12q", tt.in), func(t *testing.T) {
			got := Excerpt(tt.in)
			if got != tt.want {
				t.Errorf("Excerpt(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) || utf8.RuneCountInString(got) > excerptRunes {
				t.Errorf("excerpt %q: invalid or longer than %d runes", got, excerptRunes)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&RowError{File: "topics.csv", Line: 7, Field: "CreateTime", Excerpt: "abc", Reason: "not a number"},
			`topics.csv line 7 field CreateTime: not a number (excerpt "abc")`},
		{&RowError{File: "t.jsonl", Line: 2, Reason: "invalid UTF-8"}, `t.jsonl line 2: invalid UTF-8`},
		{&HeaderError{File: "t.csv", Column: "Owner", Reason: "unknown column"}, `t.csv: header column "Owner": unknown column`},
		{&HeaderError{File: "t.csv", Reason: "bad quote"}, `t.csv: header: bad quote`},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestSamples: the demo exports in ../samples read without a single row error, in both
// formats, and the bad demo file is well-formed too (its one bad row is for validation).
func TestSamples(t *testing.T) {
	root := filepath.Join("..", "samples")
	for _, tt := range []struct {
		path string
		want int
	}{
		{"topics.csv", 18}, {"friend_groups.csv", 25}, {"contact_groups.csv", 18},
		{"jsonl/topics.jsonl", 18}, {"jsonl/friend_groups.jsonl", 14}, {"jsonl/contact_groups.jsonl", 10},
		{"bad/topics.csv", 7},
	} {
		t.Run(tt.path, func(t *testing.T) {
			path := filepath.Join(root, tt.path)
			var n int
			var err error
			switch base := filepath.Base(path); {
			case strings.HasPrefix(base, "topics"):
				var r *Reader[Topic]
				if r, err = OpenTopics(path); err == nil {
					n = len(collect(t, r))
					err = r.Close()
				}
			case strings.HasPrefix(base, "friend_groups"):
				var r *Reader[FriendGroup]
				if r, err = OpenFriendGroups(path); err == nil {
					n = len(collect(t, r))
					err = r.Close()
				}
			default:
				var r *Reader[ContactGroup]
				if r, err = OpenContactGroups(path); err == nil {
					n = len(collect(t, r))
					err = r.Close()
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Errorf("%d records, want %d", n, tt.want)
			}
		})
	}
}
