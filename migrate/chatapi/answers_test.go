package chatapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestClassOf has one row per code of the table in docs/vendor-api.md, "Error classes".
func TestClassOf(t *testing.T) {
	tests := []struct {
		code int
		want Class
	}{
		{0, ClassOK},
		// throttled
		{10006, ClassThrottled}, {60007, ClassThrottled}, {60011, ClassThrottled}, {60018, ClassThrottled}, {60019, ClassThrottled},
		// transient
		{10002, ClassTransient}, {30006, ClassTransient}, {30007, ClassTransient}, {30008, ClassTransient},
		{50004, ClassTransient}, {50005, ClassTransient}, {60004, ClassTransient}, {60005, ClassTransient},
		{60008, ClassTransient}, {60014, ClassTransient}, {70169, ClassTransient}, {70202, ClassTransient},
		{70500, ClassTransient}, {80005, ClassTransient},
		// renew
		{70001, ClassRenew}, {70052, ClassRenew},
		// fatal
		{10003, ClassFatal}, {60006, ClassFatal}, {60009, ClassFatal}, {60010, ClassFatal}, {60012, ClassFatal},
		{60016, ClassFatal}, {60017, ClassFatal}, {60020, ClassFatal}, {60021, ClassFatal}, {60025, ClassFatal},
		{60026, ClassFatal}, {60028, ClassFatal}, {70003, ClassFatal}, {70005, ClassFatal}, {70009, ClassFatal},
		{70013, ClassFatal}, {70014, ClassFatal}, {70016, ClassFatal}, {70020, ClassFatal}, {70050, ClassFatal},
		{30004, ClassFatal}, {50003, ClassFatal}, {70403, ClassFatal},
		// too big: split and send again, never an item failure
		{10018, ClassTooBig}, {51006, ClassTooBig},
		// retried a few times, then fatal
		{10008, ClassRetryThenFatal},
		// permanent; 10021 is "already done" only in the caller's context; 51012 is the
		// pinned-conversation limit
		{10004, ClassPermanent}, {10007, ClassPermanent}, {10010, ClassPermanent}, {10015, ClassPermanent},
		{10037, ClassPermanent}, {11000, ClassPermanent}, {80001, ClassPermanent}, {32216, ClassPermanent},
		{30001, ClassPermanent}, {30003, ClassPermanent}, {30011, ClassPermanent}, {50001, ClassPermanent},
		{50002, ClassPermanent}, {51007, ClassPermanent}, {51008, ClassPermanent}, {51009, ClassPermanent},
		{51010, ClassPermanent}, {51011, ClassPermanent}, {51012, ClassPermanent}, {51013, ClassPermanent},
		{10021, ClassPermanent}, {110003, ClassPermanent}, {99999, ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			if got := ClassOf(tt.code); got != tt.want {
				t.Fatalf("ClassOf(%d) = %s, want %s", tt.code, got, tt.want)
			}
		})
	}
}

// TestAnswers: how each kind of answer becomes (response, error).
func TestAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantResp  bool // a decoded response is returned
		wantErr   bool
		class     Class
		code      int
		infoHas   string
		checkResp func(t *testing.T, r *GroupAddResponse)
	}{
		{name: "ok with failed items", status: 200,
			body:     `{"ActionStatus":"OK","ErrorCode":0,"ResultItem":[{"To_Account":"x","ResultCode":32216,"ResultInfo":"not friend"}],"Fail_Account":["x"],"CurrentSequence":3}`,
			wantResp: true,
			checkResp: func(t *testing.T, r *GroupAddResponse) {
				if len(r.ResultItem) != 1 || r.ResultItem[0].ResultCode != CodeNotFriend || r.Fail_Account[0] != "x" || r.CurrentSequence != 3 {
					t.Fatalf("items lost: %+v", r)
				}
			}},
		{name: "error code keeps the body", status: 200,
			body:     `{"ActionStatus":"FAIL","ErrorCode":30011,"ErrorInfo":"group limit","ResultItem":[{"To_Account":"y","ResultCode":0}]}`,
			wantResp: true, wantErr: true, class: ClassPermanent, code: CodeSNSGroupLimit, infoHas: "group limit",
			checkResp: func(t *testing.T, r *GroupAddResponse) {
				if len(r.ResultItem) != 1 || r.ResultItem[0].To_Account != "y" {
					t.Fatalf("items lost: %+v", r)
				}
			}},
		{name: "throttled", status: 200, body: `{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"slow down"}`,
			wantResp: true, wantErr: true, class: ClassThrottled, code: CodeRESTRate},
		{name: "transient code", status: 200, body: `{"ActionStatus":"FAIL","ErrorCode":30008,"ErrorInfo":"conflict"}`,
			wantResp: true, wantErr: true, class: ClassTransient, code: CodeSNSWriteConflict},
		{name: "fatal code", status: 200, body: `{"ActionStatus":"FAIL","ErrorCode":60006,"ErrorInfo":"bad app"}`,
			wantResp: true, wantErr: true, class: ClassFatal, code: CodeBadSDKAppID},
		{name: "502", status: 502, body: "<html>Bad Gateway</html>", wantErr: true, class: ClassTransient, infoHas: "502 Bad Gateway: <html>Bad Gateway</html>"},
		{name: "504", status: 504, body: "", wantErr: true, class: ClassTransient, infoHas: "504 Gateway Timeout"},
		{name: "429", status: 429, body: "later", wantErr: true, class: ClassThrottled},
		{name: "404", status: 404, body: "no such path", wantErr: true, class: ClassFatal},
		{name: "not json", status: 200, body: "<html>", wantErr: true, class: ClassTransient, infoHas: "undecodable"},
		{name: "wrong types", status: 200, body: `{"ActionStatus":"OK","ErrorCode":"zero"}`, wantErr: true, class: ClassTransient, infoHas: "undecodable"},
		{name: "empty object", status: 200, body: `{}`, wantErr: true, class: ClassTransient, infoHas: "without an ErrorCode"},
		{name: "FAIL without code", status: 200, body: `{"ActionStatus":"FAIL","ErrorCode":0}`, wantErr: true, class: ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			c := newClient(t, ts.URL, nil)
			resp, err := c.GroupAdd(context.Background(), &GroupAddRequest{From_Account: "a", GroupName: []string{"g"}, To_Account: []string{"x", "y"}})
			if (resp != nil) != tt.wantResp {
				t.Fatalf("response %+v, want one: %v", resp, tt.wantResp)
			}
			if tt.checkResp != nil {
				tt.checkResp(t, resp)
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			e := asError(t, err)
			if e.Class != tt.class || e.Code != tt.code || e.Endpoint != PathGroupAdd || !e.Sent {
				t.Fatalf("error %+v, want class %s code %d, sent", e, tt.class, tt.code)
			}
			if tt.status != 200 && e.HTTPStatus != tt.status {
				t.Fatalf("HTTPStatus %d, want %d", e.HTTPStatus, tt.status)
			}
			if !strings.Contains(e.Info, tt.infoHas) {
				t.Fatalf("Info %q lacks %q", e.Info, tt.infoHas)
			}
		})
	}
}

