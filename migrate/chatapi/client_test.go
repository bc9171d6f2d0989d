package chatapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

const (
	testApp   = 1400000001
	testKey   = "0123456789abcdef-test-secret-key-0123456789abcdef"
	testAdmin = "administrator"
)

// captured is one request as a test server saw it.
type captured struct {
	path  string
	query map[string]string
	ctype string
	body  []byte
}

// recorder is a test server that records requests and answers with answer.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (rec *recorder) handler(answer func(w http.ResponseWriter, c captured)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := captured{path: r.URL.Path, query: map[string]string{}, ctype: r.Header.Get("Content-Type"), body: body}
		for k, v := range r.URL.Query() {
			c.query[k] = v[0]
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, c)
		rec.mu.Unlock()
		answer(w, c)
	}
}

func (rec *recorder) all() []captured {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

func answerJSON(body string) func(http.ResponseWriter, captured) {
	return func(w http.ResponseWriter, _ captured) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

const okBody = `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`

// newClient builds a client for url; edit adjusts the config first.
func newClient(t *testing.T, url string, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: url, SDKAppID: testApp, SecretKey: testKey}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *Error", err, err)
	}
	return e
}

func TestRequestForm(t *testing.T) {
	var rec recorder
	ts := httptest.NewServer(rec.handler(answerJSON(okBody)))
	defer ts.Close()
	c := newClient(t, ts.URL+"/prefix/", nil)
	ctx := context.Background()

	if _, err := c.GroupGet(ctx, nil); err != nil { // a nil request still sends a body
		t.Fatal(err)
	}
	if _, err := c.ImportTopic(ctx, &ImportTopicRequest{GroupId: "@TGS#_g", TopicName: "t"}); err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, ts.URL, func(cfg *Config) { cfg.ImportTopicPath = PathImportTopicMillion; cfg.Identifier = "boss" })
	if _, err := c2.ImportTopic(ctx, &ImportTopicRequest{GroupId: "@TGS#_g", TopicName: "t"}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	wantPaths := []string{"/prefix/v4/" + PathGroupGet, "/prefix/v4/" + PathImportTopic, "/v4/" + PathImportTopicMillion}
	for i, r := range reqs {
		if r.path != wantPaths[i] {
			t.Errorf("request %d path %q, want %q", i, r.path, wantPaths[i])
		}
		if r.ctype != "application/json" {
			t.Errorf("request %d Content-Type %q", i, r.ctype)
		}
		admin := []string{testAdmin, testAdmin, "boss"}[i]
		if r.query["sdkappid"] != strconv.Itoa(testApp) || r.query["identifier"] != admin || r.query["contenttype"] != "json" {
			t.Errorf("request %d query %v", i, r.query)
		}
		if err := tencentyun.VerifyUserSig(testApp, testKey, admin, r.query["usersig"], time.Now()); err != nil {
			t.Errorf("request %d: usersig does not verify: %v", i, err)
		}
	}
	if string(reqs[0].body) != "{}" {
		t.Errorf("nil request sent body %q, want {}", reqs[0].body)
	}
}

// TestOptionalFieldsOmitted: a strict server refuses "" or 0 in place of an absent field.
func TestOptionalFieldsOmitted(t *testing.T) {
	var rec recorder
	ts := httptest.NewServer(rec.handler(answerJSON(okBody)))
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		keys []string
	}{
		{"import_topic", func() error {
			_, err := c.ImportTopic(ctx, &ImportTopicRequest{GroupId: "@TGS#_g", TopicName: "t"})
			return err
		}, []string{"GroupId", "TopicName"}},
		{"get_topic", func() error {
			_, err := c.GetTopic(ctx, &GetTopicRequest{GroupId: "@TGS#_g", From_Account: "a"})
			return err
		}, []string{"From_Account", "GroupId"}},
		{"group_add", func() error {
			_, err := c.GroupAdd(ctx, &GroupAddRequest{From_Account: "a", GroupName: []string{"g"}})
			return err
		}, []string{"From_Account", "GroupName"}},
		{"group_get", func() error {
			_, err := c.GroupGet(ctx, &GroupGetRequest{From_Account: "a"})
			return err
		}, []string{"From_Account"}},
		{"create_contact_group", func() error {
			_, err := c.CreateContactGroup(ctx, &CreateContactGroupRequest{From_Account: "a", GroupContactItem: []GroupContactItem{{GroupName: "g"}}})
			return err
		}, []string{"From_Account", "GroupContactItem"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(rec.all()[i].body, &m); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tt.keys) {
				t.Fatalf("body keys %v, want %v (body %s)", keys, tt.keys, rec.all()[i].body)
			}
		})
	}
}

