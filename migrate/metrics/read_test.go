package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// sampleLog returns a log of a few seconds of two endpoints, written by a Recorder.
func sampleLog(t testing.TB) []byte {
	c := &clock{t: t0}
	var buf bytes.Buffer
	r := New(&buf, c.Now)
	for ms := 0; ms < 4000; ms += 50 {
		c.Set(at(ms))
		r.Record(Sample{Endpoint: "group_open_http_svc/import_topic", Sent: at(ms), Latency: time.Duration(ms) * time.Microsecond, Limit: 200})
		r.Record(Sample{Endpoint: "sns/group_add", Sent: at(ms), Outcome: Outcome(ms / 50 % 5), Code: 10000 + ms%7, Retry: ms%100 == 0})
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRead(t *testing.T) {
	good := `{"time":"2026-12-01T10:00:00Z","endpoint":"a","requests":3,"ok":3}`
	tests := []struct {
		name    string
		in      string
		want    int // lines
		wantErr string
	}{
		{"empty", "", 0, ""},
		{"one line with newline", good + "\n", 1, ""},
		{"last line without newline is kept when whole", good + "\n" + good, 2, ""},
		{"torn last line is dropped", good + "\n" + good[:30], 1, ""},
		{"CRLF and blank lines", good + "\r\n\r\n" + good + "\r\n", 2, ""},
		{"bad line in the middle", good + "\n{nope\n" + good + "\n", 1, "line 2"},
		{"a line with no endpoint", `{"time":"2026-12-01T10:00:00Z"}` + "\n" + good + "\n", 0, "no endpoint"},
		{"a line with no time", `{"endpoint":"a"}` + "\n", 0, "no time"},
		{"negative counts", `{"time":"2026-12-01T10:00:00Z","endpoint":"a","requests":-1}` + "\n", 0, "negative"},
		{"null", "null\n" + good + "\n", 0, "line 1"},
		{"a line far too long", good + "\n" + strings.Repeat(" ", maxLineBytes+1) + good + "\n", 1, "longer than"},
		{"unknown keys are ignored", `{"time":"2026-12-01T10:00:00Z","endpoint":"a","later":{"x":1}}` + "\n", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls, err := Read(strings.NewReader(tt.in))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Read: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Read: error %v, want one with %q", err, tt.wantErr)
			}
			if len(ls) != tt.want {
				t.Errorf("%d lines, want %d", len(ls), tt.want)
			}
		})
	}
}

// TestReadEveryCut reads a log cut at every byte, as a run killed mid-write leaves it: each
// cut reads without error and gives the whole lines before it.
func TestReadEveryCut(t *testing.T) {
	log := sampleLog(t)
	all := readAll(t, log)
	if len(all) < 8 {
		t.Fatalf("sample log has only %d lines", len(all))
	}
	for cut := 0; cut <= len(log); cut++ {
		ls, err := Read(bytes.NewReader(log[:cut]))
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		want := bytes.Count(log[:cut], []byte("\n"))
		if cut < len(log) && cut > 0 && log[cut-1] != '\n' && log[cut] == '\n' {
			want++ // a line whole but for its newline
		}
		if len(ls) != want {
			t.Fatalf("cut at %d: %d lines, want %d", cut, len(ls), want)
		}
		for i := range ls {
			if !ls[i].Time.Equal(all[i].Time) || ls[i].Endpoint != all[i].Endpoint || ls[i].Requests != all[i].Requests {
				t.Fatalf("cut at %d: line %d is %+v, want %+v", cut, i, ls[i], all[i])
			}
		}
	}
}

// FuzzRead checks that Read never panics, and that what it accepts writes back to a log that
// reads the same.
func FuzzRead(f *testing.F) {
	f.Add(sampleLog(f))
	f.Add([]byte(`{"time":"2026-12-01T10:00:00Z","endpoint":"a","requests":3,"hist":[[9,1]],"codes":{"0":1}}`))
	f.Add([]byte("{\"time\":\"2026-12-01T10:00:00Z\",\"endpoint\":\"a\"}\n{\"ti"))
	f.Add([]byte("\n\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var again bytes.Buffer
		for i := range ls {
			line, err := json.Marshal(&ls[i])
			if err != nil {
				t.Fatalf("line %d does not encode: %v", i, err)
			}
			again.Write(append(line, '\n'))
		}
		ls2, err := Read(&again)
		if err != nil {
			t.Fatalf("a log of accepted lines does not read back: %v", err)
		}
		if len(ls2) != len(ls) {
			t.Fatalf("read back %d lines, want %d", len(ls2), len(ls))
		}
		for i := range ls {
			if !ls2[i].Time.Equal(ls[i].Time) || ls2[i].Endpoint != ls[i].Endpoint || ls2[i].Requests != ls[i].Requests {
				t.Fatalf("line %d read back as %+v, want %+v", i, ls2[i], ls[i])
			}
			Quantile(ls[i].Hist, 0.99) // must not panic on any histogram
		}
	})
}
