package checkpoint

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOldFormatRefused: a checkpoint of format 1 (units named by their position in a plan)
// cannot be read as content keys; Open and Scan refuse it with a *VersionError and leave it,
// and its lock, alone.
func TestOldFormatRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	// What format 1 wrote: a header naming a plan, then entries naming ordinals.
	old := `{"version":1,"fingerprint":"sha256:abc","units":10,"created":"2026-01-02T03:04:05Z","tool":"chatmigrate"}`
	line := append(make([]byte, prefixLen), old...)
	frame(line)
	entry := append(make([]byte, prefixLen), `{"o":0,"s":2}`...)
	frame(entry)
	before := append(append(line, '\n'), append(entry, '\n')...)
	if err := os.WriteFile(path, before, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"Open": func() error {
			j, err := Open(path, testHeader(), Options{})
			if err == nil {
				j.Close()
			}
			return err
		},
		"Scan": func() error { return Scan(path, func(Entry) error { return nil }) },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			var ve *VersionError
			if !errors.As(err, &ve) || ve.Got != 1 || ve.Want != FormatVersion || ve.Path != path {
				t.Fatalf("%s = %v, want a *VersionError for format 1", name, err)
			}
			// The message states the mismatch; the advice is the command line's (hints.go).
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "earlier version") {
				t.Errorf("message %q", err)
			}
			if strings.Contains(err.Error(), "--") {
				t.Errorf("message %q names a flag", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("a refused Open changed the file")
			}
		})
	}
	// The refused Open must not hold the lock: another file at the path opens.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	mustClose(t, mustOpen(t, path, testHeader(), Options{}))
}

// TestAnyRunResumes: a journal names no plan, so a run with another header resumes it as it is,
// keeping the file's header and every entry.
func TestAnyRunResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, Header{Tool: "first"}, Options{})
	mustAppend(t, j, Entry{Key: 1, State: Done, Data: json.RawMessage(`{"k":1}`)}, Entry{Key: 4, State: Failed}, Entry{Key: 7, State: Sent})
	created := j.Header().Created
	mustClose(t, j)

	j = mustOpen(t, path, Header{Tool: "second"}, Options{})
	if !j.Resumed() {
		t.Error("Resumed() = false")
	}
	if h := j.Header(); h.Tool != "first" || !h.Created.Equal(created) || h.Version != FormatVersion {
		t.Errorf("Header() = %+v, want the file's", h)
	}
	for key, want := range map[uint64]State{1: Done, 4: Failed, 7: Sent, 2: Pending} {
		if got := j.State(key); got != want {
			t.Errorf("State(%d) = %v, want %v", key, got, want)
		}
	}
	mustClose(t, j)
	if got := scanAll(t, path); len(got) != 3 || got[0].Key != 1 || string(got[0].Data) != `{"k":1}` {
		t.Errorf("Scan = %+v", got)
	}
}

func appendBytes(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHeaderAtomicity(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string) // what a crash left behind
		wantErr bool
	}{
		{"crash before rename leaves a temp file", func(t *testing.T, path string) {
			line, _ := encodeHeader(testHeader())
			os.WriteFile(path+tempInfix+"12345", line[:len(line)/2], 0o600)
		}, false},
		{"empty file", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o600)
		}, false},
		{"not a checkpoint", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("topic,name\n1,2\n"), 0o600)
		}, true},
		{"header without newline", func(t *testing.T, path string) {
			line, _ := encodeHeader(testHeader())
			os.WriteFile(path, line[:len(line)-1], 0o600)
		}, true},
		{"header with a bad CRC", func(t *testing.T, path string) {
			line, _ := encodeHeader(testHeader())
			line[0] ^= 1
			os.WriteFile(path, line, 0o600)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "run.ckpt")
			tt.setup(t, path)
			before, _ := os.ReadFile(path)
			j, err := Open(path, testHeader(), Options{})
			if tt.wantErr {
				if err == nil {
					j.Close()
					t.Fatal("Open = nil error, want one")
				}
				if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Error("Open overwrote a file that is not a checkpoint")
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if j.Resumed() {
				t.Error("Resumed() = true")
			}
			mustAppend(t, j, Entry{Key: 2, State: Done})
			mustClose(t, j)
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("directory holds %v, want only the checkpoint", names)
			}
			if got := scanAll(t, path); len(got) != 1 || got[0].Key != 2 {
				t.Errorf("Scan = %+v", got)
			}
		})
	}
}
