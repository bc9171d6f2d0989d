package migrate

import (
	"testing"

	"github.com/chatmigrate/chatmigrate/sources"
)

// TestContentKey: a unit's key follows what it sends and asks for, never where the input has
// it, and tells its kind.
func TestContentKey(t *testing.T) {
	base := Item{Pos: sources.Pos{File: "in/t.csv", Line: 2}, From_Account: "u1", GroupId: "@TGS#_g", GroupName: "work",
		To_Account: "u2", ToGroupId: "", Type: 1, TopicName: "n", Op: opAdd, NewGroupName: "", TopicId: "@TGS#_g@TOPIC#_x",
		CustomString: "c", FaceUrl: "f", Notification: "no", Introduction: "in", CreateTime: "1700000000", TypeText: ""}
	key := func(k sources.Kind, items ...Item) uint64 { return contentKey(k, "u1", items) }
	ref := key(sources.ContactGroups, base)

	moved := base
	moved.Pos = sources.Pos{File: "other/t.csv", Line: 99}
	if key(sources.ContactGroups, moved) != ref {
		t.Error("moving a row changed its unit's key")
	}
	for name, edit := range map[string]func(*Item){
		"From_Account": func(it *Item) { it.From_Account = "u9" },
		"GroupId":      func(it *Item) { it.GroupId = "@TGS#_h" },
		"GroupName":    func(it *Item) { it.GroupName = "play" },
		"To_Account":   func(it *Item) { it.To_Account = "u3" },
		"ToGroupId":    func(it *Item) { it.ToGroupId = "@TGS#_h" },
		"Type":         func(it *Item) { it.Type = 2 },
		"TopicName":    func(it *Item) { it.TopicName = "m" },
		"Op":           func(it *Item) { it.Op = opRemove },
		"NewGroupName": func(it *Item) { it.NewGroupName = "jobs" },
		"TopicId":      func(it *Item) { it.TopicId = "" },
		"CustomString": func(it *Item) { it.CustomString = "d" },
		"FaceUrl":      func(it *Item) { it.FaceUrl = "g" },
		"Notification": func(it *Item) { it.Notification = "yes" },
		"Introduction": func(it *Item) { it.Introduction = "out" },
		"CreateTime":   func(it *Item) { it.CreateTime = "1700000001" },
		"TypeText":     func(it *Item) { it.TypeText = "x" },
		// Fields that move a byte from one to the next must not meet.
		"boundary": func(it *Item) { it.GroupName, it.To_Account = "wor", "ku2" },
	} {
		t.Run(name, func(t *testing.T) {
			it := base
			edit(&it)
			if key(sources.ContactGroups, it) == ref {
				t.Errorf("editing %s kept the unit's key", name)
			}
		})
	}
	if key(sources.ContactGroups, base, base) == ref {
		t.Error("a second item kept the unit's key")
	}
	if contentKey(sources.ContactGroups, "u2", []Item{base}) == ref {
		t.Error("another Key kept the unit's key")
	}
	for _, k := range sources.Kinds {
		if got := contentKind(key(k, base)); got != k {
			t.Errorf("contentKind of a %s key = %s", k, got)
		}
	}
	if key(sources.FriendGroups, base)<<2 == ref<<2 {
		t.Error("the kind is not part of the hash")
	}
	topic := &sources.Topic{Pos: base.Pos, GroupId: "@TGS#_g", TopicName: "n"}
	if topicContentKey(topic) != contentKey(sources.Topics, topic.GroupId, []Item{topicItem(topic)}) {
		t.Error("topicContentKey differs from the key topicUnits gives")
	}
}
