package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// simSDKAppID is the emulator's SDKAppID when --sim is given without --sdkappid.
const simSDKAppID = 1400000000

// simOptions are the flags of the in-process emulator (--sim).
type simOptions struct {
	world   string
	seed    int64
	rps     float64
	latency string
	faults  chatsim.Faults
	dialect string // a chatsim.ParseDialect spec: a preset, then option=value pairs
}

// addSimFlags declares the --sim-* flags.
func addSimFlags(fs *flag.FlagSet, s *simOptions) {
	fs.StringVar(&s.world, "sim-world", "", "with --sim: world `FILE` (JSON) of existing groups, users and friendships; default: everything exists")
	fs.Int64Var(&s.seed, "sim-seed", 1, "with --sim: seed of fault decisions and generated topic IDs")
	fs.Float64Var(&s.rps, "sim-rps", chatapi.DefaultRPS, "with --sim: the emulator's rate limit per endpoint (< 0: none)")
	fs.StringVar(&s.latency, "sim-latency", "", "with --sim: added latency per request, `DUR` or MIN-MAX (e.g. 20ms-50ms)")
	fs.Float64Var(&s.faults.TransientRate, "sim-transient", 0, "with --sim: fraction of requests answered with a transient error")
	fs.Float64Var(&s.faults.HTTP502Rate, "sim-http502", 0, "with --sim: fraction answered HTTP 502")
	fs.Float64Var(&s.faults.AmbiguousRate, "sim-ambiguous", 0, "with --sim: fraction applied, then the answer lost")
	fs.Float64Var(&s.faults.ThrottleRate, "sim-throttle", 0, "with --sim: fraction answered with a throttle code")
	fs.Float64Var(&s.faults.HangRate, "sim-hang", 0, "with --sim: fraction that never answer (the client times out)")
	fs.StringVar(&s.dialect, "sim-dialect", "", "with --sim: how the emulator reads what the vendor leaves open: `SPEC`, a preset ("+
		strings.Join(chatsim.DialectNames(), ", ")+") optionally followed by ,option=value pairs (see 'chatsim -h'); default: default")
}

// target is where run and verify send: the API, a description for people (never a
// credential), and the in-process emulator when --sim is on.
type target struct {
	api   *chatapi.Client
	desc  string
	admin string
	sim   *chatsim.Server
	close func()
	// userSig names where a precomputed UserSig came from (TIM_USERSIG or its file), ""
	// when the run signs with the secret key: a refused signature is then the UserSig's.
	userSig string
}

// connect builds the client from the options and the environment, starting the emulator
// for --sim. topicPath is run's import_topic path ("" for the default). A returned error is
// a usage or configuration error.
func connect(o *connOptions, t *tuningOptions, topicPath string, e env) (*target, error) {
	n := 0
	for _, set := range []bool{o.endpoint != "", o.region != "", o.sim} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, errors.New("no target: give --endpoint URL, --region NAME, or --sim for the built-in emulator")
	case n > 1:
		return nil, errors.New("give only one of --endpoint, --region and --sim")
	}
	identifier := o.identifier
	if identifier == "" {
		identifier = e.getenv("TIM_IDENTIFIER")
	}
	if identifier == "" {
		identifier = chatapi.DefaultIdentifier
	}
	sdkappid := o.sdkappid
	if sdkappid == 0 {
		if v := e.getenv("TIM_SDKAPPID"); v != "" {
			id, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("TIM_SDKAPPID %q is not an unsigned integer", v)
			}
			sdkappid = id
		}
	}
	// SigTTL stays chatapi.DefaultSigTTL, longer than the 24 h the vendor asks for at the
	// least (docs/vendor-api.md, "UserSig and auth codes"); the client renews the UserSig
	// before it lapses, however long the run takes.
	cfg := chatapi.Config{SDKAppID: sdkappid, Identifier: identifier, Timeout: t.timeout,
		HTTPClient: httpClient(t.concurrency), ImportTopicPath: topicPath}
	tgt := &target{admin: identifier, close: func() {}}
	if o.sim {
		if err := startSim(tgt, &cfg, &o.simOpts); err != nil {
			return nil, err
		}
	} else {
		if sdkappid == 0 {
			return nil, errors.New("no SDKAppID: set TIM_SDKAPPID or --sdkappid")
		}
		key, err := readSecret(o, e)
		if err != nil {
			return nil, err
		}
		cfg.SecretKey = key
		if key == "" {
			sig, source, err := readUserSig(o, e)
			if err != nil {
				return nil, err
			}
			if sig == "" {
				return nil, errors.New("no secret key: set TIM_SECRET_KEY or --secret-key-file (or a precomputed UserSig in TIM_USERSIG or --usersig-file)")
			}
			if err := checkUserSig(sig, source, sdkappid, identifier, time.Now()); err != nil {
				return nil, err
			}
			cfg.UserSig, tgt.userSig = sig, source
		}
		if o.endpoint != "" {
			cfg.BaseURL = o.endpoint
			tgt.desc = redactURL(o.endpoint)
		} else {
			base, err := chatapi.RegionURL(o.region)
			if err != nil {
				return nil, fmt.Errorf("--region: %w (known: %s)", err, strings.Join(chatapi.Regions(), ", "))
			}
			cfg.Region = o.region
			tgt.desc = "region " + o.region + " (" + base + ")"
		}
		tgt.desc += fmt.Sprintf(", sdkappid %d, identifier %s", sdkappid, identifier)
	}
	c, err := chatapi.New(cfg)
	if err != nil {
		tgt.close()
		if o.endpoint != "" && strings.Contains(err.Error(), "BaseURL") {
			return nil, fmt.Errorf("--endpoint %q: %w; for example --endpoint http://127.0.0.1:18765 (an emulator) or --endpoint https://adminapisgp.im.qcloud.com", redactURL(o.endpoint), err)
		}
		return nil, err
	}
	tgt.api = c
	return tgt, nil
}

