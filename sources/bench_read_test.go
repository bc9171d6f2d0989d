package sources_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// BenchmarkReadVsPlain: the readers' records/s for each kind and format, as a ratio to
// reading the same file with plain encoding/csv (CSV) or bufio line reading (JSONL) in the
// same benchmark. It is the first stage of validate+plan, whose target is a ratio <= 4.
func BenchmarkReadVsPlain(b *testing.B) {
	cfg := synth.Config{Seed: 1, Topics: 200_000, FriendMemberships: 200_000, Users: 20_000, ContactMemberships: 100_000}
	for _, f := range []struct {
		name   string
		format sources.Format
	}{{"csv", sources.CSV}, {"jsonl", sources.JSONL}} {
		dir := b.TempDir()
		c := cfg
		c.Format = f.format
		if err := synth.WriteDir(context.Background(), dir, c); err != nil {
			b.Fatal(err)
		}
		for _, k := range sources.Kinds {
			path := filepath.Join(dir, synth.FileName(k, f.format))
			b.Run(f.name+"/"+string(k), func(b *testing.B) {
				var plainNs, readNs int64
				rows := plain(b, path, f.format) // warm the page cache: both then read from memory
				for b.Loop() {
					start := time.Now()
					rows = plain(b, path, f.format)
					mid := time.Now()
					if n := read(b, k, path); n != rows {
						b.Fatalf("reader: %d records, plain: %d", n, rows)
					}
					plainNs += int64(mid.Sub(start))
					readNs += int64(time.Since(mid))
				}
				n := float64(b.N)
				if f.format == sources.JSONL {
					// A second baseline: every line also decoded by plain encoding/json.
					start := time.Now()
					decodeLines(b, path)
					b.ReportMetric(float64(readNs)/n/float64(time.Since(start)), "read/plain_json")
				}
				b.ReportMetric(float64(rows)/(float64(readNs)/n/1e9), "read_rows/s")
				b.ReportMetric(float64(rows)/(float64(plainNs)/n/1e9), "plain_rows/s")
				b.ReportMetric(float64(readNs)/float64(plainNs), "read/plain")
			})
		}
	}
}

// plain counts the records (CSV, header excluded) or lines (JSONL) of a file.
func plain(b *testing.B, path string, f sources.Format) int {
	b.Helper()
	file, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	br := bufio.NewReaderSize(file, 64<<10)
	n := 0
	if f == sources.JSONL {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		for sc.Scan() {
			n++
		}
		if err := sc.Err(); err != nil {
			b.Fatal(err)
		}
		return n
	}
	cr := csv.NewReader(br)
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n - 1
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// decodeLines reads a JSONL file line by line and decodes each line with plain
// json.Unmarshal into a generic map.
func decodeLines(b *testing.B, path string) {
	b.Helper()
	file, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(bufio.NewReaderSize(file, 64<<10))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			b.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
}

// read counts the records the package's reader yields for a file.
func read(b *testing.B, k sources.Kind, path string) int {
	b.Helper()
	switch k {
	case sources.Topics:
		r, err := sources.OpenTopics(path)
		if err != nil {
			b.Fatal(err)
		}
		return count(b, r)
	case sources.FriendGroups:
		r, err := sources.OpenFriendGroups(path)
		if err != nil {
			b.Fatal(err)
		}
		return count(b, r)
	default:
		r, err := sources.OpenContactGroups(path)
		if err != nil {
			b.Fatal(err)
		}
		return count(b, r)
	}
}

func count[T sources.Topic | sources.FriendGroup | sources.ContactGroup](b *testing.B, r *sources.Reader[T]) int {
	b.Helper()
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}
