package chatapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// TestRoundTripUserSig: a precomputed UserSig is accepted; an expired one answers 70001
// (renew), and a client that holds the key renews and goes on once the clock agrees.
func TestRoundTripUserSig(t *testing.T) {
	ctx := context.Background()
	get := &chatapi.GroupGetRequest{From_Account: "alice"}

	t.Run("precomputed and valid", func(t *testing.T) {
		r := newRig(t, chatsim.Config{})
		c := r.client(func(cfg *chatapi.Config) { cfg.SecretKey, cfg.UserSig = "", sig(t, rtApp, rtKey, rtAdmin, 3600) })
		_, err := c.GroupGet(ctx, get)
		must(t, err)
	})
	t.Run("precomputed and expired", func(t *testing.T) {
		r := newRig(t, chatsim.Config{})
		s := sig(t, rtApp, rtKey, rtAdmin, 60)
		c := r.client(func(cfg *chatapi.Config) { cfg.SecretKey, cfg.UserSig = "", s })
		r.clock.Set(time.Now().Add(2 * time.Minute))
		_, err := c.GroupGet(ctx, get)
		e := apiErr(t, err)
		// Without the key the client cannot renew: the run must stop and say so.
		if e.Code != chatapi.CodeSigExpired || e.Class != chatapi.ClassFatal {
			t.Fatalf("got %v, want 70001 fatal (no key to renew with)", e)
		}
		noSecrets(t, e, s)
	})
	t.Run("generated, expired, renewed", func(t *testing.T) {
		r := newRig(t, chatsim.Config{})
		c := r.client(func(cfg *chatapi.Config) { cfg.SigTTL = time.Minute })
		_, err := c.GroupGet(ctx, get)
		must(t, err)
		r.clock.Set(time.Now().Add(2 * time.Minute)) // the vendor's clock says the sig lapsed
		e := apiErr(t, func() error { _, err := c.GroupGet(ctx, get); return err }())
		if e.Code != chatapi.CodeSigExpired || e.Class != chatapi.ClassRenew {
			t.Fatalf("got %v, want 70001 renew", e)
		}
		r.clock.Set(time.Now()) // a renewed sig is valid again
		_, err = c.GroupGet(ctx, get)
		must(t, err)
	})
}

// TestRoundTripRateLimit: a burst over the limit sees throttle codes, and the refused
// requests change nothing.
func TestRoundTripRateLimit(t *testing.T) {
	r := newRig(t, chatsim.Config{RPS: 10, Burst: 3})
	r.clock.Set(time.Now()) // the clock stands still: no refill during the burst
	c := r.client(nil)
	var codes []int
	for i := range 8 {
		_, err := c.GroupAdd(context.Background(), &chatapi.GroupAddRequest{From_Account: "alice", GroupName: []string{fmt.Sprintf("g%d", i)}})
		if err == nil {
			codes = append(codes, 0)
			continue
		}
		e := apiErr(t, err)
		if e.Class != chatapi.ClassThrottled {
			t.Fatalf("request %d: %v, want throttled", i, e)
		}
		codes = append(codes, e.Code)
	}
	if fmt.Sprint(codes) != "[0 0 0 60007 60007 60007 60007 60007]" {
		t.Fatalf("codes %v", codes)
	}
	if got := jsonOf(t, r.sim.Dump().FriendGroups); got != `{"alice":{"g0":[],"g1":[],"g2":[]}}` {
		t.Fatalf("state %s: refused requests changed it", got)
	}
	if m := r.sim.Metrics().Endpoints[chatapi.PathGroupAdd]; m.Throttled != 5 || m.OK != 3 {
		t.Fatalf("metrics %+v", m)
	}
}

// TestRoundTripItemFailures: per-item failures come back item by item under ErrorCode 0, and
// whole-request limits as errors that change nothing.
func TestRoundTripItemFailures(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, chatsim.Config{World: friendWorld()})
	c := r.client(nil)

	add, err := c.GroupAdd(ctx, &chatapi.GroupAddRequest{From_Account: "alice", GroupName: []string{"g"}, To_Account: []string{"bob", "mallory"}})
	must(t, err)
	if fmt.Sprint(add.Fail_Account) != "[mallory]" || add.ResultItem[1].ResultCode != chatapi.CodeNotFriend || add.ResultItem[0].ResultCode != 0 {
		t.Fatalf("32216 not exposed: %+v", add)
	}

	names := make([]string, 31)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	_, err = c.GroupAdd(ctx, &chatapi.GroupAddRequest{From_Account: "alice", GroupName: names})
	must(t, err) // 32 groups now
	before := jsonOf(t, r.sim.Dump())
	_, err = c.GroupAdd(ctx, &chatapi.GroupAddRequest{From_Account: "alice", GroupName: []string{"one-too-many"}, To_Account: []string{"bob"}})
	if e := apiErr(t, err); e.Code != chatapi.CodeSNSGroupLimit || e.Class != chatapi.ClassPermanent {
		t.Fatalf("33rd group: %v", e)
	}
	if jsonOf(t, r.sim.Dump()) != before {
		t.Fatal("the refused 33rd group changed the state")
	}

	items := make([]chatapi.ContactItem, 1001)
	for i := range items {
		items[i] = chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: fmt.Sprintf("u%04d", i)}
	}
	// 1000 conversations per user across its groups, at most 100 per request: 999 are there.
	r.sim.Tamper(func(s *chatsim.State) {
		s.ContactGroups["alice"] = []chatsim.ContactGroup{{GroupId: 1, GroupName: "full", Contacts: items[:999]}}
	})
	cr, err := c.CreateContactGroup(ctx, &chatapi.CreateContactGroupRequest{From_Account: "alice", GroupContactItem: []chatapi.GroupContactItem{{GroupName: "big", ContactItem: items[999:]}}})
	must(t, err)
	res := cr.GroupResultItem[0].ResultItem
	if len(res) != 2 || res[0].ResultCode != 0 || res[1].ResultCode != chatapi.CodeRCGroupFull || res[1].ContactItem.To_Account != "u1000" {
		t.Fatalf("51008 not exposed: %d items, last %+v", len(res), res[len(res)-1])
	}
}

