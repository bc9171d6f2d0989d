package migrate

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim/simtest"
	"github.com/chatmigrate/chatmigrate/samples/golden"
	"github.com/chatmigrate/chatmigrate/sources"
)

// tamperMixed edits the target behind the migration's back: a topic deleted (one without an
// input TopicId), a field changed, friends removed (one from the group of 1500), an extra
// friend group, and a conversation moved between groups.
func tamperMixed(s *chatsim.State, twoID string) {
	s.Topics["@TGS#_a"] = slices.DeleteFunc(s.Topics["@TGS#_a"], func(tp chatsim.Topic) bool { return tp.TopicId == twoID })
	for i := range s.Topics["@TGS#_a"] {
		if tp := &s.Topics["@TGS#_a"][i]; tp.TopicName == "one" {
			tp.CustomString = "hacked"
		}
	}
	fg := s.FriendGroups["u1"]
	fg["best"] = slices.DeleteFunc(fg["best"], func(m string) bool { return m == "u3" })
	fg["intruder"] = []string{"u9"}
	s.FriendGroups["u2"]["many"] = slices.DeleteFunc(s.FriendGroups["u2"]["many"], func(m string) bool { return m == "f0700" })
	u2 := chatapi.ContactItem{Type: 1, To_Account: "u2"}
	for i := range s.ContactGroups["u1"] {
		g := &s.ContactGroups["u1"][i]
		switch g.GroupName {
		case "c1":
			g.Contacts = slices.DeleteFunc(g.Contacts, func(c chatapi.ContactItem) bool { return c == u2 })
		case "c2":
			g.Contacts = append(g.Contacts, u2)
		}
	}
}

// TestVerifyTampered: under every reading, verify finds what changed behind the migration's
// back, and run of its missing files fills exactly the gaps.
func TestVerifyTampered(t *testing.T) {
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		r := newVerifyRigUnder(t, d)
		runOut, out := t.TempDir(), t.TempDir()
		r.migrate(t, r.in, runOut)
		twoID := topicIDOf(t, runOut, "@TGS#_a", "two")
		r.sim.Tamper(func(s *chatsim.State) { tamperMixed(s, twoID) })

		res, err := r.verify(t, runOut, out, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Equal() {
			t.Error("Equal after tampering")
		}
		checkVerifyCounts(t, res, map[sources.Kind]vCounts{
			sources.Topics:        {checked: 5, equal: 3, missing: 1, differs: 1},
			sources.FriendGroups:  {checked: 4, equal: 2, missing: 2, extra: 1},
			sources.ContactGroups: {checked: 5, equal: 3, missing: 1, extra: 1},
		})
		rows := diffRows(t, out)
		got := strings.ReplaceAll(strings.Join(rows, "\n")+"\n", twoID, "<TopicId of two>")
		golden.Check(t, filepath.Join("testdata", "verify", "tamper_diff.golden"), []byte(got))
		wantLines := map[sources.Kind]string{
			sources.Topics:        `{"GroupId":"@TGS#_a","TopicName":"two","CustomString":"cs2"}` + "\n",
			sources.FriendGroups:  `{"From_Account":"u1","GroupName":"best","To_Account":["u3"]}` + "\n" + `{"From_Account":"u2","GroupName":"many","To_Account":["f0700"]}` + "\n",
			sources.ContactGroups: `{"From_Account":"u1","GroupName":"c1","ContactItem":[{"Type":1,"To_Account":"u2"}]}` + "\n",
		}
		for k, want := range wantLines {
			if got := sortedLines(readOrEmpty(filepath.Join(out, MissingFile(k)))); got != want {
				t.Errorf("%s:\n%s\nwant:\n%s", MissingFile(k), got, want)
			}
		}

		// Fed back to run, the missing files fill exactly the gaps: what is left is what run
		// cannot fix (a changed field, extra groups and members).
		var missing sources.Inputs
		for _, k := range sources.Kinds {
			p := filepath.Join(out, MissingFile(k))
			switch k {
			case sources.Topics:
				missing.Topics = append(missing.Topics, p)
			case sources.FriendGroups:
				missing.FriendGroups = append(missing.FriendGroups, p)
			case sources.ContactGroups:
				missing.ContactGroups = append(missing.ContactGroups, p)
			}
		}
		r.migrate(t, missing, t.TempDir())
		out2 := t.TempDir()
		res, err = r.verify(t, runOut, out2, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, row := range rows {
			if !strings.Contains(row, ","+DiffMissing+",") {
				left = append(left, row)
			}
		}
		if got := diffRows(t, out2); !slices.Equal(got, left) {
			t.Errorf("after refilling, diff.csv:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(left, "\n"))
		}
		for _, k := range sources.Kinds {
			if n := res.Summary.Kinds[k].Missing; n != 0 {
				t.Errorf("%s: %d missing after refilling", k, n)
			}
		}
	})
}

func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// TestVerifyRefill deletes things only (what run can restore): verify lists them, its
// missing_*.jsonl fed to run restore them, and verify then finds everything equal, under
// every reading, to the same state.
func TestVerifyRefill(t *testing.T) {
	same := simtest.NewSameTarget()
	eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
		r := newVerifyRigUnder(t, d)
		runOut, out := t.TempDir(), t.TempDir()
		r.migrate(t, r.in, runOut)
		twoID := topicIDOf(t, runOut, "@TGS#_a", "two")
		r.sim.Tamper(func(s *chatsim.State) {
			s.Topics["@TGS#_a"] = slices.DeleteFunc(s.Topics["@TGS#_a"], func(tp chatsim.Topic) bool { return tp.TopicId == twoID })
			delete(s.Topics, "@TGS#_b") // "three" and "four" (which has an input TopicId)
			fg := s.FriendGroups["u1"]
			fg["best"] = slices.DeleteFunc(fg["best"], func(m string) bool { return m == "u3" })
			delete(fg, "work")
			delete(fg, "empty")
			delete(s.FriendGroups, "u2") // the group of 1500
			cs := s.ContactGroups["u1"]
			cs = slices.DeleteFunc(cs, func(g chatsim.ContactGroup) bool { return g.GroupName == "c3new" })
			for i := range cs {
				if cs[i].GroupName == "c1" {
					cs[i].Contacts = cs[i].Contacts[1:]
				}
			}
			s.ContactGroups["u1"] = cs
			for i := range s.ContactGroups["u2"] {
				if g := &s.ContactGroups["u2"][i]; g.GroupName == "big" {
					g.Contacts = slices.Delete(g.Contacts, 3, 9)
				}
			}
		})
		res, err := r.verify(t, runOut, out, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		checkVerifyCounts(t, res, map[sources.Kind]vCounts{
			sources.Topics:        {checked: 5, equal: 2, missing: 3},
			sources.FriendGroups:  {checked: 4, equal: 0, missing: 4},
			sources.ContactGroups: {checked: 5, equal: 2, missing: 1 + 1 + 6},
		})

		missing := sources.Inputs{
			Topics:        []string{filepath.Join(out, MissingFile(sources.Topics))},
			FriendGroups:  []string{filepath.Join(out, MissingFile(sources.FriendGroups))},
			ContactGroups: []string{filepath.Join(out, MissingFile(sources.ContactGroups))},
		}
		r.migrate(t, missing, t.TempDir())
		// The old topic_ids.csv still names the deleted "two": verify finds its new copy by name.
		res, err = r.verify(t, runOut, t.TempDir(), nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		checkVerifyCounts(t, res, allEqual)
		if !res.Equal() {
			t.Error("not equal after refilling")
		}
		same.Check(t, r.sim.Dump())
	})
}
