// Package simtest holds what the end-to-end tests of the packages that drive chatsim share:
// the check that a suite leaves the emulator's target in one state whichever reading of the
// vendor's open questions the emulator follows. It is imported by tests only.
package simtest

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

// SameTarget checks that a suite leaves the target in one state whichever reading the
// emulator follows: the first state it is shown is the reference for the others.
type SameTarget struct {
	since int64 // when the suite started: a later CreateTime is the emulator's own stamp
	name  string
	state *chatsim.State
}

// NewSameTarget starts a suite's check; make it before the suite's first run.
func NewSameTarget() *SameTarget { return &SameTarget{since: time.Now().Unix()} }

// Check compares st, the final state of the subtest t (named by its reading), with the first
// one seen.
func (s *SameTarget) Check(t testing.TB, st chatsim.State) {
	t.Helper()
	st = Normal(Copy(t, st), s.since)
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
			t.Errorf("%s under %s differ from those under %s:\n got %v\nwant %v", part.what, t.Name(), s.name, part.got, part.want)
		}
	}
}

// Normal blanks, in st, what the emulator generates and which differs from run to run
// (topics' generated TopicIds, CreateTimes stamped since the Unix time since, conversation
// groups' GroupIds: a create whose answer was lost may use up an ID), and sorts by name what
// was sorted by those, so that equal content compares equal. It changes st's maps in place.
func Normal(st chatsim.State, since int64) chatsim.State {
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

// Copy is a deep copy of st, so that normalizing it leaves the caller's alone.
func Copy(t testing.TB, st chatsim.State) chatsim.State {
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
