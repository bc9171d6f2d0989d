package chatsim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

func TestParseWorld(t *testing.T) {
	many := make([]string, 3001)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprintf("f%d", i))
	}
	tests := []struct {
		name, json string
		wantErr    string
	}{
		{"full", `{"Communities":[{"GroupId":"@TGS#_a","Topics":true}],"Groups":["@TGS#2x"],"Users":["u"],"Friends":{"u":["v"]},"TopicQuota":5}`, ""},
		{"lenient", `{"Lenient":true}`, ""},
		{"unknown key", `{"Freinds":{}}`, "unknown field"},
		{"community without prefix", `{"Communities":[{"GroupId":"abc"}]}`, "does not start with"},
		{"self friend", `{"Friends":{"u":["u"]}}`, "bad friendship"},
		{"negative quota", `{"TopicQuota":-1}`, "negative"},
		{"trailing data", `{} {}`, "trailing"},
		{"too many friends", `{"Friends":{"u":[` + strings.Join(many, ",") + `]}}`, "more than 3000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chatsim.ParseWorld([]byte(tt.json))
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadWorldDrivesTheEmulator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "world.json")
	data := `{"Communities":[{"GroupId":"@TGS#_a","Topics":true}],"Users":["alice","bob","carol"],"Friends":{"bob":["alice"]}}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := chatsim.LoadWorld(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chatsim.LoadWorld(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("LoadWorld of a missing file succeeded")
	}
	h := newHarness(t, chatsim.Config{World: w})
	var r chatapi.GroupAddResponse
	// Friendships are symmetric: listed as bob→alice, usable as alice→bob.
	h.callInto(chatapi.PathGroupAdd, `{"From_Account":"alice","GroupName":["g"],"To_Account":["bob","carol"]}`, &r)
	if mustJSON(t, r.Fail_Account) != `["carol"]` {
		t.Fatalf("Fail_Account %v", r.Fail_Account)
	}
	if res := h.call(chatapi.PathImportTopic, `{"GroupId":"@TGS#_b","TopicName":"t"}`); res.ErrorCode != chatapi.CodeGroupMissing {
		t.Fatalf("unlisted community: ErrorCode %d", res.ErrorCode)
	}
}
