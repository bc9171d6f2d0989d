package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// Exit codes: 0 after a clean shutdown, 1 when serving failed, 2 for a usage error.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// shutdownGrace bounds how long in-flight requests may finish after a signal.
const shutdownGrace = 5 * time.Second

// run parses args, serves until ctx ends, and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, listen, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "chatsim: %v\n", err)
		return exitUsage
	}
	sim, err := chatsim.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "chatsim: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(stderr, "chatsim: %v\n", err)
		return exitFail
	}
	srv := &http.Server{
		Handler:           sim,
		ReadHeaderTimeout: 10 * time.Second,
		// Requests see ctx: a hanging request (fault injection) ends at shutdown.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	fmt.Fprintf(stdout, "chatsim listening on http://%s\n", ln.Addr())
	fmt.Fprintf(stderr, "chatsim: dialect %s\n", sim.Dialect())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "chatsim: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-served
	return exitOK
}

// parseFlags turns the command line into the emulator's config and the listen address.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (chatsim.Config, string, error) {
	fs := flag.NewFlagSet("chatsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usage(fs, stderr)
	var (
		cfg      chatsim.Config
		f        = &cfg.Faults
		listen   = fs.String("listen", "127.0.0.1:8080", "address to listen on (`host:port`; port 0 picks a free one)")
		key      = fs.String("key", "", "the app's secret key (prefer the CHATSIM_KEY environment variable)")
		world    = fs.String("world", "", "world `file` (JSON): groups, users, friendships; default: the lenient world")
		admins   = fs.String("admins", chatapi.DefaultIdentifier, "comma-separated App admin identifiers")
		latency  = fs.String("latency", "", "added latency per request: `DUR` or MIN-MAX, e.g. 20ms-50ms")
		hangFor  = fs.Duration("hang-for", 15*time.Second, "how long a hanging request hangs")
		pageSize = fs.Int("page-size", 100, "get_contact_group conversations per page, unless the dialect sets contact-page-size")
		dialect  = addDialectFlags(fs)
	)
	fs.Uint64Var(&cfg.SDKAppID, "sdkappid", 0, "the SDKAppID the emulator is (required)")
	fs.Float64Var(&cfg.RPS, "rps", chatapi.DefaultRPS, "rate limit per endpoint, requests per second (< 0: none)")
	fs.IntVar(&cfg.Burst, "burst", 0, "token bucket size per endpoint (default max(1, rps/20))")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of fault decisions and generated topic IDs")
	fs.DurationVar(&f.LatencyMin, "latency-min", 0, "added latency, lower bound")
	fs.DurationVar(&f.LatencyMax, "latency-max", 0, "added latency, upper bound")
	fs.Float64Var(&f.TransientRate, "transient", 0, "fraction answered with a transient ErrorCode")
	fs.Float64Var(&f.HTTP502Rate, "http502", 0, "fraction answered HTTP 502")
	fs.Float64Var(&f.HangRate, "hang", 0, "fraction that hang (see -hang-for)")
	fs.Float64Var(&f.AmbiguousRate, "ambiguous", 0, "fraction applied, then the connection dropped")
	fs.Float64Var(&f.ThrottleRate, "throttle", 0, "fraction answered with the throttle code")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.SDKAppID == 0 {
		return cfg, "", errors.New("-sdkappid is required")
	}
	cfg.Key = *key
	if cfg.Key == "" {
		cfg.Key = getenv("CHATSIM_KEY")
	}
	if cfg.Key == "" {
		return cfg, "", errors.New("the secret key is required: set CHATSIM_KEY (or -key)")
	}
	if cfg.RPS == 0 {
		return cfg, "", errors.New("-rps 0 would refuse everything; use a negative value for no limit")
	}
	if *latency != "" {
		lo, hi, err := parseLatency(*latency)
		if err != nil {
			return cfg, "", err
		}
		f.LatencyMin, f.LatencyMax = lo, hi
	}
	if f.LatencyMax == 0 {
		f.LatencyMax = f.LatencyMin
	}
	f.Hang = *hangFor
	cfg.PageSize = *pageSize
	for _, a := range strings.Split(*admins, ",") {
		if a = strings.TrimSpace(a); a != "" {
			cfg.Admins = append(cfg.Admins, a)
		}
	}
	if *world != "" {
		w, err := chatsim.LoadWorld(*world)
		if err != nil {
			return cfg, "", err
		}
		cfg.World = w
	}
	d, err := dialect.resolve(cfg.World)
	if err != nil {
		return cfg, "", err
	}
	cfg.Dialect = d
	return cfg, *listen, nil
}

// parseLatency reads "30ms" (fixed) or "20ms-50ms" (uniform between the two).
func parseLatency(s string) (lo, hi time.Duration, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(a); err != nil {
		return 0, 0, fmt.Errorf("-latency %q: %w", s, err)
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(b); err != nil {
			return 0, 0, fmt.Errorf("-latency %q: %w", s, err)
		}
	}
	if lo < 0 || hi < lo {
		return 0, 0, fmt.Errorf("-latency %q is not a range", s)
	}
	return lo, hi, nil
}
