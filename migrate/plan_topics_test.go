package migrate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/sources"
)

// TestTopicDedupMatchesReference plans topics spread over several files (one skipped for its
// header, malformed rows among them) with many duplicates by TopicId and by TopicName, and
// checks BuildPlan's problems, Units and EachTopic against a dedup by the strings themselves.
func TestTopicDedupMatchesReference(t *testing.T) {
	tests := []struct {
		name           string
		groups, topics int
		rows           int
	}{
		{"few duplicates", 50, 400, 600},
		{"mostly duplicates", 3, 8, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.rows), 7))
			files := map[string]string{"topics.2.csv": "GroupId,Bogus\n@TGS#_g0,x\n"} // header error: skipped
			var csvRows, jsonRows []string
			for i := range tc.rows {
				g := fmt.Sprintf("@TGS#_g%d", r.IntN(tc.groups))
				name := fmt.Sprintf("t%d", r.IntN(tc.topics))
				id := ""
				if r.IntN(2) == 0 {
					id = fmt.Sprintf("%s@TOPIC#_%d", g, r.IntN(tc.topics))
				}
				if i%2 == 0 {
					row := fmt.Sprintf("%s,%s,%s", g, id, name)
					if r.IntN(40) == 0 {
						row = g + ",too few" // malformed
					}
					csvRows = append(csvRows, row)
				} else {
					jsonRows = append(jsonRows, fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"TopicName":%q}`, g, id, name))
				}
			}
			files["topics.1.csv"] = "GroupId,TopicId,TopicName\n" + strings.Join(csvRows, "\n") + "\n"
			files["topics.3.jsonl"] = strings.Join(jsonRows, "\n") + "\n"

			// The reference: every file in name order, valid topics deduplicated by strings.
			var wantDups, wantValid []string
			ids, names := map[string]bool{}, map[string]bool{}
			refFile := func(path string, rows []sources.Topic) {
				for _, tp := range rows {
					if is, _ := validateTopic(&tp, testNow.Unix()); len(is) > 0 {
						continue
					}
					at := fmt.Sprintf("%s:%d", path, tp.Pos.Line)
					idKey, nameKey := tp.GroupId+"\x00"+tp.TopicId, tp.GroupId+"\x00"+tp.TopicName
					switch {
					case tp.TopicId != "" && ids[idKey]:
						wantDups = append(wantDups, at+" TopicId")
					case names[nameKey]:
						wantDups = append(wantDups, at+" TopicName")
					default:
						ids[idKey] = tp.TopicId != ""
						names[nameKey] = true
						wantValid = append(wantValid, at)
					}
				}
			}

			p, probs := planWithHeaderErrors(t, files)
			for _, path := range p.Inputs.Topics {
				refFile(filepath.Base(path), readTopicsFile(t, path))
			}
			var gotDups []string
			for _, pr := range probs {
				if strings.HasPrefix(pr.Reason, "duplicate topic") {
					gotDups = append(gotDups, fmt.Sprintf("%s:%d %s", filepath.Base(pr.Pos.File), pr.Pos.Line, pr.Field))
				}
			}
			if !reflect.DeepEqual(gotDups, wantDups) {
				t.Errorf("duplicates reported:\n%v\nwant:\n%v", gotDups, wantDups)
			}
			if len(wantDups) == 0 || len(wantValid) == 0 {
				t.Fatalf("test input has %d duplicates and %d valid topics: not a test", len(wantDups), len(wantValid))
			}
			if len(p.topicDups) != len(wantDups) {
				t.Errorf("plan lists %d duplicates, want %d", len(p.topicDups), len(wantDups))
			}

			var gotUnits []string
			for i, u := range units(t, p, sources.Topics) {
				if u.Ord != i {
					t.Fatalf("unit %d has Ord %d", i, u.Ord)
				}
				gotUnits = append(gotUnits, fmt.Sprintf("%s:%d", filepath.Base(u.Items[0].Pos.File), u.Items[0].Pos.Line))
			}
			if !reflect.DeepEqual(gotUnits, wantValid) {
				t.Errorf("units:\n%v\nwant:\n%v", gotUnits, wantValid)
			}
			// Twice: each scan replays the decisions from the start.
			for range 2 {
				var gotEach []string
				err := p.EachTopic(context.Background(), func(tp sources.Topic) error {
					gotEach = append(gotEach, fmt.Sprintf("%s:%d", filepath.Base(tp.Pos.File), tp.Pos.Line))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(gotEach, wantValid) {
					t.Errorf("EachTopic:\n%v\nwant:\n%v", gotEach, wantValid)
				}
			}
		})
	}
}

// planWithHeaderErrors is planOf for inputs with files skipped for their header.
func planWithHeaderErrors(t *testing.T, files map[string]string) (*Plan, []Problem) {
	t.Helper()
	p, probs, err := tryPlanOf(t, files, PlanOptions{})
	if p == nil || !isHeaderError(err) {
		t.Fatalf("BuildPlan: %v, want a plan and a header error", err)
	}
	return p, probs
}

// readTopicsFile reads a topics file's well-formed records, or none when its header is wrong.
func readTopicsFile(t *testing.T, path string) []sources.Topic {
	t.Helper()
	var rows []sources.Topic
	err := readRecords(context.Background(), sources.Topics, path, nil, sources.NewTopics,
		func(tp *sources.Topic, re *sources.RowError) error {
			if tp != nil {
				rows = append(rows, *tp)
			}
			return nil
		})
	if err != nil && !isHeaderError(err) {
		t.Fatal(err)
	}
	return rows
}

// TestTopicUnitsInputChanged: Units replays BuildPlan's duplicates by place, so a topics file
// changed after planning must still be caught rather than planned differently.
func TestTopicUnitsInputChanged(t *testing.T) {
	const orig = "GroupId,TopicName\n@TGS#_a,one\n@TGS#_a,one\n@TGS#_a,two\n"
	tests := []struct {
		name, now string
		wantErr   bool
	}{
		{"unchanged", orig, false},
		{"duplicate made distinct", "GroupId,TopicName\n@TGS#_a,one\n@TGS#_a,uno\n@TGS#_a,two\n", true},
		{"duplicate made malformed", "GroupId,TopicName\n@TGS#_a,one\n@TGS#_a\n@TGS#_a,two\n", true},
		{"duplicate made invalid", "GroupId,TopicName\n@TGS#_a,one\n@TGS#_a,\n@TGS#_a,two\n", true},
		{"duplicate moved", "GroupId,TopicName\n@TGS#_a,one\n@TGS#_a,two\n@TGS#_a,one\n", true},
		{"last rows dropped", "GroupId,TopicName\n@TGS#_a,one\n", true},
		{"row added", orig + "@TGS#_a,three\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := planOf(t, map[string]string{"topics.csv": orig}, PlanOptions{})
			if err := os.WriteFile(p.Inputs.Topics[0], []byte(tc.now), 0o644); err != nil {
				t.Fatal(err)
			}
			n := 0
			err := p.Units(context.Background(), sources.Topics, func(*Unit) error { n++; return nil })
			if gotErr := err != nil && strings.Contains(err.Error(), "changed since it was planned"); gotErr != tc.wantErr {
				t.Fatalf("Units after the change: %d units, error %v; want the change reported: %v", n, err, tc.wantErr)
			}
		})
	}
}
