package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/samples/synth"
	"github.com/chatmigrate/chatmigrate/sources"
)

// spillTunings are the spills every input is planned with besides in memory: extsort chunks
// of a few records (many chunks to merge) or many (one), and batches that end after every
// user, after a few memberships, or never.
var spillTunings = []struct {
	name string
	t    spillTuning
}{
	{"chunk1_batch1", spillTuning{force: true, chunk: 1, batch: 1}},
	{"chunk3_batch7", spillTuning{force: true, chunk: 3, batch: 7}},
	{"chunk64_batch100", spillTuning{force: true, chunk: 64, batch: 100}},
	{"one_chunk_one_batch", spillTuning{force: true, chunk: 1 << 20, batch: 1 << 30}},
}

// planDigest is everything a plan tells its callers, as text: stats, fingerprint, every unit
// of every kind, the intended state per user, and the problems (sorted: a spill reports them
// user by user).
func planDigest(t *testing.T, p *Plan, probs []Problem) string {
	t.Helper()
	var b strings.Builder
	put := func(v any) {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	put(p.Stats)
	put([]any{p.Fingerprint, p.Total})
	for _, k := range sources.Kinds {
		put(units(t, p, k))
	}
	ctx := context.Background()
	if err := p.EachFriendUser(ctx, func(user string, groups map[string][]string) error {
		put([]any{user, groups})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := p.eachContactWant(ctx, func(user string, groups map[string][]chatapi.ContactItem, changeOnly map[string]bool) error {
		put([]any{user, groups, changeOnly})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	lines := make([]string, len(probs))
	for i, pr := range probs {
		j, err := json.Marshal(pr)
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = string(j)
	}
	slices.Sort(lines)
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}

// planBoth plans in (files already on disk) in memory and with every spill tuning, and fails
// unless they all agree; it returns the in-memory digest.
func planBoth(t *testing.T, in sources.Inputs) string {
	t.Helper()
	plan := func(tune spillTuning) (string, error) {
		var probs []Problem
		opt := PlanOptions{Now: func() time.Time { return testNow }, TempDir: t.TempDir(), spill: tune,
			OnProblem: func(p Problem) { probs = append(probs, p) }}
		p, err := BuildPlan(context.Background(), in, opt)
		if p == nil {
			return "", err
		}
		defer p.Close()
		if tune.force && (in.FriendGroups != nil && p.friends.spill == nil || in.ContactGroups != nil && p.contacts.spill == nil) {
			t.Fatal("forced spill held the plan in memory")
		}
		return planDigest(t, p, probs), err
	}
	want, wantErr := plan(spillTuning{})
	for _, c := range spillTunings {
		got, err := plan(c.t)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%s: error %v, in memory %v", c.name, err, wantErr)
		}
		if got != want {
			t.Fatalf("%s: spilled plan differs from the in-memory one:\n%s", c.name, firstDiff(got, want))
		}
	}
	return want
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\n got: %.600s\nwant: %.600s", i+1, a, b)
		}
	}
	return "(no difference)"
}

// writeInputs writes files (name -> content) into a new directory and returns them as
// inputs, in name order per kind.
func writeInputs(t testing.TB, files map[string]string) sources.Inputs {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var in sources.Inputs
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(dir, name)
		switch {
		case strings.HasPrefix(name, "friend_groups"):
			in.FriendGroups = append(in.FriendGroups, path)
		case strings.HasPrefix(name, "contact_groups"):
			in.ContactGroups = append(in.ContactGroups, path)
		default:
			in.Topics = append(in.Topics, path)
		}
	}
	return in
}

// limitsInput breaks every cross-record rule, across two files of each kind whose users
// interleave: the 33rd friend group, the 3001st friend, duplicate memberships and
// declarations, the 21st conversation group, the 1001st distinct conversation, duplicate
// conversations, renames that free a name, and removes.
func limitsInput() map[string]string {
	var f1, f2, c1, c2 strings.Builder
	f1.WriteString("From_Account,GroupName,To_Account\n")
	f2.WriteString("From_Account,GroupName,To_Account\n")
	for i := range 34 {
		fmt.Fprintf(&f1, "many_groups,g%02d,x%d\n", i, i%3)
		fmt.Fprintf(&f1, "b%d,g,f\n", i%5) // other users between
	}
	for i := range 3002 {
		fmt.Fprintf(&f2, "many_friends,g%d,f%04d\n", i%4, i)
	}
	f2.WriteString("many_friends,g0,f0001\nmany_friends,g1,f0001\nmany_groups,g00,x0\nmany_groups,empty,\nb4,empty,\nb4,empty,\n")
	f2.WriteString("b1,g,f\nb1,h,\n,g,f\nb2,g,b2\nb3,,f\n")
	c1.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n")
	c2.WriteString("From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n")
	for i := range 22 {
		fmt.Fprintf(&c1, "cg,g%02d,1,a%d,,,\n", i, i)
		fmt.Fprintf(&c1, "d%d,g,2,,@TGS#%d,,\n", i%3, i)
	}
	for i := range 1002 {
		fmt.Fprintf(&c2, "cc,g%d,1,c%04d,,,\n", i%3, i)
	}
	c2.WriteString("cc,g0,1,c0000,,,\ncc,g0,1,c0000,,remove,\ncc,g1,1,c0001,,remove,\ncc,g2,1,late,,,\n")
	c2.WriteString("cg,g00,,,,rename,fresh\ncg,g00,1,again,,,\ncg,fresh,,,,rename,g01\ncg,nothing,1,z,,remove,\n")
	c2.WriteString("d1,g,3,x,,,\nd2,,1,y,,,\nd0,g,1,d0,,,\n")
	return map[string]string{"friend_groups_1.csv": f1.String(), "friend_groups_2.csv": f2.String(),
		"contact_groups_1.csv": c1.String(), "contact_groups_2.csv": c2.String()}
}

func TestSpillSamePlan(t *testing.T) {
	cases := map[string]func(t *testing.T) sources.Inputs{
		"limits": func(t *testing.T) sources.Inputs { return writeInputs(t, limitsInput()) },
		"samples": func(t *testing.T) sources.Inputs {
			var in sources.Inputs
			if err := in.AddDir("../samples"); err != nil {
				t.Fatal(err)
			}
			return in
		},
		"samples_jsonl": func(t *testing.T) sources.Inputs {
			var in sources.Inputs
			if err := in.AddDir("../samples/jsonl"); err != nil {
				t.Fatal(err)
			}
			return in
		},
	}
	dirs, err := filepath.Glob("testdata/validate/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		cases["validate_"+filepath.Base(dir)] = func(t *testing.T) sources.Inputs {
			var in sources.Inputs
			in.FriendGroups, _ = filepath.Glob(filepath.Join(dir, "friend_groups.*"))
			in.ContactGroups, _ = filepath.Glob(filepath.Join(dir, "contact_groups.*"))
			in.Topics, _ = filepath.Glob(filepath.Join(dir, "topics.*"))
			return in
		}
	}
	for _, f := range []sources.Format{sources.CSV, sources.JSONL} {
		cases[fmt.Sprintf("synth_unsorted_%v", f)] = func(t *testing.T) sources.Inputs {
			dir := t.TempDir()
			cfg := synth.Config{Seed: 3, Topics: 50, FriendMemberships: 3000, Users: 120, ContactMemberships: 2000, Format: f}
			if err := synth.WriteDir(context.Background(), dir, cfg); err != nil {
				t.Fatal(err)
			}
			var in sources.Inputs
			if err := in.AddDir(dir); err != nil {
				t.Fatal(err)
			}
			return in
		}
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			digest := planBoth(t, in(t))
			if name == "limits" {
				// The input does break each rule: the digest shows each problem.
				for _, reason := range []string{"32 friend groups", "3000 friends", "20 conversation groups",
					"1000 distinct conversations", "duplicate membership", "duplicate declaration", "duplicate conversation"} {
					if !strings.Contains(digest, reason) {
						t.Errorf("no problem says %q", reason)
					}
				}
			}
		})
	}
}

