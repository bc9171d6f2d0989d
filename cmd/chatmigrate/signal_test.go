//go:build unix

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSignalsEndCommands (case 5): SIGINT and SIGTERM end every command within a second,
// with 130, while it reads a huge input; a FIFO input that no one writes to ends it at once
// (it is refused) instead of hanging until kill -9.
func TestSignalsEndCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and writes a large input")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "chatmigrate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	huge := filepath.Join(dir, "topics.csv")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("GroupId,TopicName,Introduction\n")
	for i := range 2_000_000 {
		fmt.Fprintf(w, "@TGS#_g%d,topic %d,some words about the topic\n", i%1000, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}

	environ := []string{"CHATSIM_KEY=k", "TERM=dumb", "PATH=" + os.Getenv("PATH")}
	for _, tt := range []struct {
		name  string
		args  []string
		sig   syscall.Signal
		after time.Duration
		want  int
	}{
		{"validate SIGTERM", []string{"validate", "--topics", huge}, syscall.SIGTERM, 300 * time.Millisecond, exitInterrupted},
		{"validate SIGINT", []string{"validate", "--topics", huge}, syscall.SIGINT, 300 * time.Millisecond, exitInterrupted},
		{"run SIGINT", []string{"run", "--sim", "--topics", huge}, syscall.SIGINT, 300 * time.Millisecond, exitInterrupted},
		{"run SIGTERM later", []string{"run", "--sim", "--topics", huge}, syscall.SIGTERM, 2500 * time.Millisecond, exitInterrupted},
		{"verify SIGTERM", []string{"verify", "--sim", "--topics", huge}, syscall.SIGTERM, 300 * time.Millisecond, exitInterrupted},
		{"validate FIFO", []string{"validate", "--topics", fifo}, syscall.SIGTERM, 3 * time.Second, exitUsage},
		{"run FIFO", []string{"run", "--sim", "--topics", fifo}, syscall.SIGINT, 3 * time.Second, exitUsage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, append(tt.args, "--out", filepath.Join(dir, "out-"+tt.args[0]))...)
			cmd.Env = environ
			out, _ := os.Create(filepath.Join(t.TempDir(), "output"))
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done: // ended on its own (the FIFO is refused)
			case <-time.After(tt.after):
				cmd.Process.Signal(tt.sig)
				sent := time.Now()
				select {
				case <-done:
					t.Logf("ended %v after the signal", time.Since(sent).Round(time.Millisecond))
				case <-time.After(time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("still running 1s after %v", tt.sig)
				}
			}
			if code := cmd.ProcessState.ExitCode(); code != tt.want {
				b, _ := os.ReadFile(out.Name())
				t.Errorf("exit %d, want %d\n%s", code, tt.want, b)
			}
		})
	}
}
