package chatsim_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name string
		path string
		body func(i int) string
		code int
	}{
		{"group endpoint answers 10006", chatapi.PathImportTopic, func(i int) string {
			return `{"GroupId":"` + g1 + `","TopicName":"t` + string(rune('a'+i)) + `"}`
		}, chatapi.CodeGroupFreq},
		{"sns answers 60007", chatapi.PathGroupAdd, func(i int) string {
			return `{"From_Account":"alice","GroupName":["g` + string(rune('a'+i)) + `"]}`
		}, chatapi.CodeRESTRate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, chatsim.Config{RPS: 10, Burst: 3})
			var codes []int
			for i := range 5 { // the clock stands still: only the burst gets through
				codes = append(codes, h.call(tt.path, tt.body(i)).ErrorCode)
			}
			want := []int{0, 0, 0, tt.code, tt.code}
			if mustJSON(t, codes) != mustJSON(t, want) {
				t.Fatalf("codes %v, want %v", codes, want)
			}
			st := h.srv.Dump()
			if n := len(st.Topics[g1]) + len(st.FriendGroups["alice"]); n != 3 {
				t.Fatalf("%d changes stored, want the 3 admitted", n)
			}
			// Other endpoints have their own bucket.
			if res := h.call(chatapi.PathGetContactGroup, `{"From_Account":"alice","StartIndex":0}`); res.ErrorCode != 0 {
				t.Fatalf("another endpoint: ErrorCode %d", res.ErrorCode)
			}
			h.clock.Add(time.Second) // 10 tokens refill, capped at the burst of 3
			if res := h.call(tt.path, tt.body(5)); res.ErrorCode != 0 {
				t.Fatalf("after a second: ErrorCode %d", res.ErrorCode)
			}
			m := h.srv.Metrics().Endpoints[tt.path]
			if m.Requests != 6 || m.Throttled != 2 || m.OK != 4 || m.PeakPerSecond != 5 || m.PeakAdmittedPerSecond != 3 {
				t.Fatalf("metrics %+v", m)
			}
		})
	}
}

func TestDefaultsAndUnlimited(t *testing.T) {
	h := newHarness(t, chatsim.Config{RPS: -1})
	for i := range 500 {
		if res := h.call(chatapi.PathGroupGet, `{"From_Account":"u"}`); res.ErrorCode != 0 {
			t.Fatalf("request %d: ErrorCode %d with no limit", i, res.ErrorCode)
		}
	}
	// The harness maps RPS 0 to unlimited: build a default emulator directly.
	fixed := time.Now()
	srv, err := chatsim.New(chatsim.Config{SDKAppID: testApp, Key: testKey, Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{t: t, srv: srv, sig: h.sig}
	n := 0
	for range 50 {
		if h2.call(chatapi.PathGroupGet, `{"From_Account":"u"}`).ErrorCode == 0 {
			n++
		}
	}
	// Default 200/s with a burst of 200/20 = 10; the fixed clock refills nothing.
	if n != 10 {
		t.Fatalf("%d admitted with the default limit, want the burst of 10", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  chatsim.Config
	}{
		{"no app", chatsim.Config{Key: "k"}},
		{"no key", chatsim.Config{SDKAppID: 1}},
		{"rates over 1", chatsim.Config{SDKAppID: 1, Key: "k", Faults: chatsim.Faults{TransientRate: 0.6, HTTP502Rate: 0.6}}},
		{"negative rate", chatsim.Config{SDKAppID: 1, Key: "k", Faults: chatsim.Faults{HangRate: -0.1}}},
		{"latency upside down", chatsim.Config{SDKAppID: 1, Key: "k", Faults: chatsim.Faults{LatencyMin: 2, LatencyMax: 1}}},
		{"bad world", chatsim.Config{SDKAppID: 1, Key: "k", World: &chatsim.World{Communities: []chatsim.Community{{GroupId: "nope"}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := chatsim.New(tt.cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}

func TestStateAndTamper(t *testing.T) {
	h := newHarness(t, chatsim.Config{})
	h.callInto(chatapi.PathImportTopic, `{"GroupId":"`+g1+`","TopicId":"`+g1+`@TOPIC#_a","TopicName":"A","CreateTime":5}`, &chatapi.ImportTopicResponse{})
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["g"],"To_Account":["bob"]}`, &chatapi.GroupAddResponse{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "c", c2c("x")), &chatapi.CreateContactGroupResponse{})
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "d", nil), &chatapi.CreateContactGroupResponse{})

	want := `{"Topics":{"` + g1 + `":[{"TopicId":"` + g1 + `@TOPIC#_a","TopicName":"A","CreateTime":5}]},` +
		`"FriendGroups":{"alice":{"g":["bob"]}},` +
		`"ContactGroups":{"alice":[{"GroupId":1,"GroupName":"c","Contacts":[{"Type":1,"To_Account":"x"}]},{"GroupId":2,"GroupName":"d","Contacts":[]}]}}`
	if got := mustJSON(t, h.srv.Dump()); got != want {
		t.Fatalf("dump\n got %s\nwant %s", got, want)
	}
	// The HTTP view is the same document.
	rec := newRecorderBody(h, http.MethodGet, "/_sim/state")
	var viaHTTP chatsim.State
	if err := json.Unmarshal(rec, &viaHTTP); err != nil || mustJSON(t, viaHTTP) != want {
		t.Fatalf("/_sim/state: %v %s", err, rec)
	}

	// A dump is a copy: changing it changes nothing.
	d := h.srv.Dump()
	d.FriendGroups["alice"]["g"][0] = "mallory"
	if mustJSON(t, h.srv.Dump()) != want {
		t.Fatal("Dump shares memory with the state")
	}

	h.srv.Tamper(func(s *chatsim.State) {
		delete(s.Topics, g1)
		s.FriendGroups["alice"]["g"] = nil
		s.ContactGroups["alice"][1].Contacts = s.ContactGroups["alice"][0].Contacts // move x from c to d
		s.ContactGroups["alice"][0].Contacts = nil
	})
	var topics chatapi.GetTopicResponse
	h.callInto(chatapi.PathGetTopic, `{"GroupId":"`+g1+`","From_Account":"u"}`, &topics)
	if len(topics.TopicAndSelfInfo) != 0 {
		t.Fatalf("deleted topic still served: %+v", topics)
	}
	var cg chatapi.GetContactGroupResponse
	h.callInto(chatapi.PathGetContactGroup, `{"From_Account":"alice","StartIndex":0}`, &cg)
	if mustJSON(t, cg.ContactItem) != `[{"Type":1,"To_Account":"x","ContactGroupId":[2]}]` {
		t.Fatalf("moved conversation: %+v", cg.ContactItem)
	}
	// New groups after a tamper never reuse an ID, and sequences keep counting.
	var created chatapi.CreateContactGroupResponse
	h.callInto(chatapi.PathCreateContactGroup, createBody(t, "alice", "e", nil), &created)
	if id := created.GroupResultItem[0].GroupItem.GroupId; id != 3 {
		t.Fatalf("new group ID %d, want 3", id)
	}
	var added chatapi.GroupAddResponse
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["g"]}`, &added)
	if added.CurrentSequence != 2 {
		t.Fatalf("CurrentSequence %d, want 2", added.CurrentSequence)
	}
}
