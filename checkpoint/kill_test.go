package checkpoint

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const helperEnv = "CHECKPOINT_TEST_HELPER_PATH"

// TestHelperProcess is not a test: TestKillNineLosesNothing re-executes the test binary to run
// it as a child that appends entries until it is killed. After each Append returns it prints
// "ORD STATE", so the parent knows what the journal promised to keep.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		return
	}
	// No fsync during the child's life: what survives SIGKILL must survive on write(2) alone.
	j, err := Open(path, testHeader(), Options{SyncEvery: 1 << 30, SyncInterval: time.Hour})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	data := json.RawMessage(`{"TopicId":"@TGS#_0123456789","fail":[{"i":1,"code":10004}]}`)
	for ord := range uint64(1 << 20) {
		for _, st := range []State{Sent, Done} {
			e := Entry{Key: ord, State: st}
			if st == Done {
				e.Data = data
			}
			if err := j.Append(e); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			fmt.Fprintf(os.Stdout, "%d %d\n", ord, st)
		}
	}
	os.Exit(0)
}

func TestKillNineLosesNothing(t *testing.T) {
	for _, k := range []int{1, 777, 4000} {
		t.Run(strconv.Itoa(k), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ckpt")
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), helperEnv+"="+path)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			promised := map[uint64]State{}
			sc := bufio.NewScanner(out)
			for len(promised) < k && sc.Scan() {
				var ord uint64
				var st int
				if _, err := fmt.Sscanf(sc.Text(), "%d %d", &ord, &st); err != nil {
					t.Fatalf("helper said %q: %v", sc.Text(), err)
				}
				promised[ord] = State(st)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			// Lines already in the pipe were promised too.
			for sc.Scan() {
				var ord uint64
				var st int
				if _, err := fmt.Sscanf(sc.Text(), "%d %d", &ord, &st); err == nil {
					promised[ord] = State(st)
				}
			}
			cmd.Wait()
			if len(promised) < k {
				t.Fatalf("helper promised only %d entries", len(promised))
			}

			j := mustOpen(t, path, testHeader(), Options{})
			defer mustClose(t, j)
			for ord, st := range promised {
				if got := j.State(ord); got < st {
					t.Errorf("key %d: state %v after kill -9, but Append(%v) had returned", ord, got, st)
				}
			}
			c := j.Counts()
			if c[Done] < len(promised)-1 {
				t.Errorf("Counts() = %v for %d promised units", c, len(promised))
			}
			// The journal stays usable after the crash.
			mustAppend(t, j, Entry{Key: 1<<20 - 1, State: Done})
		})
	}
}
