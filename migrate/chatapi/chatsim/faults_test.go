package chatsim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// outcome is what a client sees of one request: an ErrorCode, an HTTP status, a timeout, or a
// dropped connection.
func outcome(t *testing.T, c *http.Client, base, sig, path, body string) string {
	t.Helper()
	u := base + "/v4/" + path + "?" + query("1400000001", admin, sig).Encode()
	resp, err := c.Post(u, "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "timeout"
		}
		return "dropped"
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	var env struct{ ErrorCode int }
	decode(t, data, &env)
	return fmt.Sprint(env.ErrorCode)
}

// runFaults sends a fixed sequence of requests (each body twice, so retries draw afresh) to a
// fresh emulator over real HTTP and returns the outcomes, the final state and the metrics.
func runFaults(t *testing.T, seed int64) ([]string, string, chatsim.Metrics) {
	t.Helper()
	srv, err := chatsim.New(chatsim.Config{
		SDKAppID: testApp, Key: testKey, RPS: -1, Seed: seed,
		Faults: chatsim.Faults{
			LatencyMin: 0, LatencyMax: time.Millisecond,
			TransientRate: 0.15, HTTP502Rate: 0.15, HangRate: 0.05, AmbiguousRate: 0.15, ThrottleRate: 0.15,
			Hang: 20 * time.Millisecond, // hangs then answer 60008: no client timeout to race with
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer c.CloseIdleConnections()
	sig := genSig(t, testApp, testKey, admin, 3600)
	var got []string
	for i := range 40 {
		path, body := chatapi.PathGroupAdd, fmt.Sprintf(`{"From_Account":"u%d","GroupName":["g"]}`, i)
		if i%2 == 1 {
			path, body = chatapi.PathImportTopic, fmt.Sprintf(`{"GroupId":"%s","TopicId":"%s@TOPIC#_%d","TopicName":"t","CreateTime":1}`, g1, g1, i)
		}
		for range 2 {
			got = append(got, outcome(t, c, ts.URL, sig, path, body))
		}
	}
	return got, mustJSON(t, srv.Dump()), srv.Metrics()
}

func TestFaultsAreSeededAndDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 240 requests")
	}
	a, stateA, m := runFaults(t, 42)
	b, stateB, _ := runFaults(t, 42)
	if fmt.Sprint(a) != fmt.Sprint(b) || stateA != stateB {
		t.Fatalf("same seed, different runs:\n%v\n%v\n%s\n%s", a, b, stateA, stateB)
	}
	c, _, _ := runFaults(t, 43)
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("a different seed replayed the same faults")
	}
	seen := map[string]int{}
	for _, o := range a {
		seen[o]++
	}
	// Every kind shows up in 80 draws at these rates (fixed by the seed, so this is not luck
	// that can change between runs).
	for _, want := range []string{"0", "10002", "30006", "HTTP 502", "60008", "dropped", "10006", "60007"} {
		if seen[want] == 0 {
			t.Errorf("outcome %q never seen: %v", want, seen)
		}
	}
	total := m.Total
	for _, kind := range []string{chatsim.FaultTransient, chatsim.FaultHTTP502, chatsim.FaultHang, chatsim.FaultAmbiguous, chatsim.FaultThrottle} {
		if total.Faults[kind] == 0 {
			t.Errorf("metrics count no %s faults: %+v", kind, total.Faults)
		}
	}
	if int(total.Faults[chatsim.FaultAmbiguous]) != seen["dropped"] || int(total.Faults[chatsim.FaultHang]) != seen["60008"] {
		t.Errorf("metrics %+v disagree with outcomes %v", total.Faults, seen)
	}
}

// TestAmbiguousApplies: a dropped answer still changed the state, and the retry of the same
// body meets the "already done" answer the model gives (10021 for a custom TopicId).
func TestAmbiguousApplies(t *testing.T) {
	srv, err := chatsim.New(chatsim.Config{SDKAppID: testApp, Key: testKey, RPS: -1, Faults: chatsim.Faults{AmbiguousRate: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	sig := genSig(t, testApp, testKey, admin, 3600)
	body := `{"GroupId":"` + g1 + `","TopicId":"` + g1 + `@TOPIC#_x","TopicName":"t"}`
	if got := outcome(t, ts.Client(), ts.URL, sig, chatapi.PathImportTopic, body); got != "dropped" {
		t.Fatalf("outcome %s, want dropped", got)
	}
	if n := len(srv.Dump().Topics[g1]); n != 1 {
		t.Fatalf("%d topics stored after an ambiguous failure, want 1", n)
	}
}

// TestHangEndsWithTheClient: a hanging request ends when the client gives up, and one that
// outlives Hang is answered 60008; neither applies anything.
func TestHangEndsWithTheClient(t *testing.T) {
	srv, err := chatsim.New(chatsim.Config{SDKAppID: testApp, Key: testKey, RPS: -1, Faults: chatsim.Faults{HangRate: 1, Hang: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	sig := genSig(t, testApp, testKey, admin, 3600)
	body := `{"From_Account":"u","GroupName":["g"]}`
	if got := outcome(t, ts.Client(), ts.URL, sig, chatapi.PathGroupAdd, body); got != "60008" {
		t.Fatalf("outcome %s, want 60008 after the hang", got)
	}
	short := &http.Client{Timeout: 10 * time.Millisecond}
	srv2, _ := chatsim.New(chatsim.Config{SDKAppID: testApp, Key: testKey, RPS: -1, Faults: chatsim.Faults{HangRate: 1}})
	ts2 := httptest.NewServer(srv2)
	defer ts2.Close() // returns promptly only if the 15 s hang ended with the client
	if got := outcome(t, short, ts2.URL, sig, chatapi.PathGroupAdd, body); got != "timeout" {
		t.Fatalf("outcome %s, want timeout", got)
	}
	if len(srv.Dump().FriendGroups)+len(srv2.Dump().FriendGroups) != 0 {
		t.Fatal("a hang applied the change")
	}
}
