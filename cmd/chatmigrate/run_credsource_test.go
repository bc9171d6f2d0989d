package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// TestRunCredentialSources: an operator without the secret key runs with a UserSig made
// elsewhere, from the environment or a file, on either import_topic path; the key itself
// can come from a file; the UserSig never
// reaches an output; without key or UserSig the run refuses to start (exit 2).
func TestRunCredentialSources(t *testing.T) {
	sig, err := tencentyun.GenUserSig(runApp, runKey, "administrator", 86400)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sigFile := filepath.Join(dir, "usersig.txt")
	if err := os.WriteFile(sigFile, []byte(sig+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.txt")
	if err := os.WriteFile(keyFile, []byte(runKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	topics := filepath.Join(dir, "topics.csv")
	if err := os.WriteFile(topics, []byte("GroupId,TopicName\n@TGS#_a,one\n@TGS#_a,two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := strconv.Itoa(runApp)
	for _, tc := range []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		wantPath string
	}{
		{"env", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": sig}, nil, exitOK, chatapi.PathImportTopic},
		{"file and million path", map[string]string{"TIM_SDKAPPID": app},
			[]string{"--usersig-file", sigFile, "--topic-path", chatapi.PathImportTopicMillion}, exitOK, chatapi.PathImportTopicMillion},
		{"secret key file", map[string]string{"TIM_SDKAPPID": app}, []string{"--secret-key-file", keyFile}, exitOK, chatapi.PathImportTopic},
		{"missing key file", map[string]string{"TIM_SDKAPPID": app}, []string{"--secret-key-file", keyFile + ".gone"}, exitUsage, ""},
		{"neither", map[string]string{"TIM_SDKAPPID": app}, nil, exitUsage, ""},
		{"unknown path", map[string]string{"TIM_SDKAPPID": app, "TIM_USERSIG": sig},
			[]string{"--topic-path", "group_open_http_svc/nope"}, exitUsage, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSimServer(t, chatsim.Config{})
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"--endpoint", s.ts.URL, "--out", out, "--topics", topics}, tc.args...)
			code, stdout, stderr := runCmd(t, tc.vars, args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, sig) {
				t.Error("the UserSig reached the output")
			}
			if tc.wantPath == "" {
				return
			}
			checkNoCredentials(t, runKey, stdout+stderr, out)
			if got := s.sim.Metrics().Endpoints[tc.wantPath].OK; got != 2 {
				t.Errorf("%s answered OK %d times, want 2 (metrics %+v)", tc.wantPath, got, s.sim.Metrics().Endpoints)
			}
		})
	}
}
