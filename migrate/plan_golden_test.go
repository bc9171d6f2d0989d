package migrate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/samples/golden"
	"github.com/chatmigrate/chatmigrate/sources"
)

// testNow is the fixed "now" of the golden tests: 2024-01-01T00:00:00Z.
var testNow = time.Unix(1704067200, 0)

// render builds a plan of in and renders every problem, the stats and every unit as text.
func render(t *testing.T, in sources.Inputs, opt PlanOptions) string {
	t.Helper()
	var b strings.Builder
	base := func(p sources.Pos) string { return fmt.Sprintf("%s:%d", filepath.Base(p.File), p.Line) }
	opt.Now = func() time.Time { return testNow }
	opt.OnProblem = func(p Problem) {
		sev := "invalid"
		if p.Warning {
			sev = "warning"
		}
		fmt.Fprintf(&b, "%s %s %s field=%q excerpt=%q reason=%q\n", p.Kind, base(p.Pos), sev, p.Field, p.Excerpt, p.Reason)
	}
	p, err := BuildPlan(context.Background(), in, opt)
	if err != nil {
		msg := err.Error()
		for _, k := range sources.Kinds {
			for _, f := range in.Files(k) {
				msg = strings.ReplaceAll(msg, f, filepath.Base(f))
			}
		}
		fmt.Fprintf(&b, "error: %s\n", msg)
	}
	if p == nil {
		return b.String()
	}
	for _, k := range sources.Kinds {
		st := p.Stats[k]
		fmt.Fprintf(&b, "stats %s records=%d valid=%d invalid=%d warnings=%d units=%d requests=%d items=%d offset=%d\n",
			k, st.Records, st.Valid, st.Invalid, st.Warnings, st.Units, st.Requests, st.Items, p.Offset(k))
	}
	for _, k := range sources.Kinds {
		err := p.Units(context.Background(), k, func(u *Unit) error {
			var req any
			switch {
			case u.Topic != nil:
				req = u.Topic
			case u.Friends != nil:
				req = u.Friends
			case u.Contacts != nil:
				req = contactSummary(u.Contacts)
			}
			j, err := json.Marshal(req)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "unit %d %s key=%q %s %s\n", u.Ord, k, u.Key, u.Endpoint(), j)
			if u.Friends != nil {
				renderFriendWrites(&b, u.Friends) // what the unit sends to an empty target
			}
			if u.Contacts != nil {
				renderContactWrites(&b, u.Contacts) // what the unit sends to an empty target
			}
			for _, it := range u.Items {
				fmt.Fprintf(&b, "  item %s%s\n", base(it.Pos), renderItem(it))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("units %s: %v", k, err)
		}
	}
	return b.String()
}

// TestValidateGolden plans each directory of testdata/validate/ (its files taken by name, as
// the CLI does) and compares the rendered problems and units with its golden.txt.
func TestValidateGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "validate", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var in sources.Inputs
			if err := in.AddDir(dir); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(dir, "golden.txt"), []byte(render(t, in, PlanOptions{})))
		})
	}
}

// TestValidateGenerated covers inputs too big or too binary to keep in testdata/: gzip and a
// 1 MiB line. Their goldens are in testdata/plan/.
func TestValidateGenerated(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	mib := strings.Repeat("界", (1<<20)/3+1)
	cases := []struct {
		name  string
		files map[string][]byte
	}{
		{"gzip", map[string][]byte{
			"topics.csv.gz": gz([]byte("GroupId,TopicName,CreateTime\n@TGS#_g1,话题一,1700000000\n@TGS#_g1,,1\n@TGS#_g2,\"two\nlines\",x\n")),
			"friend_groups.jsonl.gz": gz([]byte(`{"From_Account":"u1","GroupName":"朋友","To_Account":["u2","u3"]}` + "\n" +
				`{"From_Account":"u1","GroupName":"","To_Account":["u2"]}` + "\n")),
			"contact_groups.ndjson.gz": gz([]byte(`{"From_Account":"u1","GroupName":"work","ContactItem":[{"Type":1,"To_Account":"u2"}]}` + "\n")),
		}},
		{"long_line", map[string][]byte{
			"topics.jsonl": []byte(`{"GroupId":"@TGS#_g1","TopicName":"ok"}` + "\n" +
				`{"GroupId":"@TGS#_g1","TopicName":"big","CustomString":"` + mib + `"}` + "\n" +
				`{"GroupId":"@TGS#_g1","TopicName":"after"}` + "\n"),
			"friend_groups.csv": []byte("From_Account,GroupName,To_Account\nu1,\"" + mib + "\",u3\nu1,g,u2\n"),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var in sources.Inputs
			if err := in.AddDir(dir); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "plan", c.name+".txt"), []byte(render(t, in, PlanOptions{})))
		})
	}
}

// renderItem shows an item's non-empty identifying fields.
func renderItem(it Item) string {
	var b strings.Builder
	for _, f := range []struct{ k, v string }{{"GroupId", it.GroupId}, {"TopicName", it.TopicName},
		{"GroupName", it.GroupName}, {"To_Account", it.To_Account}, {"ToGroupId", it.ToGroupId},
		{"Op", it.Op}, {"NewGroupName", it.NewGroupName}} {
		if f.v != "" {
			fmt.Fprintf(&b, " %s=%q", f.k, f.v)
		}
	}
	if it.Type != 0 {
		fmt.Fprintf(&b, " Type=%d", it.Type)
	}
	return b.String()
}
