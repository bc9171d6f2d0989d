package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

var writers = []struct {
	kind  sources.Kind
	write func(context.Context, io.Writer, Config) error
	count func(Config) int
}{
	{sources.Topics, WriteTopics, func(c Config) int { return c.Topics }},
	{sources.FriendGroups, WriteFriendGroups, func(c Config) int { return c.FriendMemberships }},
	{sources.ContactGroups, WriteContactGroups, func(c Config) int { return c.ContactMemberships }},
}

// small is big enough for a heavy user, identical sets and empty groups, and quick to check.
var small = Config{Seed: 7, Topics: 1000, FriendMemberships: 12000, Users: 1000, ContactMemberships: 5000}

func variants(base Config) []Config {
	var out []Config
	for _, f := range []sources.Format{sources.CSV, sources.JSONL} {
		for _, sorted := range []bool{true, false} {
			c := base
			c.Format, c.Sorted = f, sorted
			out = append(out, c)
		}
	}
	return out
}

func name(c Config) string {
	s := "csv"
	if c.Format == sources.JSONL {
		s = "jsonl"
	}
	if c.Sorted {
		return s + "/sorted"
	}
	return s + "/unsorted"
}

func generate(t *testing.T, write func(context.Context, io.Writer, Config) error, c Config) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(context.Background(), &buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	for _, c := range variants(small) {
		for _, w := range writers {
			t.Run(name(c)+"/"+string(w.kind), func(t *testing.T) {
				a, b := generate(t, w.write, c), generate(t, w.write, c)
				if !bytes.Equal(a, b) {
					t.Fatal("same seed, different bytes")
				}
				other := c
				other.Seed++
				if bytes.Equal(a, generate(t, w.write, other)) {
					t.Fatal("another seed gave the same bytes")
				}
			})
		}
	}
}

// TestCounts checks the memberships (or topics) written equal the configured counts, read
// back through the project's own readers.
func TestCounts(t *testing.T) {
	for _, c := range variants(small) {
		t.Run(name(c), func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteDir(context.Background(), dir, c); err != nil {
				t.Fatal(err)
			}
			got := readBack(t, dir, c.Format)
			for _, w := range writers {
				if got[w.kind] != w.count(c) {
					t.Errorf("%s: %d written, want %d", w.kind, got[w.kind], w.count(c))
				}
			}
		})
	}
}

// readBack counts topics, and memberships of the group kinds (an empty friend group counts
// one), reading dir with package sources.
func readBack(t *testing.T, dir string, f sources.Format) map[sources.Kind]int {
	t.Helper()
	n := map[sources.Kind]int{}
	tr, err := sources.OpenTopics(filepath.Join(dir, FileName(sources.Topics, f)))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for _, err := tr.Next(); !errors.Is(err, io.EOF); _, err = tr.Next() {
		if err != nil {
			t.Fatal(err)
		}
		n[sources.Topics]++
	}
	fr, err := sources.OpenFriendGroups(filepath.Join(dir, FileName(sources.FriendGroups, f)))
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	for r, err := fr.Next(); !errors.Is(err, io.EOF); r, err = fr.Next() {
		if err != nil {
			t.Fatal(err)
		}
		n[sources.FriendGroups] += max(1, len(r.To_Account))
	}
	cr, err := sources.OpenContactGroups(filepath.Join(dir, FileName(sources.ContactGroups, f)))
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	for r, err := cr.Next(); !errors.Is(err, io.EOF); r, err = cr.Next() {
		if err != nil {
			t.Fatal(err)
		}
		n[sources.ContactGroups] += len(r.ContactItem)
	}
	return n
}

// TestShape checks the skew the benchmarks rely on: a user with thousands of friends, many with
// a handful, empty groups, identical member sets; and the per-user limits of
// docs/vendor-api.md, "Limits".
func TestShape(t *testing.T) {
	c := small
	c.Sorted = true
	rows, err := csv.NewReader(bytes.NewReader(generate(t, WriteFriendGroups, c))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type group = map[string]bool
	users := map[string]map[string]group{}
	for _, r := range rows[1:] {
		u, g, f := r[0], r[1], r[2]
		if users[u] == nil {
			users[u] = map[string]group{}
		}
		if users[u][g] == nil {
			users[u][g] = group{}
		}
		if f != "" {
			if users[u][g][f] {
				t.Fatalf("%s/%s: %s twice", u, g, f)
			}
			users[u][g][f] = true
		}
	}
	var big, handful, empty, identical int
	for u, groups := range users {
		friends := map[string]bool{}
		sets := map[string]bool{}
		for g, members := range groups {
			if len(g) > chatapi.MaxFriendGroupNameBytes {
				t.Errorf("%s: group name %q is %d bytes", u, g, len(g))
			}
			if len(members) == 0 {
				empty++
			}
			var keys []string
			for f := range members {
				friends[f] = true
				keys = append(keys, f)
			}
			if f := members[u]; f {
				t.Errorf("%s is its own friend", u)
			}
			key := strings.Join(sortStrings(keys), ",")
			if len(members) > 0 && sets[key] {
				identical++
			}
			sets[key] = true
		}
		if len(groups) > chatapi.MaxFriendGroupsPerUser || len(friends) > chatapi.MaxFriendsPerUser {
			t.Errorf("%s: %d groups, %d friends", u, len(groups), len(friends))
		}
		switch {
		case len(friends) >= 1000:
			big++
		case len(friends) <= 5:
			handful++
		}
	}
	if big == 0 || handful < len(users)/2 || empty == 0 || identical == 0 {
		t.Errorf("skew: %d users with >=1000 friends, %d of %d with <=5, %d empty groups, %d identical sets",
			big, handful, len(users), empty, identical)
	}
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// TestValidForPlan runs the project's own validation over every variant: not one problem,
// not even a warning.
func TestValidForPlan(t *testing.T) {
	for _, c := range variants(small) {
		t.Run(name(c), func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteDir(context.Background(), dir, c); err != nil {
				t.Fatal(err)
			}
			var in sources.Inputs
			if err := in.AddDir(dir); err != nil {
				t.Fatal(err)
			}
			var probs []migrate.Problem
			p, err := migrate.BuildPlan(context.Background(), in, migrate.PlanOptions{
				Now:       func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
				OnProblem: func(pr migrate.Problem) { probs = append(probs, pr) },
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, pr := range probs {
				if i == 5 {
					break
				}
				t.Error(pr)
			}
			if len(probs) > 0 {
				t.Fatalf("%d problems", len(probs))
			}
			if p.Stats[sources.Topics].Valid != c.Topics {
				t.Errorf("topics: %d valid, want %d", p.Stats[sources.Topics].Valid, c.Topics)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative", Config{Topics: -1}},
		{"format", Config{Topics: 1, Format: 9}},
		{"topics per community", Config{Topics: 201, Groups: 2}},
		{"friends per user", Config{FriendMemberships: MaxFriendRowsPerUser + 1, Users: 1}},
		{"conversations per user", Config{ContactMemberships: MaxContactRowsPerUser*2 + 1, Users: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := WriteDir(context.Background(), t.TempDir(), tt.cfg); !errors.Is(err, ErrConfig) {
				t.Fatalf("got %v, want ErrConfig", err)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WriteFriendGroups(ctx, io.Discard, Config{FriendMemberships: 100000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