// TestSpillBatchBoundaries: wherever batches end, a user is whole in one batch, users keep
// their order, and each batch numbers its strings on its own.
func TestSpillBatchBoundaries(t *testing.T) {
	in := writeInputs(t, limitsInput())
	for _, batch := range []int{1, 2, 33, 34, 35, 3001, 3004, 1 << 20} {
		t.Run(fmt.Sprint(batch), func(t *testing.T) {
			p, err := BuildPlan(context.Background(), in, PlanOptions{Now: func() time.Time { return testNow },
				TempDir: t.TempDir(), spill: spillTuning{force: true, chunk: 50, batch: batch}})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			var users []string
			batches := 0
			err = p.friends.each(context.Background(), func(d *friendData) error {
				batches++
				return d.users(context.Background(), func(ms []membership) error {
					users = append(users, d.strs.str(ms[0].user))
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSorted(users) || len(slices.Compact(slices.Clone(users))) != len(users) {
				t.Fatalf("users out of order or split over batches: %q", users)
			}
			if want := []string{"b0", "b1", "b2", "b3", "b4", "many_friends", "many_groups"}; !slices.Equal(users, want) {
				t.Fatalf("users %q, want %q", users, want)
			}
			if batch == 1 && batches != len(users) {
				t.Fatalf("batch 1: %d batches for %d users", batches, len(users))
			}
			if batch == 1<<20 && batches != 1 {
				t.Fatalf("batch %d: %d batches, want 1", batch, batches)
			}
		})
	}
}

// openTempFiles lists the files open in this process that are (or were, unlinked) in dir.
func openTempFiles(t *testing.T, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd to see open files")
	}
	var open []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			open = append(open, target)
		}
	}
	return open
}

// unlinkedSoon reports whether the open file f of dir is unlinked or closed within a moment:
// extsort unlinks each of its files right after creating it, and with the two grouped kinds
// planned side by side one kind's progress may look between the two steps of the other's.
func unlinkedSoon(t *testing.T, dir, f string) bool {
	t.Helper()
	for range 100 {
		if !slices.Contains(openTempFiles(t, dir), f) {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// TestSpillCleanup: a spill's temporary files are unlinked at once and closed (their space
// freed) when the plan is closed, when a later file fails, and when ctx ends mid-read, as
// Ctrl-C does; nothing is left in the directory.
func TestSpillCleanup(t *testing.T) {
	files := limitsInput()
	in := writeInputs(t, files)
	tune := spillTuning{force: true, chunk: 100, batch: 50, progressAt: 100}
	check := func(t *testing.T, dir string) {
		t.Helper()
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("left in the temp dir: %v", left)
		}
		// extsort's goroutines stop before BuildPlan returns; give a closed file's
		// descriptor no grace.
		if open := openTempFiles(t, dir); len(open) > 0 {
			t.Errorf("still open: %v", open)
		}
	}
	t.Run("success_then_close", func(t *testing.T) {
		dir := t.TempDir()
		var during []string
		p, err := BuildPlan(context.Background(), in, PlanOptions{Now: func() time.Time { return testNow }, TempDir: dir, spill: tune,
			OnProgress: func(PlanProgress) {
				if during == nil {
					during = openTempFiles(t, dir)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if len(during) == 0 {
			t.Fatal("no temporary file was open in the temp dir during the spill")
		}
		for _, f := range during {
			if !strings.HasSuffix(f, " (deleted)") && !unlinkedSoon(t, dir, f) {
				t.Errorf("temporary file %s is not unlinked", f)
			}
		}
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("left in the temp dir while the plan is open: %v", left)
		}
		if open := openTempFiles(t, dir); len(open) == 0 {
			t.Error("the open plan holds no batch file")
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		check(t, dir)
	})
	t.Run("failure", func(t *testing.T) {
		dir := t.TempDir()
		broken := in
		broken.ContactGroups = append(slices.Clone(in.ContactGroups), filepath.Join(t.TempDir(), "contact_groups_missing.csv"))
		p, err := BuildPlan(context.Background(), broken, PlanOptions{Now: func() time.Time { return testNow }, TempDir: dir, spill: tune})
		if p != nil || err == nil || !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("plan %v, error %v; want no plan and the missing file", p, err)
		}
		check(t, dir)
	})
	for _, kind := range []sources.Kind{sources.FriendGroups, sources.ContactGroups} {
		t.Run("interrupted_"+string(kind), func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, err := BuildPlan(ctx, in, PlanOptions{Now: func() time.Time { return testNow }, TempDir: dir, spill: tune,
				OnProgress: func(pr PlanProgress) {
					if pr.Kind == kind && pr.Records >= 200 {
						cancel()
					}
				}})
			if p != nil || !errors.Is(err, context.Canceled) {
				t.Fatalf("plan %v, error %v; want context.Canceled", p, err)
			}
			check(t, dir)
		})
	}
}

func TestSortKeyOrder(t *testing.T) {
	users := []string{"", "\x00", "\x00\x00", "\x00\x01", "\x01", "a", "a\x00", "a\x00b", "a\x01", "ab", "b", "\xff", "\xff\x00"}
	var keys []string
	for i, u := range users {
		k := string(appendSortKey(nil, u, 2, 100+i)) + "payload"
		keys = append(keys, k)
		got, _, file, line, rest, err := splitSortKey(k)
		if err != nil || got != u || file != 2 || line != 100+i || rest != "payload" {
			t.Fatalf("%q: got %q %d %d %q %v", u, got, file, line, rest, err)
		}
	}
	if !slices.IsSorted(keys) {
		t.Fatal("keys do not sort as their users do")
	}
	// Within a user, file then line decide.
	a := string(appendSortKey(nil, "u", 0, 1<<40))
	b := string(appendSortKey(nil, "u", 1, 1))
	c := string(appendSortKey(nil, "u", 1, 2))
	if !(a < b && b < c) {
		t.Fatal("file and line do not order a user's records")
	}
	for _, bad := range []string{"", "u", "u\x00\x01short"} {
		if _, _, _, _, _, err := splitSortKey(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestShouldSpill(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "friend_groups.csv")
	if err := os.WriteFile(small, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		t      spillTuning
		budget int64
		want   bool
	}{
		{"fits", spillTuning{}, DefaultMemory, false},
		{"too big for the budget", spillTuning{}, 4 * 1000, true},
		{"forced", spillTuning{force: true}, DefaultMemory, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.t.shouldSpill(c.budget, []string{small}); got != c.want {
				t.Fatalf("shouldSpill = %v, want %v", got, c.want)
			}
		})
	}
}
