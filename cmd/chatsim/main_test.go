package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWantsVersion(t *testing.T) {
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
