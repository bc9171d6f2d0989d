package main

import (
	"testing"

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
