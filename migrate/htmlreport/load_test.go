package htmlreport

import (
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

func TestLoadRun(t *testing.T) {
	dir := t.TempDir()
	simulateRun(t, dir)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Notes) > 0 {
		t.Errorf("notes for well-formed files: %v", d.Notes)
	}
	if d.Command != "run" || !d.Finished || d.ExitCode != 3 || d.Target != "sim:1400000000" {
		t.Errorf("head: command %q finished %v exit %d target %q", d.Command, d.Finished, d.ExitCode, d.Target)
	}
	if !d.Updated.Equal(simStart.Add(900 * time.Second)) {
		t.Errorf("Updated = %v, want the summary's finished time", d.Updated)
	}
	wantKinds := []Kind{
		{Name: "topics", Total: 119988, Done: 119940, Failed: 48, Invalid: 12, Requests: 119970, Retries: 3100, Throttled: 2050},
		{Name: "friend_groups", Total: 150000, Done: 141000, Failed: 1300, Skipped: 7700, Requests: 5200, Retries: 1200},
		{Name: "contact_groups", Total: 59997, Done: 58940, Failed: 57, Skipped: 1000, Invalid: 3, Requests: 81000, Retries: 900},
	}
	if !slices.Equal(d.Kinds, wantKinds) {
		t.Errorf("kinds\n got %+v\nwant %+v", d.Kinds, wantKinds)
	}

	if d.Failures.Total != 1300+48+57+12 {
		t.Errorf("failures total %d", d.Failures.Total)
	}
	var codes []string
	for _, c := range d.Failures.Codes {
		codes = append(codes, c.Code)
	}
	if want := []string{"32216", "51007", "10021", "invalid"}; !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v (most first)", codes, want)
	}
	c := d.Failures.Codes[1]
	if c.Count != 57 || c.ByKind["contact_groups"] != 57 || len(c.Examples) != maxExamples {
		t.Errorf("51007: %+v", c)
	}
	if ex := c.Examples[0]; ex.Source != "in/contact_groups.jsonl" || ex.Line != 5 ||
		ex.Item != "From_Account=user0 GroupName=work ToGroupId=@TGS#2abc0" || ex.Message != "not in group, lookup failed" {
		t.Errorf("51007's first example: %+v", ex)
	}
	wantFiles := []string{"failures.csv", "failed_topics.jsonl", "failed_friend_groups.jsonl", "failed_contact_groups.jsonl"}
	if !slices.Equal(d.Failures.Files, wantFiles) {
		t.Errorf("failure files %v, want %v", d.Failures.Files, wantFiles)
	}

	var names []string
	for _, ep := range d.Endpoints {
		names = append(names, ep.Name)
		if !slices.IsSortedFunc(ep.Seconds, func(a, b metrics.Line) int { return a.Time.Compare(b.Time) }) {
			t.Errorf("%s: seconds out of order", ep.Name)
		}
	}
	if want := []string{"group_open_http_svc/import_topic", "million_group_open_http_svc/get_topic",
		"recentcontact/create_contact_group", "sns/group_add"}; !slices.Equal(names, want) {
		t.Errorf("endpoints %v, want %v", names, want)
	}

	v := d.Verify
	if v == nil || len(v.Kinds) != 3 || v.Kinds[2] != (VerifyKind{"contact_groups", 59940, 59930, 0, 4, 6}) {
		t.Fatalf("verify: %+v", v)
	}
	var st []string
	for _, s := range v.Statuses {
		st = append(st, s.Kind+"/"+s.Status+"/"+strconv.Itoa(s.Count))
	}
	if want := []string{"topics/missing/2", "contact_groups/extra/1", "contact_groups/differs/1"}; !slices.Equal(st, want) {
		t.Errorf("verify statuses %v, want %v", st, want)
	}
	if want := []string{"diff.csv", "missing_topics.jsonl"}; !slices.Equal(v.Files, want) {
		t.Errorf("verify files %v, want %v", v.Files, want)
	}
}

func TestLoadRunning(t *testing.T) {
	dir := t.TempDir()
	// A summary of a run still going: exit code -1, no finished time; items given.
	started := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
	writeFile(t, dir, "summary.json", `{"command":"run","started":"`+started.Format(time.RFC3339)+`","finished":"0001-01-01T00:00:00Z","exit_code":-1,
"topics":{"items":1000,"succeeded":200,"failed":50,"skipped":250},
"friend_groups":{"succeeded":10}}`)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Finished {
		t.Error("a summary with exit code -1 loaded as finished")
	}
	topics := d.Kinds[0]
	// 250 settled in about 10 minutes, 500 left: about 20 minutes.
	if topics.Total != 1000 || topics.ETA < 19*time.Minute || topics.ETA > 21*time.Minute {
		t.Errorf("topics: total %d, ETA %v; want 1000 and about 20m", topics.Total, topics.ETA)
	}
	if fg := d.Kinds[1]; fg.Total != 0 || fg.ETA != 0 {
		t.Errorf("friend_groups without items: total %d ETA %v, want both unknown (0)", fg.Total, fg.ETA)
	}
}

func TestLoadOldVerifySummary(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "summary.json", `{"command":"verify","started":"2026-12-01T09:46:00Z","finished":"2026-12-01T09:50:00Z","exit_code":0,
"topics":{"checked":5,"equal":5,"missing":0,"extra":0,"differs":0}}`)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Command != "verify" || d.Verify == nil || len(d.Verify.Kinds) != 1 || d.Verify.Kinds[0].Checked != 5 {
		t.Errorf("verify in summary.json: command %q, verify %+v", d.Command, d.Verify)
	}
	if len(d.Kinds) != 0 {
		t.Errorf("a verify summary gave run progress: %+v", d.Kinds)
	}
}

// TestLoadKilled reads the files a killed run leaves: a torn last row in failures.csv and a
// torn metrics line. Load gives what is there and says what it could not read.
func TestLoadKilled(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "failures.csv", "kind,source,line,code,message\n"+
		"topics,t.csv,2,10021,exists\n"+
		"topics,t.csv,3,10021,\"torn in the mid")
	writeFile(t, dir, "metrics.jsonl", `{"time":"2026-12-01T10:00:00Z","endpoint":"a","requests":3,"ok":3}`+"\n"+`{"time":"2026-12-01T10:00:01Z","endp`)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Failures.Total != 1 || len(d.Failures.Codes) != 1 {
		t.Errorf("failures: %+v", d.Failures)
	}
	if len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "failures.csv") {
		t.Errorf("notes %q, want one about failures.csv (a torn metrics line is expected, no note)", d.Notes)
	}
	if len(d.Endpoints) != 1 || len(d.Endpoints[0].Seconds) != 1 {
		t.Errorf("endpoints: %+v", d.Endpoints)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
		is    error
	}{
		{"no such directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, nil},
		{"a file, not a directory", func(t *testing.T) string {
			dir := t.TempDir()
			writeFile(t, dir, "f", "x")
			return filepath.Join(dir, "f")
		}, nil},
		{"no reports", func(t *testing.T) string {
			dir := t.TempDir()
			writeFile(t, dir, "topics.csv", "GroupId,TopicName\n")
			return dir
		}, ErrNoReports},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.setup(t))
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
		})
	}
}

func TestLoadBadSummary(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "summary.json", `{"command":"run", "topics": [1,2]}`)
	writeFile(t, dir, "failures.csv", "kind,line\n") // no code column
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Notes) != 2 {
		t.Errorf("notes %q, want one for summary.json and one for failures.csv", d.Notes)
	}
}
