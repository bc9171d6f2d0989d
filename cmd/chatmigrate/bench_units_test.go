package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// unitsChildEnv names the set a re-executed test binary plans (TestMemoryUnitsChild).
const unitsChildEnv = "CHATMIGRATE_BENCH_UNITS_DIR"

// BenchmarkMemoryUnits is BenchmarkMemory's validate+plan+units: what a run does before and
// while it sends, without the sending. The test binary runs itself as a child
// (TestMemoryUnitsChild) that plans a generated set under the default budget, with the
// budget as its soft memory limit as every command sets it, and then builds every unit of
// every kind. It reports the child's peak RSS and its rows/s as a ratio to a plain
// encoding/csv read of the same files in the same run. Sizes come from -bench-rows.
func BenchmarkMemoryUnits(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "chatmigrate")
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build the generator with")
	}
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, s := range strings.Split(*benchRows, ",") {
		dir := benchSet(b, bin, parseRows(b, s))
		b.Run("plan_units_"+strings.TrimSpace(s), func(b *testing.B) {
			for b.Loop() {
				plain, n := plainRead(b, dir)
				cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryUnitsChild$", "-test.v")
				cmd.Env = append(os.Environ(), unitsChildEnv+"="+dir, "TMPDIR="+b.TempDir())
				start := time.Now()
				out, err := cmd.CombinedOutput()
				took := time.Since(start)
				if err != nil || !strings.Contains(string(out), "units ") {
					b.Fatalf("child: %v\n%s", err, out)
				}
				ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				if !ok {
					b.Skip("no rusage on this system")
				}
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak_rss_MiB")
				b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
				b.ReportMetric(plain.Seconds()/took.Seconds(), "units/plain")
			}
		})
	}
}

// TestMemoryUnitsChild is BenchmarkMemoryUnits' child, run only by it: it plans the set named
// by the environment and builds every unit, failing on any problem.
func TestMemoryUnitsChild(t *testing.T) {
	dir := os.Getenv(unitsChildEnv)
	if dir == "" {
		t.Skip("run by BenchmarkMemoryUnits as its child")
	}
	setMemoryLimit(migrate.DefaultMemory)
	in := sources.Inputs{Topics: []string{filepath.Join(dir, "topics.csv")},
		FriendGroups:  []string{filepath.Join(dir, "friend_groups.csv")},
		ContactGroups: []string{filepath.Join(dir, "contact_groups.csv")}}
	invalid := 0
	ctx := context.Background()
	p, err := migrate.BuildPlan(ctx, in, migrate.PlanOptions{TempDir: os.TempDir(), OnProblem: func(pr migrate.Problem) {
		if !pr.Warning {
			invalid++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if invalid > 0 {
		t.Fatalf("%d invalid records in the generated set %s", invalid, dir)
	}
	units := map[sources.Kind]int{}
	for _, k := range sources.Kinds {
		if err := p.Units(ctx, k, func(*migrate.Unit) error { units[k]++; return nil }); err != nil {
			t.Fatal(err)
		}
		if units[k] != p.Stats[k].Units {
			t.Fatalf("%s: %d units built, the plan counted %d", k, units[k], p.Stats[k].Units)
		}
	}
	fmt.Printf("units %v\n", units)
}
