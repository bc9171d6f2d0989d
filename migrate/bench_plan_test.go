package migrate_test

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// benchPlanAll builds the plan of in and drains the units of every kind, the whole local work
// that comes before the first request: it returns the plan and the units of each kind.
func benchPlanAll(b *testing.B, in sources.Inputs) (*migrate.Plan, map[sources.Kind]int) {
	b.Helper()
	p := benchBuildPlan(b, in)
	return p, benchDrainUnits(b, p)
}

// benchBuildPlan builds the plan of in, what `chatmigrate validate` does, and fails on any
// invalid record.
func benchBuildPlan(b *testing.B, in sources.Inputs) *migrate.Plan {
	b.Helper()
	invalid := 0
	p, err := migrate.BuildPlan(context.Background(), in, migrate.PlanOptions{Now: benchNow, OnProblem: func(pr migrate.Problem) {
		if !pr.Warning {
			invalid++
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	if invalid > 0 {
		b.Fatalf("%d invalid records in generated input %s", invalid, benchDirOf(in))
	}
	return p
}

// benchDrainUnits builds every unit of p, as a run does before it sends them, and returns the
// units of each kind.
func benchDrainUnits(b *testing.B, p *migrate.Plan) map[sources.Kind]int {
	b.Helper()
	units := map[sources.Kind]int{}
	for _, k := range sources.Kinds {
		if err := p.Units(context.Background(), k, func(*migrate.Unit) error { units[k]++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	return units
}

// benchFriendBaselines computes, from the friend-groups CSV alone, the request counts of the
// simple packings the plan must never lose to, with its own code (not the plan's):
//
//   - naive: one request per group per 1000 members (an empty group: one request);
//   - best: per user, the better of per-group packing (each group on its own, per 1000
//     members; empty groups 32 to a request) and identical-set packing (groups with the same
//     member set share requests, 32 groups and 1000 members at a time).
func benchFriendBaselines(b *testing.B, path string) (naive, best int) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	if _, err := cr.Read(); err != nil { // header
		b.Fatal(err)
	}
	users := map[string]map[string][]string{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		u, g := users[rec[0]], rec[1]
		if u == nil {
			u = map[string][]string{}
			users[rec[0]] = u
		}
		if rec[2] == "" {
			if u[g] == nil {
				u[g] = []string{} // an empty group: declared, no members
			}
		} else {
			u[g] = append(u[g], rec[2])
		}
	}
	per := func(n, limit int) int { return (n + limit - 1) / limit }
	for _, groups := range users {
		empty, perGroup := 0, 0
		sets := map[string][2]int{} // member-set key -> groups, members
		for _, members := range groups {
			if len(members) == 0 {
				empty++
				naive++
				continue
			}
			naive += per(len(members), chatapi.MaxFriendsPerReq)
			perGroup += per(len(members), chatapi.MaxFriendsPerReq)
			slices.Sort(members)
			key := strings.Join(members, "\x00")
			s := sets[key]
			sets[key] = [2]int{s[0] + 1, len(members)}
		}
		identical := 0
		for _, s := range sets {
			identical += per(s[0], chatapi.MaxFriendGroupsPerReq) * per(s[1], chatapi.MaxFriendsPerReq)
		}
		empties := per(empty, chatapi.MaxFriendGroupsPerReq)
		best += min(perGroup, identical) + empties
	}
	return naive, best
}

// issue10GroupAdds is what the planner before issue 11 sent to sns/group_add for the
// 300k-membership set below, group_add being its only endpoint. Today's plan must not load
// either write endpoint more: each endpoint has a rate limit of its own, so the busier one
// sets the run's length.
const issue10GroupAdds = 46_781

// BenchmarkFriendRequests: requests planned for generated friend groups, per endpoint (one
// sns/group_get per user, the sns/group_add and sns/friend_update an empty target needs);
// the busier write endpoint must not exceed issue10GroupAdds. It also reports the simple
// packings that send everything with group_add, for scale.
func BenchmarkFriendRequests(b *testing.B) {
	cfg := synth.Config{Seed: 1, FriendMemberships: 300_000, Users: 30_000}
	in := benchInputs(b, cfg)
	naive, best := benchFriendBaselines(b, in.FriendGroups[0])
	b.Run("300k_memberships", func(b *testing.B) {
		var st *migrate.KindStats
		for b.Loop() {
			p, units := benchPlanAll(b, in)
			st = p.Stats[sources.FriendGroups]
			if st.Units != units[sources.FriendGroups] {
				b.Fatalf("stats say %d units, Units yields %d", st.Units, units[sources.FriendGroups])
			}
		}
		gets, adds, upds := st.ByEndpoint[chatapi.PathGroupGet], st.ByEndpoint[chatapi.PathGroupAdd], st.ByEndpoint[chatapi.PathFriendUpdate]
		if gets+adds+upds != st.Requests || gets != st.Units {
			b.Fatalf("requests %d, by endpoint %v, units %d", st.Requests, st.ByEndpoint, st.Units)
		}
		busiest := max(adds, upds)
		if busiest > issue10GroupAdds {
			b.Errorf("busiest write endpoint: %d requests, more than the %d of the planner before", busiest, issue10GroupAdds)
		}
		b.ReportMetric(float64(gets), "group_get_reqs")
		b.ReportMetric(float64(adds), "group_add_reqs")
		b.ReportMetric(float64(upds), "friend_update_reqs")
		b.ReportMetric(float64(busiest)/issue10GroupAdds, "busiest_write/before")
		b.ReportMetric(float64(best), "best_simple_reqs")
		b.ReportMetric(float64(naive), "naive_reqs")
	})
}

// BenchmarkValidatePlan: validate+plan rows/s (BuildPlan, then every unit drained: what `run`
// does before it sends) as a ratio to reading the same files with plain encoding/csv (CSV) or
// bufio line reading (JSONL) in the same benchmark (target: plan/plain <= 4). It also reports
// BuildPlan alone, what `chatmigrate validate` does, as validate_only/plain.
func BenchmarkValidatePlan(b *testing.B) {
	base := synth.Config{Seed: 1, Topics: 200_000, FriendMemberships: 200_000, Users: 20_000, ContactMemberships: 100_000}
	for _, f := range []struct {
		name   string
		format sources.Format
	}{{"csv", sources.CSV}, {"jsonl", sources.JSONL}} {
		cfg := base
		cfg.Format = f.format
		in := benchInputs(b, cfg)
		size := benchFileBytes(b, in)
		b.Run(f.name, func(b *testing.B) {
			var plainNs, planNs, buildNs int64
			rows := benchPlainRead(b, in) // warm the page cache: both then read from memory
			for b.Loop() {
				start := time.Now()
				rows = benchPlainRead(b, in)
				mid := time.Now()
				p := benchBuildPlan(b, in)
				built := time.Now()
				benchDrainUnits(b, p)
				plainNs += int64(mid.Sub(start))
				buildNs += int64(built.Sub(mid))
				planNs += int64(time.Since(mid))
			}
			n := float64(b.N)
			b.SetBytes(size)
			b.ReportMetric(float64(rows)/(float64(planNs)/n/1e9), "plan_rows/s")
			b.ReportMetric(float64(rows)/(float64(plainNs)/n/1e9), "plain_rows/s")
			b.ReportMetric(float64(planNs)/float64(plainNs), "plan/plain")
			b.ReportMetric(float64(buildNs)/float64(plainNs), "validate_only/plain")
		})
	}
}

// BenchmarkValidateMemory: peak heap of validate (BuildPlan, then every unit drained) over
// 1M topics (target <= 64 MiB) and over 1M friend memberships of 100k users, unsorted
// (target <= 256 MiB).
func BenchmarkValidateMemory(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  synth.Config
	}{
		{"topics_1M", synth.Config{Seed: 1, Topics: 1_000_000}},
		{"friends_1M_100k_users_unsorted", synth.Config{Seed: 1, FriendMemberships: 1_000_000, Users: 100_000}},
	} {
		in := benchInputs(b, c.cfg)
		b.Run(c.name, func(b *testing.B) {
			var peak, live float64
			for b.Loop() {
				h := benchStartHeapPeak()
				benchPlanAll(b, in)
				o, l := h.Stop()
				peak, live = max(peak, o), max(live, l)
			}
			b.ReportMetric(peak, "peak_heap_MiB")
			b.ReportMetric(live, "peak_live_MiB")
		})
	}
}
