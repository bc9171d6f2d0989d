package checkpoint

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeJournal creates a journal with es and returns the file's bytes and the offset where
// the last entry starts.
func writeJournal(t *testing.T, path string, es []Entry) ([]byte, int64) {
	t.Helper()
	j := mustOpen(t, path, testHeader(), Options{})
	mustAppend(t, j, es[:len(es)-1]...)
	j.mu.Lock()
	last := j.size
	j.mu.Unlock()
	mustAppend(t, j, es[len(es)-1])
	mustClose(t, j)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, last
}

func TestTornTailEveryLength(t *testing.T) {
	es := []Entry{
		{Key: 0, State: Done, Data: json.RawMessage(`{"TopicId":"@TGS#_a"}`)},
		{Key: 1, State: Sent},
		{Key: 1, State: Done, Data: json.RawMessage(`{"TopicId":"@TGS#_b","fail":[{"i":3,"code":10004}]}`)},
	}
	dir := t.TempDir()
	full, last := writeJournal(t, filepath.Join(dir, "orig"), es)
	for cut := last; cut < int64(len(full)); cut++ {
		path := filepath.Join(dir, "cut")
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := Open(path, testHeader(), Options{})
		if err != nil {
			t.Fatalf("cut at %d: Open: %v", cut, err)
		}
		if got := j.State(1); got != Sent {
			t.Errorf("cut at %d: State(1) = %v, want Sent (the torn Done dropped)", cut, got)
		}
		if got := j.State(0); got != Done {
			t.Errorf("cut at %d: State(0) = %v, want Done", cut, got)
		}
		if info, _ := os.Stat(path); info.Size() != last {
			t.Errorf("cut at %d: file size %d after repair, want %d", cut, info.Size(), last)
		}
		mustAppend(t, j, Entry{Key: 2, State: Failed, Data: json.RawMessage(`{"code":1}`)})
		mustClose(t, j)
		got := scanAll(t, path)
		if len(got) != 3 || got[1].Key != 1 || got[1].State != Sent || got[2].Key != 2 || got[2].State != Failed {
			t.Errorf("cut at %d: entries after repair and append = %+v", cut, got)
		}
	}
}

func TestTornTailGarbage(t *testing.T) {
	tests := []struct {
		name string
		tail string
	}{
		{"NUL bytes", strings.Repeat("\x00", 4096)},
		{"NUL line", strings.Repeat("\x00", 100) + "\n"},
		{"bad CRC with newline", "00000000 {\"o\":2,\"s\":2}\n"},
		{"bad CRC then NULs", "00000000 {\"o\":2,\"s\":2}\n\x00\x00\x00"},
		{"two damaged lines", "garbage\nmore garbage\n"},
		{"lone newline", "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			full, _ := writeJournal(t, path, []Entry{{Key: 0, State: Done}, {Key: 1, State: Sent}})
			appendBytes(t, path, tt.tail)
			j := mustOpen(t, path, testHeader(), Options{})
			if j.State(0) != Done || j.State(1) != Sent || j.State(2) != Pending {
				t.Errorf("states = %v %v %v", j.State(0), j.State(1), j.State(2))
			}
			mustClose(t, j)
			if b, _ := os.ReadFile(path); string(b) != string(full) {
				t.Errorf("file after repair = %q, want %q", b, full)
			}
		})
	}
}

func TestMiddleCorruption(t *testing.T) {
	es := []Entry{{Key: 0, State: Done}, {Key: 1, State: Done, Data: json.RawMessage(`{"x":"y"}`)}, {Key: 2, State: Failed}, {Key: 2, State: Done}}
	tests := []struct {
		name   string
		damage func(b []byte, at int64) []byte // at: offset of the second entry
	}{
		{"flipped bit in data", func(b []byte, at int64) []byte { b[at+40] ^= 0x20; return b }},
		{"flipped CRC digit", func(b []byte, at int64) []byte { b[at] = 'z'; return b }},
		{"flipped key digit", func(b []byte, at int64) []byte { b[at+20] ^= 1; return b }},
		{"lost newline", func(b []byte, at int64) []byte {
			i := at + int64(strings.IndexByte(string(b[at:]), '\n'))
			return append(b[:i:i], b[i+1:]...)
		}},
		{"NULs over an entry", func(b []byte, at int64) []byte {
			for i := at; b[i] != '\n'; i++ {
				b[i] = 0
			}
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			j := mustOpen(t, path, testHeader(), Options{})
			mustAppend(t, j, es[0])
			j.mu.Lock()
			at := j.size
			j.mu.Unlock()
			mustAppend(t, j, es[1:]...)
			mustClose(t, j)
			b, _ := os.ReadFile(path)
			b = tt.damage(b, at)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}

			_, err := Open(path, testHeader(), Options{})
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open = %v, want a *CorruptError", err)
			}
			if ce.Offset != at || ce.Path != path {
				t.Errorf("CorruptError = %+v, want offset %d in %s", ce, at, path)
			}
			if after, _ := os.ReadFile(path); string(after) != string(b) {
				t.Error("Open changed a corrupt file")
			}
			err = Scan(path, func(Entry) error { return nil })
			if !errors.As(err, &ce) || ce.Offset != at {
				t.Errorf("Scan = %v, want a *CorruptError at %d", err, at)
			}
		})
	}
}

func TestLongLines(t *testing.T) {
	// Lines longer than the replay buffer take the slow path; they must still round-trip.
	big := `{"fail":"` + strings.Repeat("x", readBufSize+100) + `"}`
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	mustAppend(t, j, Entry{Key: 0, State: Failed, Data: json.RawMessage(big)}, Entry{Key: 1, State: Done})
	mustClose(t, j)
	j = mustOpen(t, path, testHeader(), Options{})
	if j.State(0) != Failed || j.State(1) != Done {
		t.Errorf("states = %v %v", j.State(0), j.State(1))
	}
	mustClose(t, j)
	got := scanAll(t, path)
	if len(got) != 2 || string(got[0].Data) != big {
		t.Errorf("Scan lost the long entry")
	}
}
