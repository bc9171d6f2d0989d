package checkpoint

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMismatch(t *testing.T) {
	tests := []struct {
		name string
		hdr  Header
	}{
		{"fingerprint", Header{Fingerprint: "sha256:other", Units: 10}},
		{"units", Header{Fingerprint: "sha256:abc", Units: 11}},
		{"both", Header{Fingerprint: "", Units: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			j := mustOpen(t, path, testHeader(10), Options{})
			mustAppend(t, j, Entry{Ord: 0, State: Done})
			mustClose(t, j)
			before, _ := os.ReadFile(path)

			_, err := Open(path, tt.hdr, Options{})
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("Open = %v, want a *MismatchError", err)
			}
			if me.Path != path || me.Want != tt.hdr.Fingerprint || me.Got != "sha256:abc" || me.WantUnits != tt.hdr.Units || me.GotUnits != 10 {
				t.Errorf("MismatchError = %+v", me)
			}
			// The message states the mismatch; the advice is the command line's (hints.go).
			for _, s := range []string{path, me.Got, me.Want} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "--") {
				t.Errorf("message %q names a flag", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("a refused Open changed the file")
			}
			// The refused Open must not hold the lock.
			mustClose(t, mustOpen(t, path, testHeader(10), Options{}))
		})
	}
}

func TestForceAdoptsHeader(t *testing.T) {
	tests := []struct {
		name     string
		units    int
		wantKept []int
	}{
		{"more units", 20, []int{1, 4, 7}},
		{"fewer units", 5, []int{1, 4}},
		{"same units, new fingerprint", 8, []int{1, 4, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			j := mustOpen(t, path, testHeader(8), Options{})
			mustAppend(t, j, Entry{Ord: 1, State: Done, Data: json.RawMessage(`{"k":1}`)}, Entry{Ord: 4, State: Failed}, Entry{Ord: 7, State: Sent})
			mustClose(t, j)
			// A torn tail is dropped by the rewrite too.
			appendBytes(t, path, "deadbeef {\"o\":2,")

			nh := Header{Fingerprint: "sha256:new", Units: tt.units}
			j = mustOpen(t, path, nh, Options{Force: true})
			if !j.Resumed() {
				t.Error("Resumed() = false")
			}
			if h := j.Header(); h.Fingerprint != nh.Fingerprint || h.Units != nh.Units {
				t.Errorf("Header() = %+v, want the new one", h)
			}
			want := map[int]State{1: Done, 4: Failed, 7: Sent}
			for ord := range tt.units {
				w := Pending
				for _, k := range tt.wantKept {
					if k == ord {
						w = want[ord]
					}
				}
				if got := j.State(ord); got != w {
					t.Errorf("State(%d) = %v, want %v", ord, got, w)
				}
			}
			mustAppend(t, j, Entry{Ord: tt.units - 1, State: Done})
			mustClose(t, j)

			// The new header is now the file's: no force needed, the old one is refused.
			mustClose(t, mustOpen(t, path, nh, Options{}))
			if _, err := Open(path, testHeader(8), Options{}); !errors.As(err, new(*MismatchError)) {
				t.Errorf("Open with the old header = %v, want a *MismatchError", err)
			}
			got := scanAll(t, path)
			if len(got) != len(tt.wantKept)+1 || got[0].Ord != 1 || string(got[0].Data) != `{"k":1}` {
				t.Errorf("Scan after force = %+v", got)
			}
			leftovers, _ := filepath.Glob(path + tempInfix + "*")
			if len(leftovers) != 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
		})
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
			line, _ := encodeHeader(testHeader(3))
			os.WriteFile(path+tempInfix+"12345", line[:len(line)/2], 0o600)
		}, false},
		{"empty file", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o600)
		}, false},
		{"not a checkpoint", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("topic,name\n1,2\n"), 0o600)
		}, true},
		{"header without newline", func(t *testing.T, path string) {
			line, _ := encodeHeader(testHeader(3))
			os.WriteFile(path, line[:len(line)-1], 0o600)
		}, true},
		{"header with a bad CRC", func(t *testing.T, path string) {
			line, _ := encodeHeader(testHeader(3))
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
			j, err := Open(path, testHeader(3), Options{})
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
			mustAppend(t, j, Entry{Ord: 2, State: Done})
			mustClose(t, j)
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("directory holds %v, want only the checkpoint", names)
			}
			if got := scanAll(t, path); len(got) != 1 || got[0].Ord != 2 {
				t.Errorf("Scan = %+v", got)
			}
		})
	}
}
