package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds arbitrary bytes after a valid header to Open and Scan: they must not panic,
// must agree with each other, and a journal Open accepted must take appends and reopen to the
// same states.
func FuzzOpen(f *testing.F) {
	seeds := [][]byte{
		nil,
		appendEntry(nil, 0, Done, nil),
		appendEntry(appendEntry(nil, 1, Sent, nil), 1, Done, []byte(`{"TopicId":"x"}`)),
		appendEntry(nil, 2, Failed, []byte(`[1,2]`))[:10],
		append(appendEntry(nil, 3, Done, nil), "\x00\x00\n"...),
		[]byte("00000000 {\"k\":\"0000000000000001\",\"s\":2}\n"),
		append([]byte("garbage\n"), appendEntry(nil, 0, Done, nil)...),
		appendEntry(nil, 1<<64-1, Done, nil),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	hdrLine, err := encodeHeader(Header{Version: FormatVersion, Tool: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tail []byte) {
		path := filepath.Join(t.TempDir(), "run.ckpt")
		if err := os.WriteFile(path, append(append([]byte(nil), hdrLine...), tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		want := map[uint64]State{}
		scanErr := Scan(path, func(e Entry) error {
			if e.State < Sent || e.State > Failed {
				t.Errorf("Scan gave %+v", e)
			}
			if len(e.Data) > 0 && !json.Valid(e.Data) {
				t.Errorf("Scan gave invalid data %q", e.Data)
			}
			want[e.Key] = e.State
			return nil
		})
		j, err := Open(path, testHeader(), Options{})
		if err != nil {
			if !errors.As(err, new(*CorruptError)) {
				t.Fatalf("Open = %v, want nil or a *CorruptError", err)
			}
			if scanErr == nil {
				t.Fatalf("Open refused (%v) what Scan accepted", err)
			}
			return
		}
		if scanErr != nil {
			t.Fatalf("Scan refused (%v) what Open accepted", scanErr)
		}
		check := func(j *Journal) {
			for key, st := range want {
				if got := j.State(key); got != st {
					t.Errorf("State(%x) = %v, Scan says %v", key, got, st)
				}
			}
			if c := j.Counts(); c[Sent]+c[Done]+c[Failed] != len(want) {
				t.Errorf("Counts() = %v for %d keys", c, len(want))
			}
		}
		check(j)
		const after = 0x0123456789abcdef
		mustAppend(t, j, Entry{Key: after, State: Done, Data: json.RawMessage(`{"after":"fuzz"}`)})
		want[after] = Done
		mustClose(t, j)
		j = mustOpen(t, path, testHeader(), Options{})
		check(j)
		mustClose(t, j)
	})
}

// FuzzParseEntry checks the hand parser against encoding/json: whatever it accepts is a JSON
// entry with the same fields, and what appendEntry writes it reads back.
func FuzzParseEntry(f *testing.F) {
	f.Add(uint64(0), uint8(2), []byte(`{"a":1}`))
	f.Add(uint64(123456), uint8(1), []byte(nil))
	f.Add(uint64(1<<64-1), uint8(3), []byte(`"x"`))
	f.Fuzz(func(t *testing.T, key uint64, st uint8, data []byte) {
		if st >= uint8(Sent) && st <= uint8(Failed) && (len(data) == 0 || json.Valid(data)) {
			var buf bytes.Buffer
			if err := json.Compact(&buf, data); len(data) > 0 && err != nil {
				t.Fatal(err)
			}
			c := buf.Bytes()
			line := appendEntry(nil, key, State(st), c)
			k, s, d, err := parseEntry(line[:len(line)-1])
			if err != nil || k != key || s != State(st) || string(d) != string(c) {
				t.Fatalf("round trip of (%x,%d,%q): (%x,%d,%q,%v)", key, st, c, k, s, d, err)
			}
		}
		// Arbitrary bytes as a line body with a valid CRC.
		line := append(make([]byte, prefixLen), data...)
		frame(line)
		k, s, d, err := parseEntry(line)
		if err != nil {
			return
		}
		var e struct {
			K string          `json:"k"`
			S State           `json:"s"`
			D json.RawMessage `json:"d"`
		}
		if jerr := json.Unmarshal(data, &e); jerr != nil {
			t.Fatalf("parseEntry accepted %q, which is not JSON: %v", data, jerr)
		}
		if e.K != fmt.Sprintf("%016x", k) || e.S != s || string(e.D) != string(d) {
			t.Fatalf("parseEntry(%q) = (%x,%v,%q), encoding/json says %+v", data, k, s, d, e)
		}
	})
}
