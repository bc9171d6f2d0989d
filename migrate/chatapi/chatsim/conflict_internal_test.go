package chatsim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// TestWriteConflict holds a user's write slot as an in-flight request would, and checks that
// the user's other writes on that family answer the conflict code and change nothing, while
// reads, other families and other users go through.
func TestWriteConflict(t *testing.T) {
	s, err := New(Config{SDKAppID: 1, Key: "k", RPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := tencentyun.GenUserSig(1, "k", "administrator", 3600)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"sdkappid": {"1"}, "identifier": {"administrator"}, "usersig": {sig}, "random": {"1"}, "contenttype": {"json"}}
	call := func(path, body string) string {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v4/"+path+"?"+q.Encode(), strings.NewReader(body)))
		return rec.Body.String()
	}
	if !s.inflight.acquire(famSNS, "alice") {
		t.Fatal("slot taken")
	}
	tests := []struct {
		name, path, body, want string
	}{
		{"sns write conflicts", chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["g"]}`, `"ErrorCode":30008`},
		{"sns read passes", chatapi.PathGroupGet, `{"From_Account":"alice"}`, `"ErrorCode":0`},
		{"other user passes", chatapi.PathGroupAdd, `{"From_Account":"bob","GroupName":["g"]}`, `"ErrorCode":0`},
		{"other family passes", chatapi.PathCreateContactGroup, `{"From_Account":"alice","GroupContactItem":[{"GroupName":"g"}]}`, `"ErrorCode":0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := call(tt.path, tt.body); !strings.Contains(got, tt.want) {
				t.Fatalf("answer %s, want %s", got, tt.want)
			}
		})
	}
	if !s.inflight.acquire(famRC, "alice") {
		t.Fatal("rc slot should be free again after the create finished")
	}
	if got := call(chatapi.PathUpdateContactGroup, `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"g","NewGroupName":"h"}}`); !strings.Contains(got, `"ErrorCode":50004`) {
		t.Fatalf("rc write during another: %s", got)
	}
	if st := s.Dump(); len(st.FriendGroups["alice"]) != 0 || st.ContactGroups["alice"][0].GroupName != "g" {
		t.Fatalf("conflicting writes changed the state: %+v", st)
	}
	s.inflight.release(famSNS, "alice")
	if got := call(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["g"]}`); !strings.Contains(got, `"ErrorCode":0`) {
		t.Fatalf("after release: %s", got)
	}
	if m := s.Metrics().Total; m.Conflicts != 2 {
		t.Fatalf("conflicts counted %d, want 2", m.Conflicts)
	}
}
