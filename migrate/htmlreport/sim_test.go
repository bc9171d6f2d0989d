package htmlreport

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/metrics"
)

var simStart = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

// writeFile writes a test file into dir.
func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// simulateRun leaves in dir the files of a run of 15 minutes over four endpoints, as run
// writes them: a metrics log recorded through a metrics.Recorder with a throttle burst on
// import_topic (the limit halves, then climbs back), failures of three codes plus invalid rows, the summary,
// and a verify's summary and diff. It is deterministic.
func simulateRun(t testing.TB, dir string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	now := simStart
	var log bytes.Buffer
	rec := metrics.New(&log, func() time.Time { return now })
	type ep struct {
		name  string
		limit float64
		rate  float64 // requests per second while it has work
		from  int     // second its work starts
		to    int     // second its work ends
		lat   time.Duration
	}
	eps := []*ep{
		{"group_open_http_svc/import_topic", 200, 190, 0, 600, 18 * time.Millisecond},
		{"million_group_open_http_svc/get_topic", 200, 40, 0, 120, 9 * time.Millisecond},
		{"sns/group_add", 200, 180, 60, 840, 25 * time.Millisecond},
		{"recentcontact/create_contact_group", 200, 150, 300, 900, 30 * time.Millisecond},
	}
	const seconds = 900
	for s := range seconds {
		for _, e := range eps {
			if s < e.from || s >= e.to {
				continue
			}
			// A throttle burst on import_topic between 400 s and 430 s: the limit halves and
			// climbs back by 5/s per second.
			burst := e.name == "group_open_http_svc/import_topic" && s >= 300 && s < 330
			if e.name == "group_open_http_svc/import_topic" {
				switch {
				case burst:
					e.limit = 100
				case s >= 330 && e.limit < 200:
					e.limit = min(200, e.limit+5)
				}
			}
			n := int(min(e.rate, e.limit) * (0.85 + 0.15*rng.Float64()))
			for i := range n {
				sent := simStart.Add(time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(n))
				lat := e.lat + time.Duration(rng.ExpFloat64()*float64(e.lat)/3)
				smp := metrics.Sample{Endpoint: e.name, Sent: sent, Latency: lat, Outcome: metrics.OK, Limit: e.limit}
				switch r := rng.Float64(); {
				case burst && r < 0.3:
					smp.Outcome, smp.Code = metrics.Throttled, 60007
				case r < 0.004:
					smp.Outcome, smp.Code = metrics.Transient, 0
				case r < 0.01 && e.name == "sns/group_add":
					smp.Outcome, smp.Code = metrics.Failed, 32216
				}
				smp.Retry = rng.Float64() < 0.02 || (burst && rng.Float64() < 0.3)
				now = sent.Add(lat)
				rec.Record(smp)
			}
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, metrics.FileName, log.String())

	writeFile(t, dir, "summary.json", fmt.Sprintf(`{
  "command": "run",
  "started": %q,
  "finished": %q,
  "target": "sim:1400000000",
  "exit_code": 3,
  "topics": {"records": 120000, "invalid": 12, "requests": 119970, "succeeded": 119940, "failed": 48, "skipped": 0, "retries": 3100, "throttled": 2050},
  "friend_groups": {"records": 150000, "invalid": 0, "requests": 5200, "succeeded": 141000, "failed": 1300, "skipped": 7700, "retries": 1200, "throttled": 0},
  "contact_groups": {"records": 60000, "invalid": 3, "requests": 81000, "succeeded": 58940, "failed": 57, "skipped": 1000, "retries": 900, "throttled": 0}
}
`, simStart.Format(time.RFC3339), simStart.Add(seconds*time.Second).Format(time.RFC3339)))

	var f strings.Builder
	f.WriteString("kind,source,line,From_Account,GroupId,GroupName,To_Account,ToGroupId,TopicName,code,message\n")
	for i := range 1300 {
		fmt.Fprintf(&f, "friend_groups,in/friend_groups.csv,%d,user%d,,close friends,user%d,,,32216,Err_SNS_GroupAdd_Friend_Not_Exist\n", 2+i*7, i, i+9000)
	}
	for i := range 48 {
		fmt.Fprintf(&f, "topics,in/topics.csv,%d,,@TGS#_community%d,,,,topic %d,10021,topic id already used\n", 100+i, i, i)
	}
	for i := range 57 {
		fmt.Fprintf(&f, "contact_groups,in/contact_groups.jsonl,%d,user%d,,work,,@TGS#2abc%d,,51007,\"not in group, lookup failed\"\n", 5+i, i, i)
	}
	for i := range 12 {
		fmt.Fprintf(&f, "topics,in/topics.csv,%d,,@TGS#_c,,,,%s,invalid,TopicName: longer than 30 bytes\n", 9000+i, strings.Repeat("长", 11))
	}
	writeFile(t, dir, "failures.csv", f.String())
	writeFile(t, dir, "failed_friend_groups.jsonl", `{"From_Account":"user0","GroupName":"close friends","To_Account":["user9000"]}`+"\n")
	writeFile(t, dir, "failed_topics.jsonl", `{"GroupId":"@TGS#_community0","TopicName":"topic 0"}`+"\n")
	writeFile(t, dir, "failed_contact_groups.jsonl", `{"From_Account":"user0","GroupName":"work","ContactItem":[{"Type":2,"ToGroupId":"@TGS#2abc0"}]}`+"\n")

	writeFile(t, dir, "verify_summary.json", `{"command":"verify","started":"2026-12-01T09:46:00Z","finished":"2026-12-01T09:50:00Z","exit_code":3,
"topics":{"checked":119940,"equal":119938,"missing":2,"extra":0,"differs":0},
"friend_groups":{"checked":148700,"equal":148700,"missing":0,"extra":0,"differs":0},
"contact_groups":{"checked":59940,"equal":59930,"missing":0,"extra":4,"differs":6}}
`)
	writeFile(t, dir, "diff.csv", "kind,status,From_Account,GroupId,GroupName,member,field,want,got\n"+
		"topics,missing,,@TGS#_community7,,topic 7,,,\n"+
		"topics,missing,,@TGS#_community9,,topic 9,,,\n"+
		"contact_groups,extra,user3,,work,@TGS#2zzz,,,\n"+
		"contact_groups,differs,user4,,work,,GroupName,work,Work\n")
	writeFile(t, dir, "missing_topics.jsonl", `{"GroupId":"@TGS#_community7","TopicName":"topic 7"}`+"\n")
}
