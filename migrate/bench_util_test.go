package migrate_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// benchNow is the benchmarks' notion of now: after every CreateTime synth writes.
func benchNow() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }

// benchInputs writes cfg into a fresh directory of b and returns the inputs it holds. Call it
// from a parent benchmark (one with sub-benchmarks), which the testing package runs once,
// so that the files are written once and outside any timer.
func benchInputs(b *testing.B, cfg synth.Config) sources.Inputs {
	b.Helper()
	dir := b.TempDir()
	if err := synth.WriteDir(context.Background(), dir, cfg); err != nil {
		b.Fatal(err)
	}
	var in sources.Inputs
	if err := in.AddDir(dir); err != nil {
		b.Fatal(err)
	}
	return in
}

// benchHeapPeak samples the heap every millisecond until stop, keeping the largest figures: heap
// objects (live and not yet swept, as MemStats.HeapAlloc: the memory a run makes the process
// hold) and the live heap the last GC marked.
type benchHeapPeak struct {
	stop, done chan struct{}
	objects    uint64
	live       uint64
}

const (
	benchHeapObjectsMetric = "/memory/classes/heap/objects:bytes"
	benchHeapLiveMetric    = "/gc/heap/live:bytes"
)

// benchStartHeapPeak collects garbage first, so that what came before does not count.
func benchStartHeapPeak() *benchHeapPeak {
	runtime.GC()
	h := &benchHeapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: benchHeapObjectsMetric}, {Name: benchHeapLiveMetric}}
	read := func() {
		metrics.Read(samples)
		h.objects = max(h.objects, samples[0].Value.Uint64())
		h.live = max(h.live, samples[1].Value.Uint64())
	}
	read()
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return h
}

// Stop ends the sampling and returns the peaks in MiB.
func (h *benchHeapPeak) Stop() (objectsMiB, liveMiB float64) {
	close(h.stop)
	<-h.done
	return float64(h.objects) / (1 << 20), float64(h.live) / (1 << 20)
}

// benchPlainRead reads every file of in as the baseline of "reading the same files": records with
// encoding/csv, lines with bufio. It returns the records or lines read.
func benchPlainRead(b *testing.B, in sources.Inputs) int {
	b.Helper()
	n := 0
	for _, k := range sources.Kinds {
		for _, name := range in.Files(k) {
			f, err := os.Open(name)
			if err != nil {
				b.Fatal(err)
			}
			format, _ := sources.FormatOf(name)
			br := bufio.NewReaderSize(f, 64<<10)
			if format == sources.CSV {
				cr := csv.NewReader(br)
				for {
					_, err := cr.Read()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				n-- // the header
			} else {
				sc := bufio.NewScanner(br)
				sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
				for sc.Scan() {
					n++
				}
				if err := sc.Err(); err != nil {
					b.Fatal(err)
				}
			}
			f.Close()
		}
	}
	return n
}

// benchFileBytes is the size of every input file, for MB/s figures.
func benchFileBytes(b *testing.B, in sources.Inputs) int64 {
	var n int64
	for _, k := range sources.Kinds {
		for _, name := range in.Files(k) {
			st, err := os.Stat(name)
			if err != nil {
				b.Fatal(err)
			}
			n += st.Size()
		}
	}
	return n
}

// benchDirOf is the directory of a generated input, for messages.
func benchDirOf(in sources.Inputs) string {
	for _, k := range sources.Kinds {
		if f := in.Files(k); len(f) > 0 {
			return filepath.Dir(f[0])
		}
	}
	return ""
}