func TestRandomPerRequest(t *testing.T) {
	var rec recorder
	ts := httptest.NewServer(rec.handler(answerJSON(okBody)))
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	for range 50 {
		if _, err := c.GroupGet(context.Background(), &GroupGetRequest{From_Account: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, r := range rec.all() {
		s := r.query["random"]
		if _, err := strconv.ParseUint(s, 10, 32); err != nil {
			t.Fatalf("random %q is not a uint32: %v", s, err)
		}
		if seen[s] {
			t.Fatalf("random %s sent twice", s)
		}
		seen[s] = true
	}
}

// TestKeepAlive: answers of every kind (OK, error code, HTTP error, undecodable) leave the
// connection reusable, so a run opens one connection per worker, not one per request.
func TestKeepAlive(t *testing.T) {
	var n atomic.Int64
	answers := []struct {
		status int
		body   string
	}{
		{200, okBody},
		{200, `{"ActionStatus":"FAIL","ErrorCode":30001,"ErrorInfo":"bad"}`},
		{502, "<html>bad gateway</html>"},
		{200, "not json"},
	}
	var i atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[int(i.Add(1)-1)%len(answers)]
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	for range 20 {
		c.GroupGet(context.Background(), &GroupGetRequest{From_Account: "a"})
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("%d connections for 20 sequential requests, want 1", got)
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" means valid
	}{
		{"loopback v4", Config{BaseURL: "http://127.0.0.1:8080"}, ""},
		{"loopback 127/8", Config{BaseURL: "http://127.9.8.7"}, ""},
		{"loopback v6", Config{BaseURL: "http://[::1]:80"}, ""},
		{"localhost", Config{BaseURL: "http://localhost:1234/"}, ""},
		{"https anywhere", Config{BaseURL: "https://adminapisgp.im.qcloud.com"}, ""},
		{"region", Config{Region: "tokyo"}, ""},
		{"precomputed sig", Config{BaseURL: "https://h", SecretKey: "-", UserSig: "sig"}, ""},
		{"http remote", Config{BaseURL: "http://example.com"}, "plain http"},
		{"http private", Config{BaseURL: "http://10.0.0.1:80"}, "plain http"},
		{"http any address", Config{BaseURL: "http://0.0.0.0:80"}, "plain http"},
		{"http lookalike", Config{BaseURL: "http://localhost.example.com"}, "plain http"},
		{"ftp", Config{BaseURL: "ftp://127.0.0.1"}, "https://"},
		{"no host", Config{BaseURL: "https://"}, "no host"},
		{"query", Config{BaseURL: "https://h/?usersig=topsecret"}, "without user, query"},
		{"user info", Config{BaseURL: "https://u:topsecret@h"}, "without user, query"},
		{"both", Config{BaseURL: "https://h", Region: "tokyo"}, "not both"},
		{"neither", Config{}, "set BaseURL or Region"},
		{"bad region", Config{Region: "atlantis"}, "unknown region"},
		{"no app", Config{BaseURL: "https://h", SDKAppID: 0}, "no SDKAppID"},
		{"app too big", Config{BaseURL: "https://h", SDKAppID: 1 << 40}, "out of range"},
		{"no credential", Config{BaseURL: "https://h", SecretKey: "-"}, "no credential"},
		{"bad import path", Config{BaseURL: "https://h", ImportTopicPath: "x/import_topic"}, "ImportTopicPath"},
		{"negative timeout", Config{BaseURL: "https://h", Timeout: -time.Second}, "negative timeout"},
		{"tiny ttl", Config{BaseURL: "https://h", SigTTL: time.Millisecond}, "SigTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.SDKAppID == 0 && tt.name != "no app" {
				cfg.SDKAppID = testApp
			}
			switch cfg.SecretKey {
			case "":
				cfg.SecretKey = testKey
			case "-":
				cfg.SecretKey = ""
			}
			_, err := New(cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("New: %v, want an error containing %q", err, tt.wantErr)
			case err != nil && (strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), testKey)):
				t.Fatalf("New's error echoes a credential: %v", err)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	tests := []struct{ name, want string }{
		{"china", "https://console.tim.qq.com"},
		{"singapore", "https://adminapisgp.im.qcloud.com"},
		{"seoul", "https://adminapikr.im.qcloud.com"},
		{"tokyo", "https://adminapijpn.im.qcloud.com"},
		{"frankfurt", "https://adminapiger.im.qcloud.com"},
		{"siliconvalley", "https://adminapiusa.im.qcloud.com"},
		{"jakarta", "https://adminapiidn.im.qcloud.com"},
		{"mumbai", "https://adminapiind.im.qcloud.com"},
		{"riyadh", "https://adminapiksa.im.qcloud.com"},
		{" Singapore ", "https://adminapisgp.im.qcloud.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RegionURL(tt.name)
			if err != nil || got != tt.want {
				t.Fatalf("RegionURL(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
		})
	}
	if _, err := RegionURL("moon"); err == nil {
		t.Fatal("RegionURL(moon) succeeded")
	}
	if got := Regions(); len(got) != 9 || !slices.IsSorted(got) {
		t.Fatalf("Regions() = %v", got)
	}
	c, err := New(Config{Region: "tokyo", SDKAppID: testApp, SecretKey: testKey})
	if err != nil || c.base != "https://adminapijpn.im.qcloud.com" {
		t.Fatalf("region client base %q, %v", c.base, err)
	}
}
