package chatsim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

const (
	testApp = 1400000001
	testKey = "0123456789abcdef-test-key"
	admin   = "administrator"
)

// clock is a settable emulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness drives an emulator through ServeHTTP with correctly signed queries.
type harness struct {
	t     *testing.T
	srv   *chatsim.Server
	clock *clock
	sig   string
}

// newHarness builds an emulator; unless the test sets them, the rate limit is off and the
// clock is a fake one standing at the real present (UserSigs are signed with the real time).
func newHarness(t *testing.T, cfg chatsim.Config) *harness {
	t.Helper()
	c := &clock{t: time.Now()}
	if cfg.SDKAppID == 0 {
		cfg.SDKAppID = testApp
	}
	if cfg.Key == "" {
		cfg.Key = testKey
	}
	if cfg.RPS == 0 {
		cfg.RPS = -1
	}
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	srv, err := chatsim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &harness{t: t, srv: srv, clock: c, sig: genSig(t, testApp, testKey, admin, 86400)}
}

func genSig(t testing.TB, app int, key, id string, ttl int) string {
	t.Helper()
	sig, err := tencentyun.GenUserSig(app, key, id, ttl)
	if err != nil {
		t.Fatalf("GenUserSig: %v", err)
	}
	return sig
}

func query(app, id, sig string) url.Values {
	return url.Values{"sdkappid": {app}, "identifier": {id}, "usersig": {sig}, "random": {"12345"}, "contenttype": {"json"}}
}

// result is an answer: HTTP status, envelope, and the raw body for typed decoding.
type result struct {
	Status    int
	ErrorCode int
	ErrorInfo string
	Body      []byte
}

func (h *harness) do(method, path string, q url.Values, body string) result {
	h.t.Helper()
	req := httptest.NewRequest(method, "/v4/"+path+"?"+q.Encode(), strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	res := result{Status: rec.Code, Body: rec.Body.Bytes()}
	if rec.Code == http.StatusOK {
		var env struct {
			ErrorCode int
			ErrorInfo string
		}
		if err := json.Unmarshal(res.Body, &env); err != nil {
			h.t.Fatalf("%s: answer is not JSON: %v: %s", path, err, res.Body)
		}
		res.ErrorCode, res.ErrorInfo = env.ErrorCode, env.ErrorInfo
	}
	return res
}

// call POSTs a body as the admin and returns the answer.
func (h *harness) call(path, body string) result {
	h.t.Helper()
	return h.do(http.MethodPost, path, query("1400000001", admin, h.sig), body)
}

// callInto POSTs and decodes a successful answer into v.
func (h *harness) callInto(path, body string, v any) {
	h.t.Helper()
	res := h.call(path, body)
	if res.ErrorCode != 0 {
		h.t.Fatalf("%s %s: ErrorCode %d %s", path, body, res.ErrorCode, res.ErrorInfo)
	}
	if err := json.Unmarshal(res.Body, v); err != nil {
		h.t.Fatalf("%s: decode: %v", path, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
