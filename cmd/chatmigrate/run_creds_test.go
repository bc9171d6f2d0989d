package main

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// tokenPattern matches what might be a TLSSigAPIv2 UserSig: a long run of the characters of
// its encoding (base64 with the vendor's +/= replaced by *-_).
var tokenPattern = regexp.MustCompile(`[0-9A-Za-z*\-_]{60,}`)

// findUserSig returns a UserSig in s, or "": a token that decodes as the vendor encodes a
// UserSig (base64, zlib) into its JSON with "TLS.sig".
func findUserSig(s string) string {
	for _, tok := range tokenPattern.FindAllString(s, -1) {
		raw, err := base64.StdEncoding.DecodeString(strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(tok))
		if err != nil {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		plain, _ := io.ReadAll(io.LimitReader(zr, 1<<16))
		if bytes.Contains(plain, []byte("TLS.sig")) {
			return tok
		}
	}
	return ""
}

// checkNoCredentials fails the test if the key, a UserSig or a usersig query parameter
// appears in text or in any file under dir (reports, checkpoint, sim files).
func checkNoCredentials(t *testing.T, key, text, dir string) {
	t.Helper()
	check := func(where, s string) {
		switch {
		case strings.Contains(s, key):
			t.Errorf("%s holds the secret key", where)
		case findUserSig(s) != "" || strings.Contains(s, "TLS.sig"):
			t.Errorf("%s holds a UserSig", where)
		case strings.Contains(strings.ToLower(s), "usersig="):
			t.Errorf("%s holds a usersig parameter", where)
		}
	}
	check("the output", text)
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		check(path, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Errorf("no file in %s to check", dir)
	}
}

// TestUserSigPattern: the pattern the credential checks rely on does match a real UserSig.
func TestUserSigPattern(t *testing.T) {
	sig, err := tencentyun.GenUserSig(runApp, runKey, "administrator", 86400)
	if err != nil {
		t.Fatal(err)
	}
	if findUserSig("x "+sig+" y") != sig {
		t.Fatalf("the pattern misses a real UserSig %q", sig)
	}
}

// TestRunNoCredentials runs through every path that prints or writes something (success,
// per-item failures, transport failures and timeouts, a fatal answer) and greps all output
// and every file for the key and any UserSig.
func TestRunNoCredentials(t *testing.T) {
	dir := t.TempDir()
	world, err := chatsim.LoadWorld(failWorld(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	faulty := newSimServer(t, chatsim.Config{World: world, Seed: 5, Faults: chatsim.Faults{
		TransientRate: 0.1, HTTP502Rate: 0.1, HangRate: 0.05, AmbiguousRate: 0.05, Hang: time.Second}})
	topics := filepath.Join(dir, "topics.csv")
	var b strings.Builder
	b.WriteString("GroupId,TopicName\n")
	for i := range 15 {
		g := "@TGS#_ok"
		if i%5 == 0 {
			g = "@TGS#_flat"
		}
		b.WriteString(g + ",t" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\n")
	}
	os.WriteFile(topics, []byte(b.String()), 0o644)
	friends := filepath.Join(dir, "friend_groups.csv")
	os.WriteFile(friends, []byte("From_Account,GroupName,To_Account\nalice,g,bob\nalice,g,carol\nnobody,g,bob\n"), 0o644)

	var all strings.Builder
	for _, tc := range []struct {
		name string
		key  string
		args []string
	}{
		{"faults and failures", runKey, []string{"--endpoint", faulty.ts.URL, "--timeout", "300ms", "--topics", topics, "--friend-groups", friends}},
		{"wrong key", "wrong-key-wrong-key-wrong-key-000", []string{"--endpoint", faulty.ts.URL, "--topics", topics}},
	} {
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
		code, stdout, stderr := runCmd(t, credEnv(tc.key), append([]string{"--out", out}, tc.args...)...)
		all.WriteString(stdout + stderr)
		t.Logf("%s: exit %d", tc.name, code)
		if code == exitOK {
			t.Errorf("%s: exit 0, want a failure of some kind", tc.name)
		}
		if _, err := os.Stat(out); err == nil {
			checkNoCredentials(t, runKey, stdout+stderr, out)
		}
	}
	checkNoCredentials(t, "wrong-key-wrong-key-wrong-key-000", all.String(), dir)
}
