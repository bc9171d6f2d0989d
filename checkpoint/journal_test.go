package checkpoint

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func testHeader(units int) Header {
	return Header{Fingerprint: "sha256:abc", Units: units, Tool: "chatmigrate test"}
}

func mustOpen(t testing.TB, path string, hdr Header, opt Options) *Journal {
	t.Helper()
	j, err := Open(path, hdr, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return j
}

func mustAppend(t testing.TB, j *Journal, es ...Entry) {
	t.Helper()
	for _, e := range es {
		if err := j.Append(e); err != nil {
			t.Fatalf("Append(%+v): %v", e, err)
		}
	}
}

func mustClose(t testing.TB, j *Journal) {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func scanAll(t testing.TB, path string) []Entry {
	t.Helper()
	var got []Entry
	if err := Scan(path, func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return got
}

func TestCreateAppendReopen(t *testing.T) {
	tests := []struct {
		name    string
		units   int
		entries []Entry
		want    map[int]State
		counts  map[State]int
	}{
		{"empty plan", 0, nil, nil, map[State]int{}},
		{"nothing appended", 3, nil, map[int]State{0: Pending, 2: Pending}, map[State]int{Pending: 3}},
		{
			"sent then done", 5,
			[]Entry{{Ord: 0, State: Sent}, {Ord: 0, State: Done, Data: json.RawMessage(`{"TopicId":"@TGS#_1"}`)}},
			map[int]State{0: Done, 1: Pending},
			map[State]int{Done: 1, Pending: 4},
		},
		{
			"in doubt", 5,
			[]Entry{{Ord: 3, State: Sent}, {Ord: 4, State: Sent}, {Ord: 4, State: Done}},
			map[int]State{3: Sent, 4: Done},
			map[State]int{Sent: 1, Done: 1, Pending: 3},
		},
		{
			"failed, retried, done", 9,
			[]Entry{{Ord: 7, State: Failed, Data: json.RawMessage(`{"code":10015}`)}, {Ord: 7, State: Sent}, {Ord: 7, State: Done}, {Ord: 8, State: Failed}},
			map[int]State{7: Done, 8: Failed, 6: Pending},
			map[State]int{Done: 1, Failed: 1, Pending: 7},
		},
		{
			"every ord of a byte", 8,
			[]Entry{{Ord: 0, State: Done}, {Ord: 1, State: Failed}, {Ord: 2, State: Sent}, {Ord: 3, State: Done}, {Ord: 4, State: Failed}, {Ord: 5, State: Sent}},
			map[int]State{0: Done, 1: Failed, 2: Sent, 3: Done, 4: Failed, 5: Sent, 6: Pending, 7: Pending},
			map[State]int{Done: 2, Failed: 2, Sent: 2, Pending: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			j := mustOpen(t, path, testHeader(tt.units), Options{})
			if j.Resumed() {
				t.Error("Resumed() = true for a new file")
			}
			mustAppend(t, j, tt.entries...)
			check := func(j *Journal, when string) {
				for ord, st := range tt.want {
					if got := j.State(ord); got != st {
						t.Errorf("%s: State(%d) = %v, want %v", when, ord, got, st)
					}
				}
				got := j.Counts()
				for _, st := range []State{Pending, Sent, Done, Failed} {
					if got[st] != tt.counts[st] {
						t.Errorf("%s: Counts()[%v] = %d, want %d", when, st, got[st], tt.counts[st])
					}
				}
			}
			check(j, "before reopen")
			created := j.Header().Created
			mustClose(t, j)

			j = mustOpen(t, path, testHeader(tt.units), Options{})
			defer mustClose(t, j)
			if !j.Resumed() {
				t.Error("Resumed() = false for an existing file")
			}
			if !j.Header().Created.Equal(created) {
				t.Errorf("Created = %v, want the file's %v", j.Header().Created, created)
			}
			check(j, "after reopen")
		})
	}
}

func TestAppendRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(4), Options{})
	defer mustClose(t, j)
	tests := []struct {
		name string
		e    Entry
	}{
		{"negative ord", Entry{Ord: -1, State: Done}},
		{"ord = units", Entry{Ord: 4, State: Done}},
		{"pending", Entry{Ord: 1, State: Pending}},
		{"unknown state", Entry{Ord: 1, State: 4}},
		{"invalid data", Entry{Ord: 1, State: Done, Data: json.RawMessage(`{"a":`)}},
		{"two values", Entry{Ord: 1, State: Done, Data: json.RawMessage(`1 2`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := j.Append(tt.e); err == nil {
				t.Fatalf("Append(%+v) = nil, want an error", tt.e)
			}
			if got := j.State(1); got != Pending {
				t.Errorf("State(1) = %v after a rejected append", got)
			}
		})
	}
	if got := scanAll(t, path); len(got) != 0 {
		t.Errorf("file holds %v after rejected appends", got)
	}
}

func TestScanStreamsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(10), Options{})
	in := []Entry{
		{Ord: 2, State: Sent},
		{Ord: 2, State: Done, Data: json.RawMessage("{\n  \"TopicId\": \"@TGS#_x\",\n  \"fail\": [1, 2]\n}")},
		{Ord: 9, State: Failed, Data: json.RawMessage(`"no such group"`)},
		{Ord: 0, State: Done, Data: json.RawMessage(`{"s":"line\nbreak \u2028 ünï"}`)},
	}
	mustAppend(t, j, in...)
	mustClose(t, j)

	got := scanAll(t, path)
	want := []Entry{in[0], {Ord: 2, State: Done, Data: json.RawMessage(`{"TopicId":"@TGS#_x","fail":[1,2]}`)}, in[2], in[3]}
	if len(got) != len(want) {
		t.Fatalf("Scan gave %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Ord != want[i].Ord || got[i].State != want[i].State || string(got[i].Data) != string(want[i].Data) {
			t.Errorf("entry %d = {%d %v %s}, want {%d %v %s}", i, got[i].Ord, got[i].State, got[i].Data, want[i].Ord, want[i].State, want[i].Data)
		}
	}

	stop := errors.New("stop")
	n := 0
	err := Scan(path, func(Entry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Scan with a failing fn: err %v after %d calls, want stop after 1", err, n)
	}
}

func TestConcurrentAppend(t *testing.T) {
	const workers, per = 8, 300
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(workers*per), Options{SyncEvery: 7, SyncInterval: time.Millisecond})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				ord := w*per + i
				if err := j.Append(Entry{Ord: ord, State: Sent}); err != nil {
					t.Error(err)
					return
				}
				st := Done
				if i%10 == 0 {
					st = Failed
				}
				if err := j.Append(Entry{Ord: ord, State: st, Data: json.RawMessage(`{"w":1}`)}); err != nil {
					t.Error(err)
					return
				}
				_ = j.State(ord)
				if i%50 == 0 {
					if err := j.Sync(); err != nil {
						t.Error(err)
					}
					_ = j.Counts()
				}
			}
		}()
	}
	wg.Wait()
	mustClose(t, j)

	j = mustOpen(t, path, testHeader(workers*per), Options{})
	defer mustClose(t, j)
	c := j.Counts()
	if c[Failed] != workers*per/10 || c[Done] != workers*per-workers*per/10 || c[Sent] != 0 || c[Pending] != 0 {
		t.Errorf("Counts() = %v", c)
	}
}

func TestClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(2), Options{})
	mustAppend(t, j, Entry{Ord: 0, State: Done})
	mustClose(t, j)
	tests := []struct {
		name string
		call func() error
	}{
		{"Append", func() error { return j.Append(Entry{Ord: 1, State: Done}) }},
		{"Sync", j.Sync},
		{"Close", j.Close},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrClosed) {
				t.Errorf("%s after Close = %v, want ErrClosed", tt.name, err)
			}
		})
	}
	if j.State(0) != Done {
		t.Error("State after Close lost the state")
	}
}

func TestSyncIntervalFlushes(t *testing.T) {
	tests := []struct {
		name    string
		entries int
	}{
		{"one entry", 1},
		// Entries that arrive while an fsync runs must get their own interval.
		{"a stream", 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			j := mustOpen(t, path, testHeader(tt.entries), Options{SyncEvery: 1 << 20, SyncInterval: time.Millisecond})
			defer mustClose(t, j)
			for ord := range tt.entries {
				mustAppend(t, j, Entry{Ord: ord, State: Done})
			}
			// The background group commit must catch up without a Sync call.
			for range 5000 {
				j.mu.Lock()
				synced := j.synced
				j.mu.Unlock()
				if synced == uint64(tt.entries) {
					return
				}
				time.Sleep(time.Millisecond)
			}
			t.Fatal("entries were never fsynced by the interval")
		})
	}
}

func TestSyncEveryFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(10), Options{SyncEvery: 4, SyncInterval: time.Hour})
	defer mustClose(t, j)
	for ord := range 4 {
		mustAppend(t, j, Entry{Ord: ord, State: Done})
	}
	for range 5000 {
		j.mu.Lock()
		synced := j.synced
		j.mu.Unlock()
		if synced >= 4 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("SyncEvery entries were not fsynced")
}
