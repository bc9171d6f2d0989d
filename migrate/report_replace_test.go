package migrate

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/sources"
)

// TestReportsReplaceAtomically: opening the reports puts new files in place by rename and
// never truncates the old ones, so that a command still reading them (verify reading
// topic_ids.csv) reads them whole; validate's reports leave run's files alone.
func TestReportsReplaceAtomically(t *testing.T) {
	dir := t.TempDir()
	ids := filepath.Join(dir, TopicIDsFile)
	old := "GroupId,TopicName,TopicId,source,line\n@TGS#_g,a,@TGS#_g@TOPIC#_1,topics.csv,2\n"
	if err := os.WriteFile(ids, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(ids)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	v, err := OpenValidateReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Problem(Problem{Kind: sources.Topics, Item: Item{GroupId: "@TGS#_g"}}); err != nil {
		t.Fatal(err)
	}
	if err := v.WriteSummary(&Summary{Command: CommandValidate}); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ValidateFailuresFile, ValidateSummaryFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("validate's %s: %v", name, err)
		}
	}
	for _, name := range []string{FailuresFile, SummaryFile, FailedFile(sources.Topics)} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("validate wrote run's %s", name)
		}
	}
	if got := readFile(t, ids); got != old {
		t.Fatalf("validate changed topic_ids.csv:\n%s", got)
	}

	r, err := OpenReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := io.ReadAll(reader); err != nil || string(got) != old {
		t.Errorf("a reader of the old topic_ids.csv got %q, %v: want it whole", got, err)
	}
	if got := readFile(t, ids); got != "GroupId,TopicName,TopicId,source,line\n" {
		t.Errorf("new topic_ids.csv: %q, want the header alone", got)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
