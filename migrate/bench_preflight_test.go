package migrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// benchIdeal is the least time the requests the emulator saw take at its limits: per
// endpoint, its requests (reads and retries included) at 200/s (account_check at 100/s); the
// busiest endpoint's.
func benchIdeal(m chatsim.Metrics) time.Duration {
	var ideal time.Duration
	for path, em := range m.Endpoints {
		rps := float64(chatapi.DefaultRPS)
		if path == chatapi.PathAccountCheck {
			rps = chatapi.AccountCheckRPS
		}
		ideal = max(ideal, time.Duration(float64(em.Requests)/rps*float64(time.Second)))
	}
	return ideal
}

// BenchmarkTargetReads: what knowing the target costs on BenchmarkRunSaturation's data set,
// against the emulator at 200/s per endpoint with 20-50 ms of latency.
//
//   - run: a run on an empty target, reads (get_topic per Community, a user's read before
//     its writes) counted: wall time over the busiest endpoint's requests at its limit
//     (target <= 1.10), and the share of get_topic reads in the requests.
//   - rerun: the same run again with a new checkpoint (every item is there): only reads, wall
//     over ideal as above (target <= 1.10), and the writes it sent (target 0 for topics).
//   - validate_online: migrate.Preflight, as validate --online, on the target the run left:
//     its time over its reads at the read endpoints' limits (target <= 1.10), and the
//     throttle answers (the emulator shares the machine: under load they appear and the
//     ratio grows).
func BenchmarkTargetReads(b *testing.B) {
	cfg := synth.Config{Seed: 1, Topics: 2400, FriendMemberships: 16_000, Users: 1600, ContactMemberships: 16_000}
	p := benchPlan(b, benchInputs(b, cfg))
	latency := chatsim.Faults{LatencyMin: 20 * time.Millisecond, LatencyMax: 50 * time.Millisecond}
	run := func(b *testing.B, s *benchSim) (time.Duration, *migrate.Summary) {
		reports := benchOpenReports(b)
		defer benchCloseReports(b, reports)
		start := time.Now()
		sum, err := migrate.Execute(context.Background(), p, migrate.ExecOptions{API: newBenchClient(b, s.srv.URL), Admin: benchAdmin, Reports: reports})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start), sum
	}
	b.Run("run", func(b *testing.B) {
		var ratio, reads float64
		for b.Loop() {
			s := newBenchSim(b, chatsim.Config{RPS: chatapi.DefaultRPS, Faults: latency})
			wall, _ := run(b, s)
			m := s.sim.Metrics()
			ratio = wall.Seconds() / benchIdeal(m).Seconds()
			reads = float64(m.Endpoints[chatapi.PathGetTopic].Requests) / float64(m.Total.Requests)
		}
		b.ReportMetric(ratio, "wall/ideal")
		b.ReportMetric(reads, "get_topic/requests")
	})
	b.Run("rerun", func(b *testing.B) {
		var ratio float64
		var imports int64
		for b.Loop() {
			s := newBenchSim(b, chatsim.Config{RPS: -1})
			run(b, s) // fill the target at full speed
			// The same target behind a limited emulator: the rerun's reads at 200/s.
			limited := newBenchSim(b, chatsim.Config{RPS: chatapi.DefaultRPS, Faults: latency,
				World: &chatsim.World{Lenient: true, Existing: ptr(s.sim.Dump())}})
			wall, sum := run(b, limited)
			if ks := sum.Kinds[sources.Topics]; ks.Skipped != p.Stats[sources.Topics].Items || ks.Failed != 0 {
				b.Fatalf("rerun topics: %+v", ks)
			}
			m := limited.sim.Metrics()
			ratio = wall.Seconds() / benchIdeal(m).Seconds()
			imports = m.Endpoints[chatapi.PathImportTopic].Requests
		}
		b.ReportMetric(ratio, "wall/ideal")
		b.ReportMetric(float64(imports), "imports")
	})
	b.Run("validate_online", func(b *testing.B) {
		var ratio, reads, throttled float64
		for b.Loop() {
			s := newBenchSim(b, chatsim.Config{RPS: chatapi.DefaultRPS, Faults: latency})
			res, err := migrate.Preflight(context.Background(), p, migrate.PreflightOptions{API: newBenchClient(b, s.srv.URL), Admin: benchAdmin})
			if err != nil {
				b.Fatal(err)
			}
			if !res.Clear() {
				b.Fatalf("an empty lenient target predicts failures: %+v", res.Kinds)
			}
			ratio = res.Elapsed.Seconds() / res.Ideal.Seconds()
			throttled = float64(s.sim.Metrics().Total.Throttled)
			reads = 0
			for _, n := range res.Reads {
				reads += float64(n)
			}
		}
		b.ReportMetric(ratio, "time/ideal")
		b.ReportMetric(reads, "reads")
		b.ReportMetric(throttled, "throttled")
	})
}

func ptr[T any](v T) *T { return &v }
