package main

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	stamped := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"stamped", stamped, true, "chatsim v1.2.3, revision 0123abcd (modified)"},
		{"work tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "chatsim (devel), revision unknown"},
		{"no build info", nil, false, "chatsim (devel), revision unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLine("chatsim", tt.bi, tt.ok); got != tt.want {
				t.Errorf("versionLine = %q, want %q", got, tt.want)
			}
		})
	}
	if !wantsVersion([]string{"-listen", ":0", "--version"}) || !wantsVersion([]string{"-version"}) || wantsVersion([]string{"-listen", ":0"}) {
		t.Error("wantsVersion does not spot --version")
	}
}

// TestVersionBinary builds chatsim and runs it with --version: it prints one version line
// and exits 0 without listening.
func TestVersionBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "chatsim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("chatsim --version: %v", err)
	}
	if line := strings.TrimSpace(string(out)); !strings.HasPrefix(line, "chatsim ") || !strings.Contains(line, ", revision ") || strings.Count(line, "\n") != 0 {
		t.Errorf("chatsim --version printed %q", out)
	}
}
