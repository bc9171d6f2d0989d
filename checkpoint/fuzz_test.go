package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
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
		[]byte("00000000 {\"o\":1,\"s\":2}\n"),
		append([]byte("garbage\n"), appendEntry(nil, 0, Done, nil)...),
		appendEntry(nil, 99, Done, nil),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	const units = 8
	hdrLine, err := encodeHeader(Header{Version: FormatVersion, Fingerprint: "fp", Units: units})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tail []byte) {
		path := filepath.Join(t.TempDir(), "run.ckpt")
		if err := os.WriteFile(path, append(append([]byte(nil), hdrLine...), tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		want := map[int]State{}
		scanErr := Scan(path, func(e Entry) error {
			if e.State < Sent || e.State > Failed || e.Ord < 0 || e.Ord >= units {
				t.Errorf("Scan gave %+v", e)
			}
			if len(e.Data) > 0 && !json.Valid(e.Data) {
				t.Errorf("Scan gave invalid data %q", e.Data)
			}
			want[e.Ord] = e.State
			return nil
		})
		j, err := Open(path, Header{Fingerprint: "fp", Units: units}, Options{})
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
			for ord := range units {
				if got := j.State(ord); got != want[ord] {
					t.Errorf("State(%d) = %v, Scan says %v", ord, got, want[ord])
				}
			}
		}
		check(j)
		mustAppend(t, j, Entry{Ord: units - 1, State: Done, Data: json.RawMessage(`{"after":"fuzz"}`)})
		want[units-1] = Done
		mustClose(t, j)
		j = mustOpen(t, path, Header{Fingerprint: "fp", Units: units}, Options{})
		check(j)
		mustClose(t, j)
	})
}

// FuzzParseEntry checks the hand parser against encoding/json: whatever it accepts is a JSON
// entry with the same fields, and what appendEntry writes it reads back.
func FuzzParseEntry(f *testing.F) {
	f.Add(0, uint8(2), []byte(`{"a":1}`))
	f.Add(123456, uint8(1), []byte(nil))
	f.Add(7, uint8(3), []byte(`"x"`))
	f.Fuzz(func(t *testing.T, ord int, st uint8, data []byte) {
		if ord >= 0 && st >= uint8(Sent) && st <= uint8(Failed) && (len(data) == 0 || json.Valid(data)) {
			var buf bytes.Buffer
			if err := json.Compact(&buf, data); len(data) > 0 && err != nil {
				t.Fatal(err)
			}
			c := buf.Bytes()
			line := appendEntry(nil, ord, State(st), c)
			o, s, d, err := parseEntry(line[:len(line)-1])
			if err != nil || o != ord || s != State(st) || string(d) != string(c) {
				t.Fatalf("round trip of (%d,%d,%q): (%d,%d,%q,%v)", ord, st, c, o, s, d, err)
			}
		}
		// Arbitrary bytes as a line body with a valid CRC.
		line := append(make([]byte, prefixLen), data...)
		frame(line)
		o, s, d, err := parseEntry(line)
		if err != nil {
			return
		}
		var e Entry
		if jerr := json.Unmarshal(data, &e); jerr != nil {
			t.Fatalf("parseEntry accepted %q, which is not JSON: %v", data, jerr)
		}
		if e.Ord != o || e.State != s || string(e.Data) != string(d) {
			t.Fatalf("parseEntry(%q) = (%d,%v,%q), encoding/json says %+v", data, o, s, d, e)
		}
	})
}
