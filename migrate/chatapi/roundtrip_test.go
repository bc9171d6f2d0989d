package chatapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// Round trips: the client against the emulator over real HTTP. Neither shares the other's
// validation, so a disagreement about the wire format fails here.

const (
	rtApp   = 1400000042
	rtKey   = "round-trip-secret-key-0123456789"
	rtAdmin = "administrator"
	rtGroup = "@TGS#_@TGS#cRoundTrip01"
)

type rtClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rtClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *rtClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// rig is an emulator behind an httptest server, with a settable clock.
type rig struct {
	t     *testing.T
	sim   *chatsim.Server
	ts    *httptest.Server
	clock *rtClock
}

// newRig starts an emulator. Unless cfg says otherwise: this test's app and key, no rate
// limit, and a clock standing at the real present (UserSigs carry the real signing time).
func newRig(t *testing.T, cfg chatsim.Config) *rig {
	t.Helper()
	c := &rtClock{t: time.Now()}
	if cfg.SDKAppID == 0 {
		cfg.SDKAppID = rtApp
	}
	if cfg.Key == "" {
		cfg.Key = rtKey
	}
	if cfg.RPS == 0 {
		cfg.RPS = -1
	}
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	sim, err := chatsim.New(cfg)
	if err != nil {
		t.Fatalf("chatsim.New: %v", err)
	}
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &rig{t: t, sim: sim, ts: ts, clock: c}
}