// httpClient returns a client whose pool keeps a connection per request in flight: the
// default keeps two idle connections per host, and a run at 64 in flight would otherwise
// open and close connections all the time.
func httpClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * max(concurrency, 1)
	tr.MaxIdleConnsPerHost = max(concurrency, 1)
	return &http.Client{Transport: tr}
}

// redactURL drops a URL's user info and query, which might hold credentials.
func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.LastIndex(s[i+3:], "@"); j >= 0 && !strings.Contains(s[i+3:i+3+j], "/") {
			s = s[:i+3] + s[i+3+j+1:]
		}
	}
	return s
}

// startSim starts the emulator on a loopback port with a fresh random key and points cfg at it.
func startSim(t *target, cfg *chatapi.Config, so *simOptions) error {
	var world *chatsim.World
	if so.world != "" {
		w, err := chatsim.LoadWorld(so.world)
		if err != nil {
			return err
		}
		world = w
	}
	faults := so.faults
	if so.latency != "" {
		lo, hi, err := parseLatency(so.latency)
		if err != nil {
			return fmt.Errorf("--sim-latency: %w", err)
		}
		faults.LatencyMin, faults.LatencyMax = lo, hi
	}
	if faults.HangRate > 0 {
		faults.Hang = 2 * cfg.Timeout // past the client's timeout: the request is in doubt
	}
	if cfg.SDKAppID == 0 {
		cfg.SDKAppID = simSDKAppID
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("sim key: %w", err)
	}
	cfg.SecretKey = hex.EncodeToString(raw[:])
	rps := so.rps
	if rps == 0 {
		rps = -1
	}
	dialect := chatsim.DialectDefault()
	if so.dialect != "" {
		var err error
		if dialect, err = chatsim.ParseDialect(so.dialect); err != nil {
			return fmt.Errorf("--sim-dialect: %w", err)
		}
	}
	sim, err := chatsim.New(chatsim.Config{SDKAppID: cfg.SDKAppID, Key: cfg.SecretKey, Admins: []string{cfg.Identifier},
		RPS: rps, World: world, Faults: faults, Seed: so.seed, Dialect: dialect})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at close
	cfg.BaseURL = "http://" + ln.Addr().String()
	t.sim = sim
	t.desc = "SIMULATION: in-process emulator at " + cfg.BaseURL
	t.close = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	}
	return nil
}

// simBanner is printed on stderr when --sim is on: nobody should mistake a rehearsal for
// the real thing. run leaves the emulator's state behind; verify reads it back.
const simBanner = `
========================================================================
  SIMULATION: nothing is sent to Tencent Cloud.
  --sim runs the built-in emulator in this process; its final state is
  written to sim_state.json and its request metrics to sim_metrics.json.
========================================================================
`

// simVerifyBanner is simBanner for verify, which starts from run --sim's sim_state.json.
const simVerifyBanner = `
========================================================================
  SIMULATION: nothing is read from Tencent Cloud.
  --sim runs the built-in emulator in this process, loaded with the
  state that run --sim left in sim_state.json.
========================================================================
`

// writeSimFiles writes the emulator's state and metrics into dir.
func writeSimFiles(t *target, dir string) error {
	if t.sim == nil {
		return nil
	}
	for name, v := range map[string]any{"sim_state.json": t.sim.Dump(), "sim_metrics.json": t.sim.Metrics()} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// parseLatency reads DUR or MIN-MAX.
func parseLatency(s string) (lo, hi time.Duration, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(b); err != nil {
			return 0, 0, err
		}
	}
	if lo < 0 || hi < lo {
		return 0, 0, fmt.Errorf("%q is not a range", s)
	}
	return lo, hi, nil
}
