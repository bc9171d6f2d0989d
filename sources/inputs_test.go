package sources

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func touch(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAddDirExactNames: a directory gives only the exact names of docs/contract.md; every
// other visible file is named as ignored, with the reason.
func TestAddDirExactNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"topics.csv", "friend_groups.jsonl.gz", "contact_groups.ndjson", "Topics.csv",
		"topics.txt", "topics.old.csv", "friend_groups.2019-backup.csv", "users.csv", ".hidden.csv"} {
		touch(t, filepath.Join(dir, n), "")
	}
	os.Mkdir(filepath.Join(dir, "topics.csv.d"), 0o755)
	var in Inputs
	if err := in.AddDir(dir); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range in.List() {
		got = append(got, string(f.Kind)+" "+filepath.Base(f.Path))
	}
	if want := "topics topics.csv,friend_groups friend_groups.jsonl.gz,contact_groups contact_groups.ndjson"; strings.Join(got, ",") != want {
		t.Errorf("taken %q, want %q", strings.Join(got, ","), want)
	}
	reasons := map[string]string{}
	for _, ig := range in.Ignored {
		reasons[filepath.Base(ig.Path)] = ig.Reason
	}
	for name, want := range map[string]string{
		"Topics.csv":                    "other case",
		"topics.txt":                    "other extension",
		"topics.old.csv":                "backup-like",
		"friend_groups.2019-backup.csv": "backup-like",
		"users.csv":                     "not an input name",
	} {
		if !strings.Contains(reasons[name], want) {
			t.Errorf("%s: ignored for %q, want a reason saying %q", name, reasons[name], want)
		}
	}
	if len(in.Ignored) != 5 {
		t.Errorf("ignored %v, want the 5 visible files that are not inputs", in.Ignored)
	}
}

// TestCheck: every problem of the inputs is found before anything is read, each naming its
// file: missing, not regular (a FIFO, a directory), given twice under another path or kind.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.csv")
	touch(t, topics, "GroupId,TopicName\n")
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	os.Mkdir(filepath.Join(dir, "sub.csv"), 0o755)
	for _, tt := range []struct {
		name string
		in   Inputs
		want []string
	}{
		{"fine", Inputs{Topics: []string{topics}}, nil},
		{"missing", Inputs{Topics: []string{filepath.Join(dir, "none.csv")}}, []string{"none.csv: cannot read the input: no such file"}},
		{"fifo", Inputs{Topics: []string{fifo}}, []string{"fifo.csv: not a regular file (a FIFO)"}},
		{"directory", Inputs{Topics: []string{filepath.Join(dir, "sub.csv")}}, []string{"sub.csv: a directory, not a file"}},
		{"twice", Inputs{Topics: []string{topics, filepath.Join(dir, ".", "topics.csv")}}, []string{"the same file as " + topics}},
		{"twice as two kinds", Inputs{Topics: []string{topics}, FriendGroups: []string{topics}}, []string{"given twice"}},
		{"all at once", Inputs{Topics: []string{fifo, topics, topics}, ContactGroups: []string{"x.txt"}},
			[]string{"FIFO", "given twice", "x.txt: unknown format"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Check()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FileError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to say %q", err, w)
				}
			}
		})
	}
}

// TestFormatHints: a file whose content is not what its name says gets a hint in its error.
func TestFormatHints(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		f          Format
		want       string
	}{
		{"utf16", "\xff\xfeG\x00r\x00", CSV, "encoded as UTF-16"},
		{"semicolons", "GroupId;TopicName\n@TGS#_g;a\n", CSV, "separated by ';'"},
		{"jsonl in csv", `{"GroupId":"@TGS#_g","TopicName":"a"}` + "\n", CSV, "holds JSON lines, not CSV: name it .jsonl"},
		{"array in csv", "[\n" + `{"GroupId":"@TGS#_g","TopicName":"a"}` + "\n]\n", CSV, "JSON array"},
		{"array", "[\n  {\n    \"GroupId\": \"@TGS#_g\"\n  }\n]\n", JSONL, "looks like a JSON array"},
		{"pretty object", "{\n  \"GroupId\": \"@TGS#_g\"\n}\n", JSONL, "pretty-printed JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := readAll(t, Topics, "in", strings.NewReader(tt.data), tt.f, false)
			if !strings.Contains(out, tt.want) {
				t.Errorf("got\n%s\nwant it to say %q", out, tt.want)
			}
		})
	}
}
