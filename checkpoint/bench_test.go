package checkpoint

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// BenchmarkAppend measures Append with the default group commit, one entry per op, Data the
// size of a topic's result. Issue 6 asks for 10k entries/s at no more than 20% of a run's time,
// i.e. Append ≤ 20 µs.
func BenchmarkAppend(b *testing.B) {
	data := json.RawMessage(`{"TopicId":"@TGS#_@TGS#cWXNA5PO_TOPIC_0123456789","fail":[]}`)
	path := filepath.Join(b.TempDir(), "run.ckpt")
	j := mustOpen(b, path, testHeader(), Options{})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := j.Append(Entry{Key: uint64(i) * 0xbf58476d1ce4e5b9, State: Done, Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	mustClose(b, j)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
}

// BenchmarkAppendParallel is BenchmarkAppend with 8 goroutines sharing the journal.
func BenchmarkAppendParallel(b *testing.B) {
	path := filepath.Join(b.TempDir(), "run.ckpt")
	j := mustOpen(b, path, testHeader(), Options{})
	var mu sync.Mutex
	next := 0
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			key := uint64(next) * 0xbf58476d1ce4e5b9
			next++
			mu.Unlock()
			if err := j.Append(Entry{Key: key, State: Done}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	mustClose(b, j)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
}

// BenchmarkOpenResume1M measures Open over a journal of 1M units, each Sent then Done with a
// TopicId (2M entries, ~110 MB). Issue 6's target: ≤ 2 s.
func BenchmarkOpenResume1M(b *testing.B) {
	const units = 1_000_000
	path := filepath.Join(b.TempDir(), "run.ckpt")
	hdr := testHeader()
	mustClose(b, mustOpen(b, path, hdr, Options{}))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	data := []byte(`{"TopicId":"@TGS#_@TGS#cWXNA5PO_TOPIC_0123456789"}`)
	for i := range uint64(units) {
		key := i * 0xbf58476d1ce4e5b9 // keys are hashes: spread, not consecutive
		line = appendEntry(line[:0], key, Sent, nil)
		line = appendEntry(line, key, Done, data)
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		j := mustOpen(b, path, hdr, Options{})
		if c := j.Counts(); c[Done] != units {
			b.Fatalf("Counts() = %v", c)
		}
		mustClose(b, j)
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/open")
}
