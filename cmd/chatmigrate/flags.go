package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/sources"
)

// options are the flags every command shares (CONTRACT.md). A command uses those it needs.
type options struct {
	inputs sources.Inputs

	// Connection (run, verify).
	endpoint      string
	region        string
	sdkappid      uint64
	identifier    string
	secretKeyFile string
	userSigFile   string
	topicPath     string
	sim           bool

	// Tuning.
	rps         float64
	concurrency int
	timeout     time.Duration

	// State and output.
	checkpoint  string
	out         string
	retryFailed bool
	force       bool
	sample      float64
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newFlagSet declares the shared flags on a new flag set for command name.
func newFlagSet(name string, stderr io.Writer, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("chatmigrate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var((*stringList)(&o.inputs.Topics), "topics", "topics `FILE` (.csv, .jsonl, .ndjson, optionally .gz); repeatable")
	fs.Var((*stringList)(&o.inputs.FriendGroups), "friend-groups", "friend groups `FILE`; repeatable")
	fs.Var((*stringList)(&o.inputs.ContactGroups), "contact-groups", "conversation groups `FILE`; repeatable")
	fs.Float64Var(&o.rps, "rps", 200, "requests per second per endpoint (the vendor allows 200)")
	fs.StringVar(&o.out, "out", "chatmigrate-out", "`DIR` for the reports")
	return fs
}

// addConnFlags declares the connection, tuning and state flags of run and verify.
func addConnFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.endpoint, "endpoint", "", "base `URL` of the REST API (plain http only to loopback)")
	fs.StringVar(&o.region, "region", "", "vendor region `NAME`: china, singapore, seoul, tokyo, frankfurt, siliconvalley, jakarta, mumbai, riyadh")
	fs.Func("sdkappid", "SDKAppID `N` (env TIM_SDKAPPID)", func(v string) error {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return errors.New("not an unsigned integer")
		}
		o.sdkappid = n
		return nil
	})
	fs.StringVar(&o.identifier, "identifier", "", "App admin `NAME` (env TIM_IDENTIFIER, default administrator)")
	fs.StringVar(&o.secretKeyFile, "secret-key-file", "", "read the secret key from `FILE` (else env TIM_SECRET_KEY)")
	fs.StringVar(&o.userSigFile, "usersig-file", "", "read a precomputed UserSig from `FILE` (else env TIM_USERSIG), used when there is no secret key; it is not renewed")
	fs.StringVar(&o.topicPath, "topic-path", "", "import_topic service `PATH`: group_open_http_svc/import_topic (default) or million_group_open_http_svc/import_topic, as the vendor's pages for your app say")
	fs.BoolVar(&o.sim, "sim", false, "run against the built-in emulator instead of the vendor")
	fs.IntVar(&o.concurrency, "concurrency", migrate.DefaultConcurrency, "requests in flight at most")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout (the server gives up after 3s)")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "checkpoint `FILE`: a rerun with the same file resumes")
}

// parseArgs parses flags and positional directories in any order, as CONTRACT.md writes
// "chatmigrate run samples/ --sim". Each positional argument is an input directory.
func parseArgs(fs *flag.FlagSet, args []string, o *options) error {
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if err := o.inputs.AddDir(rest[0]); err != nil {
			return err
		}
		args = rest[1:]
	}
	if o.inputs.Empty() {
		return errors.New("no input: give a directory or --topics, --friend-groups, --contact-groups")
	}
	for _, k := range sources.Kinds {
		for _, f := range o.inputs.Files(k) {
			if _, err := sources.FormatOf(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTuning checks the tuning flags run and verify share.
func checkTuning(o *options) error {
	switch {
	case o.rps <= 0 || math.IsInf(o.rps, 0) || math.IsNaN(o.rps):
		return errors.New("--rps must be a positive number")
	case o.concurrency < 1:
		return errors.New("--concurrency must be at least 1")
	case o.timeout <= 0:
		return errors.New("--timeout must be positive")
	}
	return nil
}

// usageError reports a usage error and returns the exit code; -h is not an error.
func usageError(stderr io.Writer, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "chatmigrate: %v\n", err)
	return exitUsage
}

// readSecret returns the secret key from --secret-key-file or TIM_SECRET_KEY. Never a flag
// value: flags show in ps and shell history.
func readSecret(o *options, e env) (string, error) {
	return readCredential(o.secretKeyFile, "TIM_SECRET_KEY", "secret key", e)
}

// readUserSig returns a precomputed UserSig from --usersig-file or TIM_USERSIG, for operators
// who may not hold the secret key. Like the key, never a flag value.
func readUserSig(o *options, e env) (string, error) {
	return readCredential(o.userSigFile, "TIM_USERSIG", "UserSig", e)
}

// readCredential reads a credential from file when one is given, else from the environment
// variable name. The error names the file, never its content.
func readCredential(file, name, what string, e env) (string, error) {
	if file == "" {
		return e.getenv(name), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read %s file: %w", what, err)
	}
	return strings.TrimSpace(string(b)), nil
}
