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
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// The options of the commands are put together from these pieces, so that a flag shared
// by two commands is declared, and defaulted, in one place; each command declares only the
// flags it reads (docs/contract.md, "Commands").

// inputOptions are the INPUTS: --topics, --friend-groups, --contact-groups and directories.
type inputOptions struct {
	inputs sources.Inputs
	memory int64  // --memory in bytes
	tmpDir string // --tmp-dir; "" means --out
}

func (o *inputOptions) addFlags(fs *flag.FlagSet) {
	o.memory = migrate.DefaultMemory
	fs.Func("memory", "memory `BUDGET` of the plan, as 256MiB or 1GiB (default 256MiB): larger input is sorted on disk", func(v string) error {
		n, err := parseBytes(v)
		if err != nil {
			return err
		}
		o.memory = n
		return nil
	})
	fs.StringVar(&o.tmpDir, "tmp-dir", "", "`DIR` for the temporary files of input larger than --memory (default: --out)")
	fs.Var((*stringList)(&o.inputs.Topics), "topics", "topics `FILE` (.csv, .jsonl, .ndjson, optionally .gz); repeatable")
	fs.Var((*stringList)(&o.inputs.FriendGroups), "friend-groups", "friend groups `FILE`; repeatable")
	fs.Var((*stringList)(&o.inputs.ContactGroups), "contact-groups", "conversation groups `FILE`; repeatable")
}

// connOptions say where run and verify send, and as whom.
type connOptions struct {
	endpoint      string
	region        string
	sdkappid      uint64
	identifier    string
	secretKeyFile string
	userSigFile   string
	sim           bool
	simOpts       simOptions // the --sim-* flags
}

func (o *connOptions) addFlags(fs *flag.FlagSet) {
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
	fs.StringVar(&o.identifier, "identifier", "", "App admin `NAME` (env TIM_IDENTIFIER, default "+chatapi.DefaultIdentifier+")")
	fs.StringVar(&o.secretKeyFile, "secret-key-file", "", "read the secret key from `FILE` (else env TIM_SECRET_KEY)")
	fs.StringVar(&o.userSigFile, "usersig-file", "", "read a precomputed UserSig from `FILE` (else env TIM_USERSIG), used when there is no secret key; it is not renewed")
	fs.BoolVar(&o.sim, "sim", false, "run against the built-in emulator instead of the vendor")
	addSimFlags(fs, &o.simOpts)
}

// tuningOptions pace the requests of run and verify.
type tuningOptions struct {
	rps         float64
	concurrency int
	timeout     time.Duration
	outageAfter time.Duration
}

func (o *tuningOptions) addFlags(fs *flag.FlagSet) {
	addRPSFlag(fs, &o.rps)
	fs.IntVar(&o.concurrency, "concurrency", pacer.DefaultConcurrency, "requests in flight at most")
	fs.DurationVar(&o.timeout, "timeout", chatapi.DefaultTimeout, "per-request timeout (no vendor page states the server's own)")
	fs.DurationVar(&o.outageAfter, "outage-after", pacer.DefaultOutageAfter,
		"stop, resumable, when the API has not answered any request for `DUR` (the network or the address is wrong)")
}

// check checks the tuning flags.
func (o *tuningOptions) check() error {
	switch {
	case !validRPS(o.rps):
		return errors.New("--rps must be a positive number, e.g. --rps 100")
	case o.concurrency < 1:
		return errors.New("--concurrency must be at least 1, e.g. --concurrency 32")
	case o.timeout <= 0:
		return errors.New("--timeout must be positive, e.g. --timeout 5s")
	case o.outageAfter <= 0:
		return errors.New("--outage-after must be positive, e.g. --outage-after 60s")
	}
	return nil
}

// pacing returns the pacer's options the tuning flags set.
func (o *tuningOptions) pacing() pacer.Options {
	return pacer.Options{RPS: o.rps, Concurrency: o.concurrency, Timeout: o.timeout, OutageAfter: o.outageAfter}
}

// addRPSFlag declares --rps, which validate reads too (for its time estimate).
func addRPSFlag(fs *flag.FlagSet, rps *float64) {
	fs.Float64Var(rps, "rps", chatapi.DefaultRPS, fmt.Sprintf("requests per second per endpoint (the vendor allows %d)", chatapi.DefaultRPS))
}

func validRPS(rps float64) bool { return rps > 0 && !math.IsInf(rps, 0) && !math.IsNaN(rps) }

// outputOptions say where the reports go.
type outputOptions struct {
	out string
}

func (o *outputOptions) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.out, "out", "chatmigrate-out", "`DIR` for the reports")
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newFlagSet returns an empty flag set for command name that reports to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("chatmigrate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseArgs parses flags and positional directories in any order, so that
// "chatmigrate run samples/ --sim" works. Each positional argument is an input directory.
func parseArgs(fs *flag.FlagSet, args []string, o *inputOptions) error {
	for {
		if err := parseFlags(fs, args); err != nil {
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

// readSecret returns the secret key from --secret-key-file or TIM_SECRET_KEY. Never a flag
// value: flags show in ps and shell history.
func readSecret(o *connOptions, e env) (string, error) {
	key, _, err := readCredential(o.secretKeyFile, "--secret-key-file", "TIM_SECRET_KEY", "secret key", e)
	return key, err
}

// readUserSig returns a precomputed UserSig from --usersig-file or TIM_USERSIG, for operators
// who may not hold the secret key, and where it came from. Like the key, never a flag value.
func readUserSig(o *connOptions, e env) (sig, source string, err error) {
	return readCredential(o.userSigFile, "--usersig-file", "TIM_USERSIG", "UserSig", e)
}

// readCredential reads a credential from file when one is given (by flag), else from the
// environment variable name, and says which it was. The error names the file, never its
// content; a file given but empty is an error of its own, not a credential left unset.
func readCredential(file, flag, name, what string, e env) (value, source string, err error) {
	if file == "" {
		return e.getenv(name), name, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", "", fmt.Errorf("read %s file: %w", what, err)
	}
	value = strings.TrimSpace(string(b))
	if value == "" {
		return "", "", fmt.Errorf("%s %s is empty: it should hold the %s", flag, file, what)
	}
	return value, file, nil
}
