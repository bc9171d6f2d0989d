package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchRunRows, when set, adds a run with no rate limit on a set of that many rows, against
// a chatsim process of its own.
var benchRunRows = flag.String("bench-run-rows", "", "input size of BenchmarkMemory's run against chatsim (e.g. 8M: a quarter of 31M); empty: none")

// benchRunOut keeps what the run wrote (summary.json, the reports, its stderr and chatsim's
// in run.log and chatsim.log) under this directory instead of a temporary one. With
// GODEBUG=gctrace=1 in the environment, run.log then shows the run's live heap over time.
var benchRunOut = flag.String("bench-run-out", "", "BenchmarkMemory: keep the run's --out and logs under `DIR`; empty: a temporary directory")

// benchSDKAppID is the SDKAppID of the benchmark's chatsim; any number does.
const benchSDKAppID = 1400000001

// benchRunSim builds chatsim next to bin and benchmarks chatmigrate run on a set of size rows
// against it, with neither the emulator's rate limit nor the run's pacing in the way. Peak
// RSS is the chatmigrate child's alone; requests/s comes from the emulator's counters.
func benchRunSim(b *testing.B, gobin, bin, size string) {
	simbin := filepath.Join(filepath.Dir(bin), "chatsim")
	build := exec.Command(gobin, "build", "-o", simbin, "github.com/chatmigrate/chatmigrate/cmd/chatsim")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build chatsim: %v\n%s", err, out)
	}
	rows := parseRows(b, size)
	dir := benchSet(b, bin, rows)
	b.Run("run_chatsim_"+strings.TrimSpace(size), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			out := b.TempDir()
			if *benchRunOut != "" {
				out = filepath.Join(*benchRunOut, fmt.Sprintf("run-%d-%d", rows, i))
				if err := os.MkdirAll(out, 0o755); err != nil {
					b.Fatal(err)
				}
			}
			key := randomKey(b)
			sim := startChatsim(b, simbin, key, filepath.Join(out, "chatsim.log"))
			cmd := exec.Command(bin, "run", dir, "--endpoint", sim.base,
				"--sdkappid", strconv.Itoa(benchSDKAppID), "--rps", "1000000", "--out", out)
			cmd.Env = childEnv("TIM_SECRET_KEY=" + key)
			log, err := os.Create(filepath.Join(out, "run.log"))
			if err != nil {
				b.Fatal(err)
			}
			took, rss := childCmd(b, cmd, log)
			log.Close()
			m := sim.metrics(b)
			sim.stop(b)
			b.ReportMetric(rss, "peak_rss_MiB")
			b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
			b.ReportMetric(float64(m.Total.Requests)/took.Seconds(), "requests/s")
			b.ReportMetric(float64(m.Total.Errors), "sim_errors")
		}
	})
}

// randomKey returns a fresh secret key for one chatsim; it is given to both children by
// environment only, never on a command line.
func randomKey(b *testing.B) string {
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(raw[:])
}

// childEnv is the benchmark's environment without any credential or chatsim setting of
// the caller's, plus set: the children see only the key the benchmark made.
func childEnv(set ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TIM_") || strings.HasPrefix(kv, "CHATSIM_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, set...)
}

// simChild is a chatsim process the benchmark started.
type simChild struct {
	base string // http://ADDR from its "chatsim listening on" line
	cmd  *exec.Cmd
	once sync.Once
	log  *os.File
}

// startChatsim starts simbin on a free loopback port with no rate limit and waits for its
// listening line. Its stderr goes to logPath. A cleanup stops it should the benchmark fail
// before stop.
func startChatsim(b *testing.B, simbin, key, logPath string) *simChild {
	b.Helper()
	log, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(simbin, "-listen", "127.0.0.1:0", "-sdkappid", strconv.Itoa(benchSDKAppID), "-rps", "-1")
	cmd.Env = childEnv("CHATSIM_KEY=" + key)
	first := &firstLine{line: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = first, log
	if err := cmd.Start(); err != nil {
		log.Close()
		b.Fatalf("start chatsim: %v", err)
	}
	s := &simChild{cmd: cmd, log: log}
	b.Cleanup(func() { s.stop(b) })
	select {
	case line := <-first.line:
		base, ok := strings.CutPrefix(strings.TrimSpace(line), "chatsim listening on ")
		if !ok {
			b.Fatalf("chatsim said %q, want its listening line", line)
		}
		s.base = base
	case <-time.After(30 * time.Second):
		b.Fatal("chatsim did not say where it listens within 30s")
	}
	return s
}

// stop ends chatsim with SIGTERM, as an operator would, and waits for it; a chatsim that
// has not ended within 10s is killed. It fails the benchmark unless chatsim exited 0.
func (s *simChild) stop(b *testing.B) {
	b.Helper()
	s.once.Do(func() {
		defer s.log.Close()
		if err := s.halt(); err != nil {
			b.Error(err)
		}
	})
}

func (s *simChild) halt() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal chatsim: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("chatsim after SIGTERM: %w", err)
		}
		return nil
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
		return errors.New("chatsim still running 10s after SIGTERM: killed")
	}
}

// simMetrics is the part of chatsim's GET /_sim/metrics that the benchmark reports.
type simMetrics struct {
	Total struct {
		Requests int64 `json:"Requests"`
		Errors   int64 `json:"Errors"`
	} `json:"Total"`
}

// metrics reads chatsim's request counters.
func (s *simChild) metrics(b *testing.B) simMetrics {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/_sim/metrics", nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatalf("chatsim metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("chatsim metrics: %s %v: %.200s", resp.Status, err, body)
	}
	var m simMetrics
	if err := json.Unmarshal(body, &m); err != nil {
		b.Fatalf("chatsim metrics: %v", err)
	}
	return m
}

// firstLine hands the first line written to it to line and discards the rest.
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	line chan string
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
		w.line <- string(w.buf[:i])
		w.sent, w.buf = true, nil
	}
	return len(p), nil
}
