package migrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/sources"
)

// TestDrainReadAhead: the read-ahead goroutine hands fn every record and malformed row in file
// order, across many batches; fn may keep the pointers; an error of fn or a cancelled ctx
// stops the read at once and drain returns only when the reader has stopped (the race
// detector would see rd used after).
func TestDrainReadAhead(t *testing.T) {
	const rows = 3*drainBatch*drainAhead + 17
	var b strings.Builder
	b.WriteString("GroupId,TopicName\n")
	for i := range rows {
		if i%100 == 7 {
			b.WriteString("@TGS#_g,x,extra\n") // malformed: a field too many
			continue
		}
		fmt.Fprintf(&b, "@TGS#_g,t%d\n", i)
	}
	path := filepath.Join(t.TempDir(), "topics.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	for _, tc := range []struct {
		name    string
		stopAt  int  // fn fails at this call (0: never)
		cancel  bool // cancel ctx at stopAt instead
		wantErr error
	}{
		{"all", 0, false, nil},
		{"fn fails in the first batch", 10, false, stop},
		{"fn fails later", 2*drainBatch + 3, false, stop},
		{"cancelled", drainBatch + 1, true, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var kept []*sources.Topic
			calls, malformed := 0, 0
			err := readRecords(ctx, sources.Topics, path, nil, sources.NewTopics, func(tp *sources.Topic, re *sources.RowError) error {
				calls++
				if re != nil {
					malformed++
				} else {
					kept = append(kept, tp)
				}
				if calls == tc.stopAt {
					if tc.cancel {
						cancel()
						return nil
					}
					return stop
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if tc.stopAt > 0 && calls > tc.stopAt+drainBatch {
				t.Errorf("fn called %d times after a stop at %d", calls, tc.stopAt)
			}
			if wantBad := (rows + 92) / 100; tc.wantErr == nil && (malformed != wantBad || len(kept) != rows-wantBad) {
				t.Errorf("%d records and %d malformed rows, want %d and %d", len(kept), malformed, rows-wantBad, wantBad)
			}
			last := -1
			for _, tp := range kept { // in file order, and still intact
				var n int
				if _, err := fmt.Sscanf(tp.TopicName, "t%d", &n); err != nil || n <= last {
					t.Fatalf("record %q after t%d", tp.TopicName, last)
				}
				if want := fmt.Sprintf("t%d", n); tp.TopicName != want || tp.GroupId != "@TGS#_g" {
					t.Fatalf("kept record changed: %+v", tp)
				}
				last = n
			}
		})
	}
}
