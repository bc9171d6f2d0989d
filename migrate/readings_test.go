package migrate

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// readings are the emulator's readings of the vendor's open questions that the end-to-end
// suites run under, each named by its chatsim.ParseDialect spec (what a command line that
// selects a dialect takes, to replay a failure): every preset, and for the suites with lost
// answers also the default with lost answers that applied nothing (the presets' own lost
// answers applied everything, or for strictest and silent either, drawn by seed).
func readings(lostNothing bool) []string {
	names := chatsim.DialectNames()
	if lostNothing {
		names = append(names, "default,lost-answer="+chatsim.LostNothing)
	}
	return names
}

// eachReading runs f as a subtest per reading, the reading's spec in the subtest's name so
// that CI's output shows which ran. The subtests run one after the other: the machine has two
// cores, and parallel runs would only make each one's timing faults less predictable.
func eachReading(t *testing.T, lostNothing bool, f func(t *testing.T, d chatsim.Dialect)) {
	t.Helper()
	for _, spec := range readings(lostNothing) {
		d, err := chatsim.ParseDialect(spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(spec, func(t *testing.T) { f(t, d) })
	}
}

// sameTarget checks that a suite leaves the target in one state whichever reading the
// emulator follows: the first reading's state is the reference for the others.
type sameTarget struct {
	since int64 // when the suite started: a later CreateTime is the emulator's own stamp
	name  string
	state *chatsim.State
}

func newSameTarget() *sameTarget { return &sameTarget{since: time.Now().Unix()} }

// check compares st, the final state of the subtest t (named by its reading), with the first
// one seen.
func (s *sameTarget) check(t testing.TB, st chatsim.State) {
	t.Helper()
	name := t.Name()
	st = normalTarget(copyState(t, st), s.since)
	if s.state == nil {
		s.name, s.state = name, &st
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
			t.Errorf("%s under %s differ from those under %s:\n got %v\nwant %v", part.what, name, s.name, part.got, part.want)
		}
	}
}

// normalTarget blanks what the emulator generates, which differs from run to run (topics'
// TopicIds, CreateTimes stamped since the Unix time since, conversation groups' GroupIds: a
// create whose answer was lost may use up an ID), and sorts by name what was sorted by those,
// so that equal content compares equal.
func normalTarget(st chatsim.State, since int64) chatsim.State {
	for _, ts := range st.Topics {
		for i := range ts {
			if strings.Contains(ts[i].TopicId, chatapi.TopicMarker+"@TOPIC#c") {
				ts[i].TopicId = ""
			}
			if ts[i].CreateTime >= since {
				ts[i].CreateTime = 0
			}
		}
		slices.SortFunc(ts, func(a, b chatsim.Topic) int { return strings.Compare(a.TopicName, b.TopicName) })
	}
	for _, gs := range st.ContactGroups {
		for i := range gs {
			gs[i].GroupId = 0
		}
		slices.SortFunc(gs, func(a, b chatsim.ContactGroup) int { return strings.Compare(a.GroupName, b.GroupName) })
	}
	return st
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
