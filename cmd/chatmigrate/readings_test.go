package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// readings are the emulator's readings of the vendor's open questions that the end-to-end
// suites run under, each named by the --sim-dialect value that selects it (to replay a
// failure by hand): chatsim's presets. Their lost answers applied everything (default) or,
// drawn per request, everything or nothing (strictest, silent).
func readings() []string { return chatsim.DialectNames() }

// eachReading runs f as a subtest per reading, the reading in the subtest's name so that CI's
// output shows which ran. They run one after the other: the machine has two cores.
func eachReading(t *testing.T, f func(t *testing.T, spec string, d chatsim.Dialect)) {
	t.Helper()
	for _, spec := range readings() {
		d, err := chatsim.ParseDialect(spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(spec, func(t *testing.T) { f(t, spec, d) })
	}
}

// sameTarget checks that a suite leaves the target in one state whichever reading the
// emulator follows: the first state it is shown is the reference for the others.
type sameTarget struct {
	since int64 // when the suite started: a later CreateTime is the emulator's own stamp
	name  string
	state *chatsim.State
}

func newSameTarget() *sameTarget { return &sameTarget{since: time.Now().Unix()} }

// check compares st, the final state of the subtest t, with the first one seen.
func (s *sameTarget) check(t testing.TB, st chatsim.State) {
	t.Helper()
	st = normalTarget(copyState(t, st), s.since)
	if s.state == nil {
		s.name, s.state = t.Name(), &st
		return
	}
	for _, part := range []struct {
		what      string
		got, want any
	}{
		{"topics", st.Topics, s.state.Topics},
		{"friend groups", st.FriendGroups, s.state.FriendGroups},
		{"conversation groups", st.ContactGroups, s.state.ContactGroups},
	} {
		if !reflect.DeepEqual(part.got, part.want) {
			t.Errorf("%s after %s differ from those after %s:\n got %v\nwant %v", part.what, t.Name(), s.name, part.got, part.want)
		}
	}
}

// normalTarget is normalState with, in addition, what differs from run to run without a
// difference in content blanked: CreateTimes the emulator stamped (since the Unix time since)
// and conversation groups' GroupIds (a create whose answer was lost may use up an ID), the
// groups sorted by name instead.
func normalTarget(st chatsim.State, since int64) chatsim.State {
	st = normalState(st)
	for _, ts := range st.Topics {
		for i := range ts {
			if ts[i].CreateTime >= since {
				ts[i].CreateTime = 0
			}
		}
	}
	for _, gs := range st.ContactGroups {
		for i := range gs {
			gs[i].GroupId = 0
		}
		slices.SortFunc(gs, func(a, b chatsim.ContactGroup) int { return strings.Compare(a.GroupName, b.GroupName) })
	}
	return st
}

// checkNoDuplicates fails the test if the target holds a topic twice in a Community (by
// name) or two conversation groups of one name for a user.
func checkNoDuplicates(t testing.TB, st chatsim.State) {
	t.Helper()
	for g, ts := range st.Topics {
		seen := make(map[string]bool)
		for _, tp := range ts {
			if seen[tp.TopicName] {
				t.Errorf("community %s holds topic %q twice", g, tp.TopicName)
			}
			seen[tp.TopicName] = true
		}
	}
	for user, gs := range st.ContactGroups {
		seen := make(map[string]bool)
		for _, g := range gs {
			if seen[g.GroupName] {
				t.Errorf("user %s has two conversation groups named %q", user, g.GroupName)
			}
			seen[g.GroupName] = true
		}
	}
}

// copyState is a deep copy of st, so that normalizing it leaves the caller's alone.
func copyState(t testing.TB, st chatsim.State) chatsim.State {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var c chatsim.State
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