// TestRoundTripFaults: each injected fault reaches the caller as the class docs/vendor-api.md,
// "Error classes", gives it; an ambiguous failure was applied although the answer was lost.
func TestRoundTripFaults(t *testing.T) {
	tests := []struct {
		name      string
		faults    chatsim.Faults
		timeout   time.Duration
		wantClass chatapi.Class
		wantCode  int
		applied   bool
		inDoubt   bool // Sent: the outcome is unknown
	}{
		{"transient", chatsim.Faults{TransientRate: 1}, 0, chatapi.ClassTransient, chatapi.CodeInternal, false, false},
		{"http 502", chatsim.Faults{HTTP502Rate: 1}, 0, chatapi.ClassTransient, 0, false, false},
		{"throttle", chatsim.Faults{ThrottleRate: 1}, 0, chatapi.ClassThrottled, chatapi.CodeGroupFreq, false, false},
		{"hang past the timeout", chatsim.Faults{HangRate: 1}, 150 * time.Millisecond, chatapi.ClassTransient, 0, false, true},
		{"ambiguous", chatsim.Faults{AmbiguousRate: 1}, 0, chatapi.ClassTransient, 0, true, true},
		{"latency only", chatsim.Faults{LatencyMin: time.Millisecond, LatencyMax: 3 * time.Millisecond}, 0, chatapi.ClassOK, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, chatsim.Config{Faults: tt.faults})
			usersig := sig(t, rtApp, rtKey, rtAdmin, 3600)
			c := r.client(func(cfg *chatapi.Config) { cfg.SecretKey, cfg.UserSig = "", usersig })
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := c.ImportTopic(ctx, &chatapi.ImportTopicRequest{GroupId: rtGroup, TopicId: rtGroup + "@TOPIC#_f", TopicName: "t", CreateTime: 1})
			if tt.wantClass == chatapi.ClassOK {
				must(t, err)
			} else {
				e := apiErr(t, err)
				if e.Class != tt.wantClass || e.Code != tt.wantCode || (tt.inDoubt && !e.Sent) {
					t.Fatalf("got %v (class %s code %d sent %v), want class %s code %d in doubt %v", e, e.Class, e.Code, e.Sent, tt.wantClass, tt.wantCode, tt.inDoubt)
				}
				noSecrets(t, e, usersig)
			}
			if applied := len(r.sim.Dump().Topics[rtGroup]) == 1; applied != tt.applied {
				t.Fatalf("applied = %v, want %v", applied, tt.applied)
			}
		})
	}
}

// TestRoundTripDeterministic: the same requests against two emulators with the same seed
// meet the same faults, and end in the same state.
func TestRoundTripDeterministic(t *testing.T) {
	run := func(seed int64) (string, string) {
		r := newRig(t, chatsim.Config{Seed: seed, Faults: chatsim.Faults{
			TransientRate: 0.15, HTTP502Rate: 0.1, HangRate: 0.05, AmbiguousRate: 0.1, ThrottleRate: 0.1,
			Hang: 10 * time.Millisecond, // hangs end in 60008 quickly: no client timeout to race with
		}})
		c := r.client(nil)
		var out []string
		for i := range 30 {
			var err error
			switch i % 3 {
			case 0:
				_, err = c.ImportTopic(context.Background(), &chatapi.ImportTopicRequest{GroupId: rtGroup, TopicId: fmt.Sprintf("%s@TOPIC#_%d", rtGroup, i), TopicName: "t", CreateTime: 1})
			case 1:
				_, err = c.GroupAdd(context.Background(), &chatapi.GroupAddRequest{From_Account: fmt.Sprintf("u%d", i), GroupName: []string{"g"}, To_Account: []string{"x"}})
			case 2:
				_, err = c.CreateContactGroup(context.Background(), &chatapi.CreateContactGroupRequest{From_Account: "alice", GroupContactItem: []chatapi.GroupContactItem{{GroupName: fmt.Sprintf("g%d", i)}}})
			}
			out = append(out, outcomeOf(err))
		}
		return strings.Join(out, " "), jsonOf(t, r.sim.Dump())
	}
	a, stA := run(11)
	b, stB := run(11)
	if a != b || stA != stB {
		t.Fatalf("same seed, different runs:\n%s\n%s", a, b)
	}
	if c, _ := run(12); c == a {
		t.Fatalf("another seed replayed the same faults: %s", c)
	}
	if !strings.Contains(a, "ok") || strings.Count(a, "ok") == 30 {
		t.Fatalf("the seed gave no mix of outcomes: %s", a)
	}
}

func outcomeOf(err error) string {
	if err == nil {
		return "ok"
	}
	var e *chatapi.Error
	if !errors.As(err, &e) {
		return "other"
	}
	return fmt.Sprintf("%s/%d/%d", e.Class, e.Code, e.HTTPStatus)
}
