package chatsim_test

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// lostRun sends 20 writes whose answers are all lost and returns the users whose write was
// applied.
func lostRun(t *testing.T, reading string, seed int64) []string {
	t.Helper()
	srv, err := chatsim.New(chatsim.Config{SDKAppID: testApp, Key: testKey, RPS: -1, Seed: seed,
		Faults: chatsim.Faults{AmbiguousRate: 1}, Dialect: chatsim.Dialect{LostAnswer: reading}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	sig := genSig(t, testApp, testKey, admin, 3600)
	for i := range 20 {
		body := fmt.Sprintf(`{"From_Account":"u%02d","GroupName":["g"]}`, i)
		if got := outcome(t, ts.Client(), ts.URL, sig, chatapi.PathGroupAdd, body); got != "dropped" {
			t.Fatalf("outcome %s, want dropped", got)
		}
	}
	var applied []string
	for u := range srv.Dump().FriendGroups {
		applied = append(applied, u)
	}
	slices.Sort(applied)
	if m := srv.Metrics().Total; m.Faults[chatsim.FaultAmbiguous] != 20 {
		t.Fatalf("metrics count %d lost answers", m.Faults[chatsim.FaultAmbiguous])
	}
	return applied
}

func TestLostAnswerReadings(t *testing.T) {
	tests := []struct {
		reading  string
		min, max int
	}{
		{"applied", 20, 20},
		{"nothing", 0, 0},
		{"mixed", 1, 19},
	}
	for _, tt := range tests {
		t.Run(tt.reading, func(t *testing.T) {
			got := lostRun(t, tt.reading, 5)
			if len(got) < tt.min || len(got) > tt.max {
				t.Fatalf("%d of 20 applied, want %d..%d", len(got), tt.min, tt.max)
			}
			if again := lostRun(t, tt.reading, 5); fmt.Sprint(again) != fmt.Sprint(got) {
				t.Fatalf("the same seed applied %v, then %v", got, again)
			}
		})
	}
	if a, b := lostRun(t, "mixed", 5), lostRun(t, "mixed", 6); fmt.Sprint(a) == fmt.Sprint(b) {
		t.Fatalf("seeds 5 and 6 applied the same %v", a)
	}
}
