package chatsim_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

func TestQueryChecks(t *testing.T) {
	h := newHarness(t, chatsim.Config{Admins: []string{admin, "ops"}})
	good := func() url.Values { return query("1400000001", admin, h.sig) }
	with := func(k, v string) url.Values {
		q := good()
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	const body = `{"From_Account":"alice","StartIndex":0}`
	const path = chatapi.PathGetContactGroup
	tests := []struct {
		name   string
		method string
		path   string
		q      url.Values
		body   string
		want   int
	}{
		{"valid", "", "", good(), "", 0},
		{"second admin", "", "", query("1400000001", "ops", genSig(t, testApp, testKey, "ops", 3600)), "", 0},
		{"contenttype missing", "", "", with("contenttype", ""), "", chatapi.CodeHTTPParse},
		{"contenttype xml", "", "", with("contenttype", "xml"), "", chatapi.CodeHTTPParse},
		{"random missing", "", "", with("random", ""), "", chatapi.CodeHTTPParse},
		{"random not a number", "", "", with("random", "abc"), "", chatapi.CodeHTTPParse},
		{"random over 32 bits", "", "", with("random", "4294967296"), "", chatapi.CodeHTTPParse},
		{"random negative", "", "", with("random", "-1"), "", chatapi.CodeHTTPParse},
		{"random max", "", "", with("random", "4294967295"), "", 0},
		{"sdkappid missing", "", "", with("sdkappid", ""), "", chatapi.CodeBadSDKAppID},
		{"sdkappid other app", "", "", with("sdkappid", "1400000002"), "", chatapi.CodeBadSDKAppID},
		{"sdkappid not numeric", "", "", with("sdkappid", "14x"), "", chatapi.CodeBadSDKAppID},
		{"identifier missing", "", "", with("identifier", ""), "", chatapi.CodeNeedAdmin},
		{"usersig missing", "", "", with("usersig", ""), "", chatapi.CodeSigInvalid},
		{"usersig garbage", "", "", with("usersig", "not-a-sig!!"), "", chatapi.CodeSigInvalid},
		{"usersig other app", "", "", with("usersig", genSig(t, 1400000002, testKey, admin, 3600)), "", chatapi.CodeSigWrongApp},
		{"usersig other identifier", "", "", with("usersig", genSig(t, testApp, testKey, "ops", 3600)), "", chatapi.CodeSigWrongAdmin},
		{"usersig wrong key", "", "", with("usersig", genSig(t, testApp, "another-key", admin, 3600)), "", chatapi.CodeSigWrongKey},
		{"valid sig, not an admin", "", "", query("1400000001", "alice", genSig(t, testApp, testKey, "alice", 3600)), "", chatapi.CodeNeedAdmin},
		{"GET", http.MethodGet, "", good(), "", chatapi.CodeHTTPParse},
		{"unknown command", "", "sns/no_such", good(), "", chatapi.CodeBadCommand},
		{"body not JSON", "", "", good(), "From_Account=alice", chatapi.CodeJSONParse},
		{"body empty", "", "", good(), " ", chatapi.CodeJSONParse},
		{"body an array", "", "", good(), "[]", chatapi.CodeJSONParse},
		{"body truncated", "", "", good(), `{"From_Account":"a"`, chatapi.CodeJSONParse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, p, b := tt.method, tt.path, tt.body
			if m == "" {
				m = http.MethodPost
			}
			if p == "" {
				p = path
			}
			if b == "" {
				b = body
			}
			res := h.do(m, p, tt.q, b)
			if res.Status != http.StatusOK || res.ErrorCode != tt.want {
				t.Fatalf("got HTTP %d ErrorCode %d (%s), want 200 / %d", res.Status, res.ErrorCode, res.ErrorInfo, tt.want)
			}
			if tt.q.Get("usersig") != "" && contains(res.Body, tt.q.Get("usersig")) {
				t.Fatal("answer echoes the usersig")
			}
		})
	}
}

func TestSigExpiresWithTheClock(t *testing.T) {
	h := newHarness(t, chatsim.Config{})
	q := query("1400000001", admin, genSig(t, testApp, testKey, admin, 60))
	if res := h.do(http.MethodPost, chatapi.PathGroupGet, q, `{"From_Account":"a"}`); res.ErrorCode != 0 {
		t.Fatalf("fresh sig: ErrorCode %d", res.ErrorCode)
	}
	h.clock.Add(2 * time.Minute)
	if res := h.do(http.MethodPost, chatapi.PathGroupGet, q, `{"From_Account":"a"}`); res.ErrorCode != chatapi.CodeSigExpired {
		t.Fatalf("after expiry: ErrorCode %d, want %d", res.ErrorCode, chatapi.CodeSigExpired)
	}
}

func TestOutsidePaths(t *testing.T) {
	h := newHarness(t, chatsim.Config{})
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/other", http.StatusNotFound},
		{http.MethodGet, "/_sim/state", http.StatusOK},
		{http.MethodGet, "/_sim/metrics", http.StatusOK},
		{http.MethodPost, "/_sim/state", http.StatusMethodNotAllowed},
	} {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			rec := newRecorder(h, tt.method, tt.path)
			if rec != tt.want {
				t.Fatalf("HTTP %d, want %d", rec, tt.want)
			}
		})
	}
}
