package htmlreport

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden.html")

// goldenData is a small fixed report with hostile strings where input reaches the page.
func goldenData() Data {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var secs []metrics.Line
	for i := range 20 {
		l := metrics.Line{Time: start.Add(time.Duration(i) * time.Second), Endpoint: "sns/group_add",
			Requests: 150 + i, OK: 150 + i, Limit: 200, Hist: [][2]int64{{9215, int64(100 + i)}, {20479, 50}}}
		if i >= 8 && i < 12 {
			l.Throttled, l.Retries, l.Limit = 30, 25, 100
		}
		secs = append(secs, l)
	}
	topic := []metrics.Line{
		{Time: start, Endpoint: "group_open_http_svc/import_topic", Requests: 10, OK: 10, Hist: [][2]int64{{5119, 10}}},
		{Time: start.Add(5 * time.Second), Endpoint: "group_open_http_svc/import_topic", Requests: 12, OK: 11, Failed: 1, Hist: [][2]int64{{5119, 12}}},
	}
	return Data{
		Command: "run", Target: "https://adminapisgp.im.qcloud.com", Started: start, Updated: start.Add(20 * time.Second),
		Finished: true, ExitCode: 3,
		Kinds: []Kind{
			{Name: "topics", Total: 22, Done: 21, Failed: 1, Requests: 22},
			{Name: "friend_groups", Total: 4000, Done: 3000, Failed: 20, Skipped: 500, ETA: 90 * time.Second, Requests: 3170, Retries: 100, Throttled: 120},
			{Name: "contact_groups"},
		},
		Endpoints: []Endpoint{{Name: "group_open_http_svc/import_topic", Seconds: topic}, {Name: "sns/group_add", Seconds: secs}},
		Failures: Failures{Total: 23, Files: []string{"failures.csv", "failed_friend_groups.jsonl"}, Codes: []CodeCount{
			{Code: "32216", Count: 20, ByKind: map[string]int{"friend_groups": 20}, Examples: []Failure{
				{Kind: "friend_groups", Source: "in/friends.csv", Line: 7, Item: "From_Account=u1 GroupName=<b>g</b>", Message: `<script>alert("x")</script>`},
			}},
			{Code: "10021", Count: 2, ByKind: map[string]int{"topics": 2}},
			{Code: "invalid", Count: 1, ByKind: map[string]int{"topics": 1}, Examples: []Failure{
				{Kind: "topics", Source: "in/t&t.csv", Line: 3, Message: "TopicName: empty"}}},
		}},
		Verify: &Verify{
			Kinds:    []VerifyKind{{Name: "topics", Checked: 21, Equal: 20, Missing: 1}},
			Statuses: []StatusCount{{Kind: "topics", Status: "missing", Count: 1, Examples: []Diff{{GroupId: "@TGS#_c", Member: "t\"1"}}}},
			Files:    []string{"diff.csv"},
		},
		Notes: []string{"metrics.jsonl: line 9: <bad>"},
	}
}

func TestGolden(t *testing.T) {
	got, err := Render(goldenData())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden.html")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report.html differs from %s (rerun with -update if the change is meant); got:\n%s", path, got)
	}
}

// TestEscaped checks that text from the input reaches the page as text, never as markup.
func TestEscaped(t *testing.T) {
	b, err := Render(goldenData())
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, bad := range []string{`<script>alert`, `<b>g</b>`, `<bad>`, `t&t.csv`} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q unescaped", bad)
		}
	}
	for _, good := range []string{`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`, `in/t&amp;t.csv:3`, `&lt;bad&gt;`} {
		if !strings.Contains(page, good) {
			t.Errorf("page lacks the escaped %q", good)
		}
	}
}

// offlineRefs matches what would make a browser fetch something: scripts, stylesheets,
// images, fonts, frames, CSS imports and url() references, and any absolute URL in an
// attribute.
var offlineRefs = regexp.MustCompile(`(?i)<script|<link|<img|<iframe|<object|<embed|@import|url\(|\s(src|href|xlink:href)="(https?:)?//`)

func TestSelfContained(t *testing.T) {
	dir := t.TempDir()
	simulateRun(t, dir)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, d); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if m := offlineRefs.FindAllString(string(b), 5); m != nil {
		t.Errorf("page references outside content: %q", m)
	}
	for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(string(b), -1) {
		if _, err := os.Stat(filepath.Join(dir, href[1])); err != nil {
			t.Errorf("link to %q, which is not in the directory: %v", href[1], err)
		}
	}
	// Every endpoint has its three charts, each with data.
	charts := regexp.MustCompile(`<svg class="chart (\w+)" data-kind="\w+" data-points="(\d+)"`).FindAllStringSubmatch(string(b), -1)
	if len(charts) != 3*len(d.Endpoints) {
		t.Errorf("%d charts, want %d", len(charts), 3*len(d.Endpoints))
	}
	for _, c := range charts {
		if c[2] == "0" {
			t.Errorf("a %s chart without points", c[1])
		}
	}
	if n := strings.Count(string(b), `class="bar throttled"`); n == 0 {
		t.Error("no throttle bars, though the run had a throttle burst")
	}
	if !strings.Contains(string(b), "not friends yet: import the friendships first") {
		t.Error("32216 is not explained in plain words")
	}
	if fi, _ := os.Stat(filepath.Join(dir, FileName)); fi.Size() > 400<<10 {
		t.Errorf("page is %d bytes for a 15-minute run: charts should be bucketed", fi.Size())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".report.html.tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Data{Command: "run"}); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Data{Command: "verify"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !strings.Contains(string(b), "chatmigrate verify report") {
		t.Error("the second Write did not replace the page")
	}
	if err := Write(filepath.Join(dir, "missing"), Data{}); err == nil {
		t.Error("Write into a missing directory: no error")
	}
}

func TestLiveRefresh(t *testing.T) {
	for _, live := range []bool{false, true} {
		b, err := Render(Data{Command: "run", Live: live})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), `http-equiv="refresh"`); got != live {
			t.Errorf("Live %v: refresh tag present = %v", live, got)
		}
	}
}

func TestRoundDur(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{0, "0s"}, {30 * time.Second, "30s"}, {90 * time.Second, "1m30s"}, {3*time.Hour + 59*time.Second, "3h01m"}} {
		if got := roundDur(tt.d); got != tt.want {
			t.Errorf("roundDur(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
