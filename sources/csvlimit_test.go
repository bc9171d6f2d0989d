package sources

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// nextAll reads r to its end and returns its records and row errors in file order, each as
// "line N" or "error line N field F: reason".
func nextAll(t *testing.T, r *Reader[Topic]) []string {
	t.Helper()
	var got []string
	for {
		rec, err := r.Next()
		var re *RowError
		switch {
		case errors.Is(err, io.EOF):
			return got
		case errors.As(err, &re):
			got = append(got, "error "+re.Error())
		case err != nil:
			t.Fatalf("fatal: %v", err)
		default:
			got = append(got, "topic "+rec.TopicName+" line "+itoa(rec.Pos.Line))
		}
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// TestCSVRecordCap: a record longer than maxRecord is a row error at its start line, naming
// the field it overran, and the records after it read on at their true line numbers, in every
// state the cut can strike.
func TestCSVRecordCap(t *testing.T) {
	const head = "GroupId,TopicName,Introduction\n@TGS#_g1,a,x\n"
	const tail = "@TGS#_g1,b,\n\n@TGS#_g1,c,\"two\nlines\"\n"
	big := strings.Repeat("y", maxRecord)
	for _, tt := range []struct {
		name, record string
		want         string
	}{
		{"one long line", "@TGS#_g1,long," + big + "\n",
			"error big.csv line 3 field Introduction: record longer than 16 MiB"},
		{"quoted field over lines", "@TGS#_g1,long,\"" + strings.Repeat(big[:1<<20]+"\n", 17) + "\"\n",
			"error big.csv line 3 field Introduction: record longer than 16 MiB: lines 3-20 are skipped (an unclosed quote?)"},
		{"after a closing quote", "@TGS#_g1,\"" + big[:maxRecord-10] + "\"" + big[:20] + "\n",
			"error big.csv line 3 field TopicName: record longer than 16 MiB"},
		{"at a field start", "@TGS#_g1," + big[:maxRecord-10] + ",zzz\n",
			"error big.csv line 3 field Introduction: record longer than 16 MiB"},
		{"escaped quotes", "@TGS#_g1,long,\"" + strings.Repeat(`""`, maxRecord/2) + "\"\n",
			"error big.csv line 3 field Introduction: record longer than 16 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := head + tt.record + tail
			r, err := NewTopics("big.csv", strings.NewReader(in), CSV, false)
			if err != nil {
				t.Fatal(err)
			}
			got := nextAll(t, r)
			end := 3 + strings.Count(tt.record, "\n")
			want := []string{"topic a line 2", tt.want, "topic b line " + itoa(end), "topic c line " + itoa(end+2)}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	t.Run("header", func(t *testing.T) {
		_, err := NewTopics("big.csv", strings.NewReader("GroupId,TopicName,\""+big+"\"\n"), CSV, false)
		var he *HeaderError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), "line 1: header record longer than 16 MiB") {
			t.Fatalf("got %v, want a header error saying it is too long", err)
		}
	})
	t.Run("unclosed quote to the end", func(t *testing.T) {
		in := head + "@TGS#_g1,stray,\"oops\n" + strings.Repeat("@TGS#_g1,n,"+big[:100]+"\n", maxRecord/100)
		r, err := NewTopics("big.csv", strings.NewReader(in), CSV, false)
		if err != nil {
			t.Fatal(err)
		}
		got := nextAll(t, r)
		lines := itoa(3 + maxRecord/100)
		want := []string{"topic a line 2", "error big.csv line 3 field Introduction: record longer than 16 MiB: lines 3-" + lines + " are skipped (an unclosed quote?)"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// strayQuote is a CSV stream of n bytes whose third line opens a quote that never closes.
type strayQuote struct{ n, off int }

func (s *strayQuote) Read(p []byte) (int, error) {
	const head = "GroupId,TopicName,Introduction\n@TGS#_g1,a,x\n@TGS#_g1,b,\"stray\n"
	if s.off >= s.n {
		return 0, io.EOF
	}
	i := 0
	for ; i < len(p) && s.off < s.n; i, s.off = i+1, s.off+1 {
		switch {
		case s.off < len(head):
			p[i] = head[s.off]
		case s.off%80 == 0:
			p[i] = '\n'
		default:
			p[i] = 'z'
		}
	}
	return i, nil
}

// TestCSVStrayQuoteMemory: a stray quote in a large file costs about one capped record of
// memory, not the rest of the file (without the cap, 200 MB cost over 1 GB).
func TestCSVStrayQuoteMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200 MB")
	}
	const size = 200 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := NewTopics("big.csv", &strayQuote{n: size}, CSV, false)
	if err != nil {
		t.Fatal(err)
	}
	got := nextAll(t, r)
	runtime.ReadMemStats(&after)
	if len(got) != 2 || !strings.Contains(got[1], "line 3 field Introduction: record longer than 16 MiB") {
		t.Fatalf("got %q", got)
	}
	// encoding/csv grows its record buffer by doubling and copies it into a string: about
	// seven times the cap in all, garbage included, where an uncapped record cost twice the file.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10*maxRecord {
		t.Errorf("allocated %d MiB for a stray quote in %d MiB, want at most %d MiB", alloc>>20, size>>20, 10*maxRecord>>20)
	}
}