// client builds a client for the rig; edit adjusts its config.
func (r *rig) client(edit func(*chatapi.Config)) *chatapi.Client {
	r.t.Helper()
	cfg := chatapi.Config{
		BaseURL:    r.ts.URL,
		SDKAppID:   rtApp,
		Identifier: rtAdmin,
		SecretKey:  rtKey,
		SigTTL:     24 * time.Hour,
		Timeout:    10 * time.Second,
		HTTPClient: r.ts.Client(),
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := chatapi.New(cfg)
	if err != nil {
		r.t.Fatalf("chatapi.New: %v", err)
	}
	return c
}

func sig(t *testing.T, app int, key, id string, ttl int) string {
	t.Helper()
	s, err := tencentyun.GenUserSig(app, key, id, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// apiErr unwraps a *chatapi.Error, failing the test when err is not one.
func apiErr(t *testing.T, err error) *chatapi.Error {
	t.Helper()
	var e *chatapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *chatapi.Error", err, err)
	}
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func topicReq(name string) *chatapi.ImportTopicRequest {
	return &chatapi.ImportTopicRequest{GroupId: rtGroup, TopicName: name, CreateTime: 1700000000}
}

func friendWorld() *chatsim.World {
	return &chatsim.World{
		Communities: []chatsim.Community{{GroupId: rtGroup, Topics: true}, {GroupId: "@TGS#_plain"}},
		Users:       []string{"alice", "bob", "carol", "mallory"},
		Friends:     map[string][]string{"alice": {"bob", "carol"}},
	}
}

func TestRoundTripEveryEndpoint(t *testing.T) {
	r := newRig(t, chatsim.Config{World: friendWorld()})
	ctx := context.Background()

	for _, path := range []string{chatapi.PathImportTopic, chatapi.PathImportTopicMillion} {
		t.Run("import_topic via "+path, func(t *testing.T) {
			c := r.client(func(cfg *chatapi.Config) { cfg.ImportTopicPath = path })
			id := rtGroup + "@TOPIC#_" + strings.ReplaceAll(path, "/", "-")
			resp, err := c.ImportTopic(ctx, &chatapi.ImportTopicRequest{
				Type: "Community", GroupId: rtGroup, TopicId: id, TopicName: "话题 " + path[:5],
				From_Account: "alice", CustomString: "c", FaceUrl: "http://f", Notification: "n", Introduction: "i", CreateTime: 1448357837,
			})
			must(t, err)
			if resp.TopicId != id {
				t.Fatalf("TopicId %q, want %q", resp.TopicId, id)
			}
			if m := r.sim.Metrics().Endpoints[path]; m.OK != 1 {
				t.Fatalf("the emulator saw %+v on %s", m, path)
			}
		})
	}
	c := r.client(nil)
	gen, err := c.ImportTopic(ctx, topicReq("generated"))
	must(t, err)
	if !strings.HasPrefix(gen.TopicId, rtGroup+chatapi.TopicMarker) {
		t.Fatalf("generated TopicId %q", gen.TopicId)
	}

	t.Run("get_topic", func(t *testing.T) {
		resp, err := c.GetTopic(ctx, &chatapi.GetTopicRequest{GroupId: rtGroup, From_Account: "alice"})
		must(t, err)
		if len(resp.TopicAndSelfInfo) != 3 {
			t.Fatalf("%d topics", len(resp.TopicAndSelfInfo))
		}
		one, err := c.GetTopic(ctx, &chatapi.GetTopicRequest{GroupId: rtGroup, From_Account: "alice", TopicIdList: []string{gen.TopicId, rtGroup + "@TOPIC#_gone"}})
		must(t, err)
		if it := one.TopicAndSelfInfo; len(it) != 2 || it[0].TopicInfo.TopicName != "generated" || it[0].TopicInfo.CreateTime != 1700000000 || it[1].ErrorCode != chatapi.CodeGroupMissing {
			t.Fatalf("items %+v", it)
		}
	})

	t.Run("group_add and group_get", func(t *testing.T) {
		add, err := c.GroupAdd(ctx, &chatapi.GroupAddRequest{From_Account: "alice", GroupName: []string{"close", "work"}, To_Account: []string{"bob"}})
		must(t, err)
		if add.CurrentSequence != 1 || len(add.ResultItem) != 1 || add.ResultItem[0].ResultCode != 0 {
			t.Fatalf("group_add %+v", add)
		}
		get, err := c.GroupGet(ctx, &chatapi.GroupGetRequest{From_Account: "alice", NeedFriend: chatapi.NeedFriendYes})
		must(t, err)
		if fmt.Sprint(get.ResultItem) != "[{close 1 [bob]} {work 1 [bob]}]" {
			t.Fatalf("group_get %+v", get.ResultItem)
		}
	})

	t.Run("contact groups", func(t *testing.T) {
		cr, err := c.CreateContactGroup(ctx, &chatapi.CreateContactGroupRequest{From_Account: "alice", GroupContactItem: []chatapi.GroupContactItem{{
			GroupName:   "fav",
			ContactItem: []chatapi.ContactItem{{Type: chatapi.ContactC2C, To_Account: "bob"}, {Type: chatapi.ContactGroup, ToGroupId: rtGroup}},
		}}})
		must(t, err)
		if g := cr.GroupResultItem[0]; g.GroupItem.GroupId != 1 || len(g.ResultItem) != 2 || g.ResultItem[1].ResultCode != 0 {
			t.Fatalf("create %+v", cr.GroupResultItem)
		}
		up, err := c.UpdateContactGroup(ctx, &chatapi.UpdateContactGroupRequest{From_Account: "alice", UpdateType: 1, UpdateGroup: chatapi.UpdateGroup{
			UpdateGroupType: chatapi.UpdateGroupMembers, OldGroupName: "fav",
			ContactUpdateItem: []chatapi.ContactUpdateItem{
				{ContactOptType: chatapi.ContactOptAdd, ContactItem: chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: "carol"}},
				{ContactOptType: chatapi.ContactOptDelete, ContactItem: chatapi.ContactItem{Type: chatapi.ContactC2C, To_Account: "bob"}},
			},
		}})
		must(t, err)
		if len(up.UpdateGroupResult.ContactResultItem) != 2 {
			t.Fatalf("update %+v", up)
		}
		_, err = c.UpdateContactGroup(ctx, &chatapi.UpdateContactGroupRequest{From_Account: "alice", UpdateType: 1, UpdateGroup: chatapi.UpdateGroup{
			UpdateGroupType: chatapi.UpdateGroupRename, OldGroupName: "fav", NewGroupName: "favourites",
		}})
		must(t, err)
		get, err := c.GetContactGroup(ctx, &chatapi.GetContactGroupRequest{From_Account: "alice"})
		must(t, err)
		if get.CompleteFlag != 1 || fmt.Sprint(get.GroupItem) != "[{favourites 1}]" || len(get.ContactItem) != 2 {
			t.Fatalf("get %+v", get)
		}
	})

	want := `{"alice":[{"GroupId":1,"GroupName":"favourites","Contacts":[{"Type":1,"To_Account":"carol"},{"Type":2,"ToGroupId":"` + rtGroup + `"}]}]}`
	if got := jsonOf(t, r.sim.Dump().ContactGroups); got != want {
		t.Fatalf("emulator state %s\nwant %s", got, want)
	}
}

// TestRoundTripErrorClasses: every class of docs/vendor-api.md, "Error classes", reaches the
// caller as a *chatapi.Error with the right code and class.
func TestRoundTripErrorClasses(t *testing.T) {
	ctx := context.Background()
	addBody := &chatapi.GroupAddRequest{From_Account: "alice", GroupName: []string{"g"}}
	tests := []struct {
		name      string
		sim       chatsim.Config
		client    func(*chatapi.Config)
		call      func(c *chatapi.Client) error
		wantCode  int
		wantHTTP  int
		wantClass chatapi.Class
	}{
		{"throttled (limiter, sns)", chatsim.Config{RPS: 1, Burst: 1}, nil, func(c *chatapi.Client) error {
			_, err := c.GroupGet(ctx, &chatapi.GroupGetRequest{From_Account: "alice"})
			if err != nil {
				return fmt.Errorf("first call: %w", err)
			}
			_, err = c.GroupGet(ctx, &chatapi.GroupGetRequest{From_Account: "alice"})
			return err
		}, chatapi.CodeRESTRate, 200, chatapi.ClassThrottled},
		{"throttled (injected, group)", chatsim.Config{Faults: chatsim.Faults{ThrottleRate: 1}}, nil, func(c *chatapi.Client) error {
			_, err := c.ImportTopic(ctx, topicReq("t"))
			return err
		}, chatapi.CodeGroupFreq, 200, chatapi.ClassThrottled},
		{"transient code", chatsim.Config{Faults: chatsim.Faults{TransientRate: 1}}, nil, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, addBody)
			return err
		}, chatapi.CodeSNSInternal, 200, chatapi.ClassTransient},
		{"transient HTTP 502", chatsim.Config{Faults: chatsim.Faults{HTTP502Rate: 1}}, nil, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, addBody)
			return err
		}, 0, 502, chatapi.ClassTransient},
		{"fatal: wrong key", chatsim.Config{}, func(c *chatapi.Config) { c.SecretKey = "not-the-key" }, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, addBody)
			return err
		}, chatapi.CodeSigWrongKey, 200, chatapi.ClassFatal},
		{"fatal: not an admin", chatsim.Config{}, func(c *chatapi.Config) { c.Identifier = "bob" }, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, addBody)
			return err
		}, chatapi.CodeNeedAdmin, 200, chatapi.ClassFatal},
		{"fatal: sig of another admin", chatsim.Config{Admins: []string{rtAdmin, "ops"}}, func(c *chatapi.Config) {
			c.SecretKey, c.UserSig = "", sig(t, rtApp, rtKey, "ops", 3600)
		}, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, addBody)
			return err
		}, chatapi.CodeSigWrongAdmin, 200, chatapi.ClassFatal},
		{"fatal: wrong SDKAppID", chatsim.Config{SDKAppID: rtApp + 1}, nil, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, addBody)
			return err
		}, chatapi.CodeBadSDKAppID, 200, chatapi.ClassFatal},
		{"permanent: no topic feature", chatsim.Config{World: friendWorld()}, nil, func(c *chatapi.Client) error {
			_, err := c.ImportTopic(ctx, &chatapi.ImportTopicRequest{GroupId: "@TGS#_plain", TopicName: "t"})
			return err
		}, chatapi.CodeNoTopicFeature, 200, chatapi.ClassPermanent},
		{"permanent: user missing", chatsim.Config{World: friendWorld()}, nil, func(c *chatapi.Client) error {
			_, err := c.GroupAdd(ctx, &chatapi.GroupAddRequest{From_Account: "nobody", GroupName: []string{"g"}})
			return err
		}, chatapi.CodeSNSNoAccount, 200, chatapi.ClassPermanent},
		{"already done: 10021 on a re-import", chatsim.Config{}, nil, func(c *chatapi.Client) error {
			req := &chatapi.ImportTopicRequest{GroupId: rtGroup, TopicId: rtGroup + "@TOPIC#_same", TopicName: "t"}
			if _, err := c.ImportTopic(ctx, req); err != nil {
				return fmt.Errorf("first import: %w", err)
			}
			_, err := c.ImportTopic(ctx, req)
			return err
		}, chatapi.CodeTopicIDUsed, 200, chatapi.ClassPermanent}, // ClassOf leaves "done" to the caller
		{"a re-create: chatsim's default refusal, 51012", chatsim.Config{}, nil, func(c *chatapi.Client) error {
			req := &chatapi.CreateContactGroupRequest{From_Account: "alice", GroupContactItem: []chatapi.GroupContactItem{{GroupName: "g"}}}
			if _, err := c.CreateContactGroup(ctx, req); err != nil {
				return fmt.Errorf("first create: %w", err)
			}
			_, err := c.CreateContactGroup(ctx, req)
			return err
		}, chatapi.CodeRCPinnedLimit, 200, chatapi.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.sim)
			r.clock.Set(time.Now()) // a limiter's refill needs the clock to stand still
			e := apiErr(t, tt.call(r.client(tt.client)))
			if e.Code != tt.wantCode || e.Class != tt.wantClass || (tt.wantHTTP != 200 && e.HTTPStatus != tt.wantHTTP) {
				t.Fatalf("got code %d HTTP %d class %s, want code %d HTTP %d class %s (%v)",
					e.Code, e.HTTPStatus, e.Class, tt.wantCode, tt.wantHTTP, tt.wantClass, e)
			}
			if e.Endpoint == "" {
				t.Fatal("error without an endpoint")
			}
			noSecrets(t, e)
		})
	}
}

// noSecrets fails when an error's text carries the key, any usersig query parameter, or one
// of the given UserSigs (raw or URL-escaped).
func noSecrets(t *testing.T, err error, sigs ...string) {
	t.Helper()
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", errors.Unwrap(err))} {
		if strings.Contains(text, rtKey) {
			t.Fatalf("the secret key leaked: %s", text)
		}
		if strings.Contains(strings.ToLower(text), "usersig=") {
			t.Fatalf("a usersig query parameter leaked: %s", text)
		}
		for _, s := range sigs {
			if strings.Contains(text, s) || strings.Contains(text, strings.ReplaceAll(s, "*", "%2A")) {
				t.Fatalf("a UserSig leaked: %s", text)
			}
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
