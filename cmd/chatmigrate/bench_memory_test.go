package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchRows lists the input sizes of BenchmarkMemory, in rows: the set is 31M (20M
// friend-group memberships, 10M conversation-group memberships, 1M topics, 1.1 GB of CSV);
// smaller sizes keep those proportions. Big sets take minutes to generate and read on a
// small machine: ask for them, e.g. -bench-rows=1M,10M,31M -benchtime=1x.
// An empty list skips validate, for a benchmark of the run alone (-bench-rows= -bench-run-rows=1M).
var benchRows = flag.String("bench-rows", "1M", "comma-separated input sizes of BenchmarkMemory's validate (1M, 10M, 31M, or a number); empty: none")

// benchInMemory adds, for each size, validate with a budget large enough that the plan is held
// in memory (the planner before spilling), for comparison in the same run.
var benchInMemory = flag.Bool("bench-inmemory", false, "BenchmarkMemory: also validate with the plan held in memory")

// benchBaseline names another chatmigrate binary (an earlier version, built by hand) whose
// validate runs beside this one's on each size, for a ratio measured in the same run.
var benchBaseline = flag.String("bench-baseline", "", "BenchmarkMemory: path of an earlier chatmigrate binary to validate each set with too")

// BenchmarkMemory runs the chatmigrate binary as a child on generated unsorted input (seed 7)
// and reports its peak RSS (getrusage maxrss of the child) under the default --memory, its
// rows/s, and the ratio of that to a plain encoding/csv read of the same files in the same
// benchmark run (validate/plain: 1 would be as fast as reading). The sets are kept in the
// temp directory between runs, named by seed and size. -bench-run-rows adds a run against
// a chatsim process of its own (benchRunSim), so that the emulator's memory, which holds the
// whole target state, is not counted against the run's budget. The package comes before
// these flags (go test hands everything after an unknown flag to the test binary), and a run
// past ten minutes needs a -timeout of its own:
//
//	go test -run '^$' -bench BenchmarkMemory -benchtime 1x -timeout 90m ./cmd/chatmigrate/ \
//		-bench-rows= -bench-run-rows=8M
func BenchmarkMemory(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "chatmigrate")
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build the binary with")
	}
	build := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, s := range strings.Split(*benchRows, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		rows := parseRows(b, s)
		dir := benchSet(b, bin, rows)
		budgets := []string{"256MiB"}
		if *benchInMemory {
			budgets = append(budgets, "64GiB")
		}
		if *benchBaseline != "" {
			b.Run(fmt.Sprintf("validate_%s_baseline", strings.TrimSpace(s)), func(b *testing.B) {
				for b.Loop() {
					plain, n := plainRead(b, dir)
					took, rss := child(b, *benchBaseline, "validate", dir, "--out", b.TempDir())
					b.ReportMetric(rss, "peak_rss_MiB")
					b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
					b.ReportMetric(float64(n)/plain.Seconds(), "plain_rows/s")
					b.ReportMetric(plain.Seconds()/took.Seconds(), "validate/plain")
				}
			})
		}
		for _, m := range budgets {
			b.Run(fmt.Sprintf("validate_%s_memory_%s", strings.TrimSpace(s), m), func(b *testing.B) {
				for b.Loop() {
					plain, n := plainRead(b, dir)
					took, rss := child(b, bin, "validate", dir, "--out", b.TempDir(), "--memory", m)
					b.ReportMetric(rss, "peak_rss_MiB")
					b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
					b.ReportMetric(float64(n)/plain.Seconds(), "plain_rows/s")
					b.ReportMetric(plain.Seconds()/took.Seconds(), "validate/plain")
				}
			})
		}
	}
	if *benchRunRows != "" {
		benchRunSim(b, gobin, bin, *benchRunRows)
	}
}

// parseRows reads 1M, 10M, 31M or a plain number.
func parseRows(b *testing.B, s string) int {
	s = strings.TrimSpace(s)
	mult := 1
	if rest, ok := strings.CutSuffix(s, "M"); ok {
		s, mult = rest, 1_000_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("bad size %q", s)
	}
	return n * mult
}

// benchSet generates (once) the unsorted seed-7 set of rows rows in the proportions
// and returns its directory.
func benchSet(b *testing.B, bin string, rows int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("chatmigrate-bench-seed7-%d", rows))
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	topics, contacts := rows/31, rows*10/31
	friends := rows - topics - contacts
	gen := exec.Command(bin, "gen", "--out", dir, "--force", "--seed", "7",
		"--topics", strconv.Itoa(topics), "--friend-memberships", strconv.Itoa(friends),
		"--contact-memberships", strconv.Itoa(contacts))
	if out, err := gen.CombinedOutput(); err != nil {
		b.Fatalf("gen: %v\n%s", err, out)
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// child runs the binary with args and returns its wall time and peak RSS in MiB; it fails
// unless the child exits 0.
func child(b *testing.B, bin string, args ...string) (time.Duration, float64) {
	b.Helper()
	return childCmd(b, exec.Command(bin, args...), nil)
}

// childCmd runs cmd, its stderr copied to log as well when log is not nil, and returns its
// wall time and peak RSS in MiB; it fails unless the child exits 0. The error message shows
// the arguments, never the environment, which may hold a key.
func childCmd(b *testing.B, cmd *exec.Cmd, log io.Writer) (time.Duration, float64) {
	b.Helper()
	var stderr tailWriter
	cmd.Stderr = &stderr
	if log != nil {
		cmd.Stderr = io.MultiWriter(&stderr, log)
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, stderr.String())
	}
	took := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Skip("no rusage on this system")
	}
	return took, float64(ru.Maxrss) / 1024 // KiB on Linux
}

// tailWriter keeps the last 64 KiB written to it: a long run's progress lines (and
// gctrace's, when GODEBUG asks for them) must not grow the benchmark's own memory.
type tailWriter struct{ buf []byte }

const tailMax = 64 << 10

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - tailMax; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string { return string(w.buf) }

// plainRead reads every CSV file of dir with encoding/csv, the baseline, and returns its time
// and the records read (headers not counted).
func plainRead(b *testing.B, dir string) (time.Duration, int) {
	b.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no CSV in %s: %v", dir, err)
	}
	start := time.Now()
	n := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
		for {
			_, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		n-- // the header
		f.Close()
	}
	return time.Since(start), n
}
