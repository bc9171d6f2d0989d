package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// syncBuffer is a goroutine-safe writer for run's stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs chatsim in-process on a free port, writes through it, reads the state dump,
// and shuts it down by cancelling the context.
func TestServe(t *testing.T) {
	world := filepath.Join(t.TempDir(), "world.json")
	if err := os.WriteFile(world, []byte(`{"Users":["alice","bob"],"Friends":{"alice":["bob"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var errBuf syncBuffer
	env := map[string]string{"CHATSIM_KEY": "env-key"}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-sdkappid", "1400000001", "-world", world, "-latency", "1ms-2ms"},
			func(k string) string { return env[k] }, outW, &errBuf)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v (stderr: %s)", err, errBuf.String())
	}
	go io.Copy(io.Discard, outR)
	base, found := strings.CutPrefix(strings.TrimSpace(line), "chatsim listening on ")
	if !found || !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("printed %q", line)
	}

	sig, err := tencentyun.GenUserSig(1400000001, "env-key", "administrator", 3600)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"sdkappid": {"1400000001"}, "identifier": {"administrator"}, "usersig": {sig}, "random": {"7"}, "contenttype": {"json"}}
	resp, err := http.Post(base+"/v4/sns/group_add?"+q.Encode(), "application/json",
		strings.NewReader(`{"From_Account":"alice","GroupName":["close"],"To_Account":["bob"]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"ErrorCode":0`) {
		t.Fatalf("group_add answered %s", body)
	}

	resp, err = http.Get(base + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	var st chatsim.State
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.FriendGroups["alice"]["close"]; len(got) != 1 || got[0] != "bob" {
		t.Fatalf("state %+v", st)
	}
	resp, err = http.Get(base + "/_sim/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var m chatsim.Metrics
	err = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if err != nil || m.Endpoints["sns/group_add"].OK != 1 {
		t.Fatalf("metrics %+v, %v", m, err)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d, stderr %s", code, errBuf.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("chatsim did not shut down")
	}
	if strings.Contains(errBuf.String(), "env-key") {
		t.Fatal("the key reached stderr")
	}
}

func TestFlags(t *testing.T) {
	noEnv := func(string) string { return "" }
	tests := []struct {
		name    string
		args    []string
		env     func(string) string
		wantErr string
		check   func(t *testing.T, cfg chatsim.Config, listen string)
	}{
		{"defaults", []string{"-sdkappid", "1", "-key", "k"}, noEnv, "", func(t *testing.T, cfg chatsim.Config, listen string) {
			if listen != "127.0.0.1:8080" || cfg.RPS != 200 || cfg.Faults.Hang != 15*time.Second || cfg.Admins[0] != "administrator" {
				t.Fatalf("%+v %s", cfg, listen)
			}
		}},
		{"key from env", []string{"-sdkappid", "1"}, func(string) string { return "from-env" }, "", func(t *testing.T, cfg chatsim.Config, _ string) {
			if cfg.Key != "from-env" {
				t.Fatalf("key %q", cfg.Key)
			}
		}},
		{"flag beats env", []string{"-sdkappid", "1", "-key", "flag"}, func(string) string { return "env" }, "", func(t *testing.T, cfg chatsim.Config, _ string) {
			if cfg.Key != "flag" {
				t.Fatalf("key %q", cfg.Key)
			}
		}},
		{"latency range and faults", []string{"-sdkappid", "1", "-key", "k", "-latency", "20ms-50ms", "-transient", "0.1", "-http502", "0.05", "-hang", "0.01", "-ambiguous", "0.02", "-throttle", "0.03", "-seed", "9", "-rps", "-1", "-admins", "a, b"}, noEnv, "", func(t *testing.T, cfg chatsim.Config, _ string) {
			f := cfg.Faults
			if f.LatencyMin != 20*time.Millisecond || f.LatencyMax != 50*time.Millisecond || f.TransientRate != 0.1 || f.HTTP502Rate != 0.05 ||
				f.HangRate != 0.01 || f.AmbiguousRate != 0.02 || f.ThrottleRate != 0.03 || cfg.Seed != 9 || cfg.RPS != -1 || len(cfg.Admins) != 2 || cfg.Admins[1] != "b" {
				t.Fatalf("%+v", cfg)
			}
		}},
		{"fixed latency", []string{"-sdkappid", "1", "-key", "k", "-latency", "30ms"}, noEnv, "", func(t *testing.T, cfg chatsim.Config, _ string) {
			if cfg.Faults.LatencyMin != 30*time.Millisecond || cfg.Faults.LatencyMax != 30*time.Millisecond {
				t.Fatalf("%+v", cfg.Faults)
			}
		}},
		{"latency bounds", []string{"-sdkappid", "1", "-key", "k", "-latency-min", "5ms", "-latency-max", "9ms"}, noEnv, "", func(t *testing.T, cfg chatsim.Config, _ string) {
			if cfg.Faults.LatencyMin != 5*time.Millisecond || cfg.Faults.LatencyMax != 9*time.Millisecond {
				t.Fatalf("%+v", cfg.Faults)
			}
		}},
		{"no sdkappid", []string{"-key", "k"}, noEnv, "-sdkappid is required", nil},
		{"no key", []string{"-sdkappid", "1"}, noEnv, "CHATSIM_KEY", nil},
		{"bad latency", []string{"-sdkappid", "1", "-key", "k", "-latency", "50ms-20ms"}, noEnv, "not a range", nil},
		{"rps 0", []string{"-sdkappid", "1", "-key", "k", "-rps", "0"}, noEnv, "-rps 0", nil},
		{"missing world", []string{"-sdkappid", "1", "-key", "k", "-world", "/nonexistent/w.json"}, noEnv, "load world", nil},
		{"stray argument", []string{"-sdkappid", "1", "-key", "k", "extra"}, noEnv, "unexpected argument", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, listen, err := parseFlags(tt.args, tt.env, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg, listen)
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-sdkappid", "1", "-key", "k", "-transient", "2"}, func(string) string { return "" }, io.Discard, &stderr); code != exitUsage {
		t.Fatalf("exit %d, want %d (%s)", code, exitUsage, stderr.String())
	}
	if code := run(context.Background(), []string{"-sdkappid", "1", "-key", "k", "-listen", "256.0.0.1:1"}, func(string) string { return "" }, io.Discard, &stderr); code != exitFail {
		t.Fatalf("bad listen address: exit %d, want %d", code, exitFail)
	}
}
