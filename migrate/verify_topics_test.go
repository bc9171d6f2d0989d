package migrate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// bigCommunity imports n topics with a CustomString of the vendor's 3000 bytes each into
// group: with n = 400 every field of every topic is over the 1 MB an answer may hold.
func bigCommunity(t *testing.T, rig *exRig, group string, n int) {
	t.Helper()
	custom := strings.Repeat("c", chatapi.MaxCustomStringBytes)
	for i := range n {
		req := &chatapi.ImportTopicRequest{GroupId: group, TopicName: fmt.Sprintf("t%03d", i), CustomString: custom,
			CreateTime: int64(1_600_000_000 + i)}
		if _, err := rig.api.ImportTopic(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTopicReadsTooBig: get_topic has no paging and its answer is capped at 1 MB (10018).
// A read of every topic of a big Community comes back whole, in pieces: the IDs listed with
// a response filter, then halves of them (issue 11, item 8). A read of names only needs the
// filter and nothing more.
func TestTopicReadsTooBig(t *testing.T) {
	const group, n = "@TGS#_big", 400
	rig := newExRig(t, chatsim.Config{}, "")
	bigCommunity(t, rig, group, n)
	q := chatapi.GetTopicRequest{GroupId: group, From_Account: exAdmin}
	if _, err := rig.api.GetTopic(context.Background(), &q); !chatapi.IsTooBig(err) {
		t.Fatalf("one read of every topic: %v, want 10018 (else the test proves nothing)", err)
	}

	for _, tc := range []struct {
		name       string
		read       func(r topicReads) ([]chatapi.TopicAndSelfInfo, error)
		fullFields bool
		maxReads   int64
	}{
		{"every field", func(r topicReads) ([]chatapi.TopicAndSelfInfo, error) { return r.all(context.Background(), q) }, true, 2 + 2 + 4},
		{"names", func(r topicReads) ([]chatapi.TopicAndSelfInfo, error) { return r.names(context.Background(), q) }, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pacer.New(pacer.Options{RPS: 100000})
			got, err := tc.read(topicReads{p, rig.api})
			if err != nil {
				t.Fatal(err)
			}
			seen := make(map[string]bool)
			for _, ts := range got {
				ti := ts.TopicInfo
				if ts.ErrorCode != 0 || seen[ti.TopicId] || !strings.HasPrefix(ti.TopicName, "t") || ti.CreateTime == 0 {
					t.Fatalf("topic %+v: an error, twice, or without name or creation time", ts)
				}
				seen[ti.TopicId] = true
				if tc.fullFields && len(ti.CustomString) != chatapi.MaxCustomStringBytes {
					t.Fatalf("topic %s read without its CustomString", ti.TopicId)
				}
			}
			if len(seen) != n {
				t.Errorf("%d topics read, want %d", len(seen), n)
			}
			if st := p.Stats(chatapi.PathGetTopic); st.Requests > tc.maxReads || st.Requests < 2 {
				t.Errorf("%d get_topic requests, want 2 to %d", st.Requests, tc.maxReads)
			}
		})
	}
}

// TestTopicReadsSmall: a read that fits is one request, whatever it asks.
func TestTopicReadsSmall(t *testing.T) {
	const group = "@TGS#_small"
	rig := newExRig(t, chatsim.Config{}, "")
	bigCommunity(t, rig, group, 3)
	p := pacer.New(pacer.Options{RPS: 100000})
	r := topicReads{p, rig.api}
	all, err := r.all(context.Background(), chatapi.GetTopicRequest{GroupId: group, From_Account: exAdmin})
	if err != nil || len(all) != 3 || len(all[0].TopicInfo.CustomString) != chatapi.MaxCustomStringBytes {
		t.Fatalf("all: %d topics, %v", len(all), err)
	}
	names, err := r.names(context.Background(), chatapi.GetTopicRequest{GroupId: group, From_Account: exAdmin})
	if err != nil || len(names) != 3 {
		t.Fatalf("names: %d topics, %v", len(names), err)
	}
	if st := p.Stats(chatapi.PathGetTopic); st.Requests != 2 {
		t.Errorf("%d get_topic requests for two small reads, want 2", st.Requests)
	}
}