// TestGetTopicTopLevelCode: with topics listed the top-level code is meaningless (vendor);
// without, it is the answer.
func TestGetTopicTopLevelCode(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		items   int
		errCode int
	}{
		{"items with a top-level code", `{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"x","TopicAndSelfInfo":[{"ErrorCode":10010,"ErrorInfo":"gone","TopicInfo":{"TopicId":"a"}},{"ErrorCode":0,"TopicInfo":{"TopicId":"b","TopicName":"B"}}]}`, 2, 0},
		{"no items", `{"ActionStatus":"FAIL","ErrorCode":10015,"ErrorInfo":"bad group"}`, 0, CodeBadGroupID},
		{"ok", `{"ActionStatus":"OK","ErrorCode":0,"TopicAndSelfInfo":[{"ErrorCode":0,"TopicInfo":{"TopicId":"b"}}]}`, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) }))
			defer ts.Close()
			resp, err := newClient(t, ts.URL, nil).GetTopic(context.Background(), &GetTopicRequest{GroupId: "@TGS#_g", From_Account: "a"})
			if resp == nil || len(resp.TopicAndSelfInfo) != tt.items {
				t.Fatalf("response %+v", resp)
			}
			if tt.errCode == 0 {
				if err != nil {
					t.Fatalf("error %v", err)
				}
			} else if e := asError(t, err); e.Code != tt.errCode {
				t.Fatalf("error %v, want code %d", e, tt.errCode)
			}
			if tt.items == 2 && (resp.TopicAndSelfInfo[0].ErrorCode != CodeGroupMissing || resp.TopicAndSelfInfo[1].TopicInfo.TopicName != "B") {
				t.Fatalf("items %+v", resp.TopicAndSelfInfo)
			}
		})
	}
}

// TestNoRedirect: a redirect would carry the UserSig to another host; it is an error instead.
func TestNoRedirect(t *testing.T) {
	var hit atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }))
	defer other.Close()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer ts.Close()
	_, err := newClient(t, ts.URL, nil).GroupGet(context.Background(), &GroupGetRequest{From_Account: "a"})
	if e := asError(t, err); e.HTTPStatus != http.StatusTemporaryRedirect || e.Class != ClassFatal {
		t.Fatalf("error %+v", e)
	}
	if hit.Load() {
		t.Fatal("the redirect was followed")
	}
}

// TestGenericCall: Call works for any path and response type.
func TestGenericCall(t *testing.T) {
	var rec recorder
	ts := httptest.NewServer(rec.handler(answerJSON(`{"ActionStatus":"OK","ErrorCode":0,"TopicId":"t1"}`)))
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	var resp ImportTopicResponse
	if err := c.Call(context.Background(), "/some/other_cmd", map[string]int{"N": 1}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.TopicId != "t1" || rec.all()[0].path != "/v4/some/other_cmd" || string(rec.all()[0].body) != `{"N":1}` {
		t.Fatalf("resp %+v, request %+v", resp, rec.all()[0])
	}
	for _, bad := range []string{"", "/", "a?b=c"} {
		if e := asError(t, c.Call(context.Background(), bad, nil, &resp)); e.Class != ClassFatal || e.Sent {
			t.Fatalf("path %q: %+v", bad, e)
		}
	}
}
