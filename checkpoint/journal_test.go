package checkpoint

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func testHeader() Header {
	return Header{Tool: "chatmigrate test"}
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

// bigKey is a key whose every hex digit is used, so that a key is seen to survive the file in
// all of its 64 bits.
const bigKey = 0xfedcba9876543210

func TestCreateAppendReopen(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		want    map[uint64]State
		counts  map[State]int
	}{
		{"nothing appended", nil, map[uint64]State{0: Pending, 2: Pending}, map[State]int{}},
		{
			"sent then done",
			[]Entry{{Key: 0, State: Sent}, {Key: 0, State: Done, Data: json.RawMessage(`{"TopicId":"@TGS#_1"}`)}},
			map[uint64]State{0: Done, 1: Pending},
			map[State]int{Done: 1},
		},
		{
			"in doubt",
			[]Entry{{Key: 3, State: Sent}, {Key: bigKey, State: Sent}, {Key: bigKey, State: Done}},
			map[uint64]State{3: Sent, bigKey: Done, bigKey - 1: Pending},
			map[State]int{Sent: 1, Done: 1},
		},
		{
			"failed, retried, done",
			[]Entry{{Key: 7, State: Failed, Data: json.RawMessage(`{"code":10015}`)}, {Key: 7, State: Sent}, {Key: 7, State: Done}, {Key: 8, State: Failed}},
			map[uint64]State{7: Done, 8: Failed, 6: Pending},
			map[State]int{Done: 1, Failed: 1},
		},
		{
			"extreme keys",
			[]Entry{{Key: 0, State: Done}, {Key: 1<<64 - 1, State: Failed}, {Key: 1 << 63, State: Sent}},
			map[uint64]State{0: Done, 1<<64 - 1: Failed, 1 << 63: Sent, 1<<63 - 1: Pending},
			map[State]int{Done: 1, Failed: 1, Sent: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			j := mustOpen(t, path, testHeader(), Options{})
			if j.Resumed() {
				t.Error("Resumed() = true for a new file")
			}
			mustAppend(t, j, tt.entries...)
			// State tells what the file held when opened: this run's appends are the
			// caller's to know.
			for key := range tt.want {
				if got := j.State(key); got != Pending {
					t.Errorf("before reopen: State(%x) = %v, want pending", key, got)
				}
			}
			created := j.Header().Created
			mustClose(t, j)

			j = mustOpen(t, path, testHeader(), Options{})
			defer mustClose(t, j)
			if !j.Resumed() {
				t.Error("Resumed() = false for an existing file")
			}
			if !j.Header().Created.Equal(created) {
				t.Errorf("Created = %v, want the file's %v", j.Header().Created, created)
			}
			for key, st := range tt.want {
				if got := j.State(key); got != st {
					t.Errorf("after reopen: State(%x) = %v, want %v", key, got, st)
				}
			}
			got := j.Counts()
			for _, st := range []State{Sent, Done, Failed} {
				if got[st] != tt.counts[st] {
					t.Errorf("after reopen: Counts()[%v] = %d, want %d", st, got[st], tt.counts[st])
				}
			}
		})
	}
}

// TestManyKeys: the key table keeps every key through its growth.
func TestManyKeys(t *testing.T) {
	const n = 5000
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	for i := range uint64(n) {
		mustAppend(t, j, Entry{Key: i << 40, State: Sent}, Entry{Key: i << 40, State: State(2 + i%2)})
	}
	mustClose(t, j)
	j = mustOpen(t, path, testHeader(), Options{})
	defer mustClose(t, j)
	for i := range uint64(n) {
		if got, want := j.State(i<<40), State(2+i%2); got != want {
			t.Fatalf("State(%x) = %v, want %v", i<<40, got, want)
		}
		if got := j.State(i<<40 + 1); got != Pending {
			t.Fatalf("State(%x) = %v, want pending", i<<40+1, got)
		}
	}
	if c := j.Counts(); c[Done] != n/2 || c[Failed] != n/2 || c[Sent] != 0 {
		t.Errorf("Counts() = %v", c)
	}
}

func TestAppendRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	defer mustClose(t, j)
	tests := []struct {
		name string
		e    Entry
	}{
		{"pending", Entry{Key: 1, State: Pending}},
		{"unknown state", Entry{Key: 1, State: 4}},
		{"invalid data", Entry{Key: 1, State: Done, Data: json.RawMessage(`{"a":`)}},
		{"two values", Entry{Key: 1, State: Done, Data: json.RawMessage(`1 2`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := j.Append(tt.e); err == nil {
				t.Fatalf("Append(%+v) = nil, want an error", tt.e)
			}
		})
	}
	if got := scanAll(t, path); len(got) != 0 {
		t.Errorf("file holds %v after rejected appends", got)
	}
}

func TestScanStreamsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	in := []Entry{
		{Key: 2, State: Sent},
		{Key: 2, State: Done, Data: json.RawMessage("{\n  \"TopicId\": \"@TGS#_x\",\n  \"fail\": [1, 2]\n}")},
		{Key: bigKey, State: Failed, Data: json.RawMessage(`"no such group"`)},
		{Key: 0, State: Done, Data: json.RawMessage(`{"s":"line\nbreak \u2028 ünï"}`)},
	}
	mustAppend(t, j, in...)
	mustClose(t, j)

	got := scanAll(t, path)
	want := []Entry{in[0], {Key: 2, State: Done, Data: json.RawMessage(`{"TopicId":"@TGS#_x","fail":[1,2]}`)}, in[2], in[3]}
	if len(got) != len(want) {
		t.Fatalf("Scan gave %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Key != want[i].Key || got[i].State != want[i].State || string(got[i].Data) != string(want[i].Data) {
			t.Errorf("entry %d = {%x %v %s}, want {%x %v %s}", i, got[i].Key, got[i].State, got[i].Data, want[i].Key, want[i].State, want[i].Data)
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
	j := mustOpen(t, path, testHeader(), Options{SyncEvery: 7, SyncInterval: time.Millisecond})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				ord := uint64(w*per + i)
				if err := j.Append(Entry{Key: ord, State: Sent}); err != nil {
					t.Error(err)
					return
				}
				st := Done
				if i%10 == 0 {
					st = Failed
				}
				if err := j.Append(Entry{Key: ord, State: st, Data: json.RawMessage(`{"w":1}`)}); err != nil {
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

	j = mustOpen(t, path, testHeader(), Options{})
	defer mustClose(t, j)
	c := j.Counts()
	if c[Failed] != workers*per/10 || c[Done] != workers*per-workers*per/10 || c[Sent] != 0 {
		t.Errorf("Counts() = %v", c)
	}
}

func TestClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	mustAppend(t, j, Entry{Key: 0, State: Done})
	mustClose(t, j)
	tests := []struct {
		name string
		call func() error
	}{
		{"Append", func() error { return j.Append(Entry{Key: 1, State: Done}) }},
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
	j = mustOpen(t, path, testHeader(), Options{})
	mustClose(t, j)
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
			j := mustOpen(t, path, testHeader(), Options{SyncEvery: 1 << 20, SyncInterval: time.Millisecond})
			defer mustClose(t, j)
			for key := range uint64(tt.entries) {
				mustAppend(t, j, Entry{Key: key, State: Done})
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
	j := mustOpen(t, path, testHeader(), Options{SyncEvery: 4, SyncInterval: time.Hour})
	defer mustClose(t, j)
	for key := range uint64(4) {
		mustAppend(t, j, Entry{Key: key, State: Done})
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
