package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

func TestFatalHints(t *testing.T) {
	const (
		key    = "The UserSig was refused: the secret key does not belong to this SDKAppID. Check TIM_SECRET_KEY (or --secret-key-file) against the console."
		region = "The SDKAppID or its key is unknown at this endpoint: the app most likely lives in another region. Check --region (or --endpoint)."
		admin  = "The identifier is not an App admin of this app. Check --identifier (or TIM_IDENTIFIER; default administrator)."
		app    = "The SDKAppID is wrong or does not match the key. Check --sdkappid (or TIM_SDKAPPID)."
		sigID  = "The UserSig was signed for another identifier than the one the requests name. Check --identifier (or TIM_IDENTIFIER; default administrator)."
		sigApp = "The UserSig was signed for another SDKAppID than the one the requests name. Check --sdkappid (or TIM_SDKAPPID)."
		noApp  = "The server received no SDKAppID with the requests. Check --sdkappid (or TIM_SDKAPPID)."
		wrongR = "This endpoint is not the app's region: it answers 60026 (wrong region) to every request. Check --region (or --endpoint)."
		res    = "The server refused the requests' resource: the endpoint's address is wrong. Check --endpoint (or --region)."
		trial  = "The app's Trial Edition has used up its 24-hour quota. Wait until the quota renews, or upgrade the app's edition in the Chat console."
		reqOff = "The service has disabled these requests for this app (60017). Check the app in the Chat console, or ask the vendor why."
		conf   = "The app's configuration refused every request (60025; the vendor's list says no more). Check the app in the Chat console."
		sigChk = "The server's signature check refused the request again and again (10008). Check the secret key (TIM_SECRET_KEY or --secret-key-file) and --sdkappid."
		badSig = "Too many bad signatures: the server refuses this app for about 60 s. Fix the key (TIM_SECRET_KEY) and wait a minute."
		off    = "The app is disabled or its plan has expired. Check the app in the Chat console."
		ip     = "This machine's IP address is not allowed by the app's IP allowlist. Check the console's security settings."
		cmd    = "The server does not know the request's command or signature: check --endpoint (or --region)."
		http   = "The endpoint answered with an HTTP error that every request would get: check --endpoint (or --region)."
		other  = "Every further request would fail the same way."
		resume = " Then run the same command again with the same --checkpoint: finished work is skipped."
	)
	for _, tc := range []struct {
		codes  []int
		status int
		want   string
	}{
		{[]int{chatapi.CodeSigWrongKey, chatapi.CodeSigInvalid, chatapi.CodeSigInvalid2}, 200, key},
		{[]int{chatapi.CodeKeyNotFound, chatapi.CodeAppNotFound}, 200, region},
		{[]int{chatapi.CodeNeedAdmin, chatapi.CodeNotAdmin, chatapi.CodeSNSNeedAdmin, chatapi.CodeRCNeedAdmin}, 200, admin},
		{[]int{chatapi.CodeSigWrongAdmin}, 200, sigID},
		{[]int{chatapi.CodeBadSDKAppID}, 200, app},
		{[]int{chatapi.CodeSigWrongApp}, 200, sigApp},
		{[]int{chatapi.CodeNoSDKAppID}, 200, noApp},
		{[]int{chatapi.CodeWrongRegion}, 200, wrongR},
		{[]int{chatapi.CodeBadResource}, 200, res},
		{[]int{chatapi.CodeTrialQuota}, 200, trial},
		{[]int{chatapi.CodeRequestDisabled}, 200, reqOff},
		{[]int{chatapi.CodeAppRefused}, 200, conf},
		{[]int{chatapi.CodeTooManyBadSigs}, 200, badSig},
		{[]int{chatapi.CodeAppDisabled, chatapi.CodePlanExpired}, 200, off},
		{[]int{chatapi.CodeIPNotAllowed}, 200, ip},
		{[]int{chatapi.CodeBadCommand}, 200, cmd},
		{[]int{chatapi.CodeBadSignature}, 200, sigChk},
		{[]int{0}, 404, http},
		{[]int{0}, 0, other},
		{[]int{0}, 200, other},
	} {
		for _, code := range tc.codes {
			t.Run(strconv.Itoa(code)+"/"+strconv.Itoa(tc.status), func(t *testing.T) {
				fe := &pacer.FatalError{Err: &chatapi.Error{Endpoint: "x", Code: code, HTTPStatus: tc.status, Class: chatapi.ClassFatal}}
				if got := fatalHint(fe); got != tc.want+resume {
					t.Errorf("fatalHint = %q, want %q", got, tc.want+resume)
				}
			})
		}
	}
	t.Run("outage", func(t *testing.T) {
		fe := &pacer.FatalError{Err: &chatapi.Error{Endpoint: "x", Info: "connection refused", Class: chatapi.ClassTransient},
			Outage: 16, Silence: 61400 * time.Millisecond}
		want := "The API has not answered any request for 1m1s (16 attempts in a row): the network is down, or --endpoint (or --region) is wrong. " +
			"Nothing was recorded as failed. If the network only needs longer to come back, raise --outage-after (e.g. --outage-after 5m)." + resume
		if got := fatalHint(fe); got != want {
			t.Errorf("fatalHint = %q, want %q", got, want)
		}
		if got := fatalHintFor(fe, "TIM_USERSIG"); got != want {
			t.Errorf("fatalHintFor an outage = %q, want %q", got, want)
		}
	})
	t.Run("precomputed UserSig", func(t *testing.T) {
		sig := "The UserSig from /run/sig.txt was refused: it is damaged, expired, or made with a key, SDKAppID or " +
			"identifier other than this run's. Make a new one for this SDKAppID and --identifier (or give the secret key: " +
			"TIM_SECRET_KEY or --secret-key-file)." + resume
		for _, tc := range []struct {
			code int
			want string
		}{
			{chatapi.CodeSigWrongKey, sig}, {chatapi.CodeSigInvalid, sig}, {chatapi.CodeSigWrongApp, sig}, {chatapi.CodeSigWrongAdmin, sig},
			{chatapi.CodeKeyNotFound, region + resume}, {chatapi.CodeIPNotAllowed, ip + resume},
		} {
			fe := &pacer.FatalError{Err: &chatapi.Error{Endpoint: "x", Code: tc.code, HTTPStatus: 200, Class: chatapi.ClassFatal}}
			if got := fatalHintFor(fe, "/run/sig.txt"); got != tc.want {
				t.Errorf("%d: fatalHintFor = %q, want %q", tc.code, got, tc.want)
			}
			if got := fatalHintFor(fe, ""); got != fatalHint(fe) {
				t.Errorf("%d: fatalHintFor with the key = %q, want fatalHint's %q", tc.code, got, fatalHint(fe))
			}
		}
	})
}

// TestHintsByNumber: each fatal code of docs/vendor-api.md, "UserSig and auth codes" and
// "Error classes", by the vendor's number, names the setting to fix. 70009, 70013 and 70014
// were once permuted, so that a wrong key blamed the identifier.
func TestHintsByNumber(t *testing.T) {
	for _, tc := range []struct {
		code int
		want []string
		not  []string
	}{
		{70009, []string{"secret key", "TIM_SECRET_KEY", "--secret-key-file"}, []string{"--identifier", "--sdkappid"}},
		{70013, []string{"--identifier"}, []string{"secret key", "--sdkappid"}},
		{70014, []string{"--sdkappid"}, []string{"secret key", "--identifier"}},
		{60026, []string{"--region", "wrong region"}, nil},
		{70016, []string{"--region"}, nil},
		{70020, []string{"--region"}, nil},
		{60028, []string{"Trial Edition", "24-hour quota"}, nil},
		{60009, []string{"--endpoint"}, nil},
		{60012, []string{"--sdkappid"}, nil},
		{60017, []string{"disabled"}, nil},
		{60025, []string{"configuration refused every request"}, nil},
		{70403, []string{"--identifier", "App admin"}, nil},
		{10008, []string{"signature check", "TIM_SECRET_KEY"}, nil},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			if c := chatapi.ClassOf(tc.code); c != chatapi.ClassFatal && c != chatapi.ClassRetryThenFatal {
				t.Fatalf("%d is of class %s: it would not stop the run", tc.code, c)
			}
			got := fatalHint(&pacer.FatalError{Err: &chatapi.Error{Endpoint: "x", Code: tc.code, HTTPStatus: 200, Class: chatapi.ClassOf(tc.code)}})
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("hint %q does not name %q", got, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("hint %q names %q: the wrong setting", got, w)
				}
			}
		})
	}
}

// TestCheckpointHints: a checkpoint error reads as before the advice moved here.
func TestCheckpointHints(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"older format", &checkpoint.VersionError{Path: "ck", Got: 1, Want: 2},
			"checkpoint ck was written by an earlier version of this tool (format 1, which named requests by their position in the input; this build reads format 2): " +
				"finish that migration with the version that wrote it, or move the file aside and run again with a new --checkpoint " +
				"(what the target already holds is found there and not sent twice)"},
		{"corrupt", &checkpoint.CorruptError{Path: "ck", Offset: 120, Reason: "bad CRC"},
			"checkpoint ck: damaged entry at byte offset 120 (bad CRC) followed by intact entries; not repairing automatically: " +
				"move the file aside and use a new --checkpoint, or cut it at that offset if losing the entries after it is acceptable"},
		{"wrapped corrupt", fmt.Errorf("replay: %w", &checkpoint.CorruptError{Path: "ck", Offset: 7, Reason: "incomplete line"}),
			"replay: checkpoint ck: damaged entry at byte offset 7 (incomplete line) followed by intact entries; not repairing automatically: " +
				"move the file aside and use a new --checkpoint, or cut it at that offset if losing the entries after it is acceptable"},
		{"other", os.ErrPermission, os.ErrPermission.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := withHint(tc.err)
			if got := err.Error(); got != tc.want {
				t.Errorf("withHint = %q, want %q", got, tc.want)
			}
			if !errors.Is(err, tc.err) || exitCode(err) != exitCode(tc.err) {
				t.Errorf("withHint(%v) no longer matches the error it explains", tc.err)
			}
		})
	}
}

// TestLibrariesNameNoFlags: the library packages never name a flag of chatmigrate or chatsim,
// nor an environment variable, not even in comments: advice that does belongs here.
func TestLibrariesNameNoFlags(t *testing.T) {
	flags := declaredFlags(t, ".", "../chatsim")
	for _, must := range []string{"rps", "checkpoint", "force", "endpoint", "region", "retry-failed", "listen"} {
		if !flags[must] {
			t.Fatalf("flag %q not found among the declared %v: the collector misses declarations", must, flags)
		}
	}
	// The checker itself finds what it is for.
	dir := t.TempDir()
	for name, text := range map[string]string{
		"lib.go":               "package lib\n\n// Set TIM_SECRET_KEY, or pass --rps.\n// A --no-such-flag is fine.\n",
		"lib_test.go":          "package lib\n\n// --rps in a test is fine.\n",
		"testdata/gen/main.go": "package main\n\n// --rps in testdata is fine.\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := flagMentions(t, dir, flags); len(got) != 2 {
		t.Fatalf("the checker found %q in a file naming TIM_SECRET_KEY and --rps, want those two", got)
	}

	for _, root := range []string{"../../migrate", "../../sources", "../../checkpoint"} {
		for _, m := range flagMentions(t, root, flags) {
			t.Error(m)
		}
	}
}

var (
	envName  = regexp.MustCompile(`\b(TIM|CHATSIM)_[A-Z0-9_]*`)
	flagName = regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
)

// flagMentions returns where the non-test Go files under root (testdata aside) name an
// environment variable or a flag of flags.
func flagMentions(t *testing.T, root string, flags map[string]bool) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := envName.FindString(line); m != "" {
				found = append(found, fmt.Sprintf("%s:%d names the environment variable %s", path, i+1, m))
			}
			for _, m := range flagName.FindAllStringSubmatch(line, -1) {
				if flags[m[1]] {
					found = append(found, fmt.Sprintf("%s:%d names the flag --%s", path, i+1, m[1]))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// flagDecls are the flag.FlagSet methods that declare a flag, by the index of the name among
// their arguments.
var flagDecls = map[string]int{
	"Bool": 0, "BoolFunc": 0, "Duration": 0, "Float64": 0, "Func": 0, "Int": 0, "Int64": 0,
	"String": 0, "Uint": 0, "Uint64": 0,
	"BoolVar": 1, "DurationVar": 1, "Float64Var": 1, "Int64Var": 1, "IntVar": 1, "StringVar": 1,
	"TextVar": 1, "Uint64Var": 1, "UintVar": 1, "Var": 1,
}

// declaredFlags returns the names of the flags the non-test Go files in dirs declare: every
// call of a flag-declaring method whose name argument is a string literal.
func declaredFlags(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	names := make(map[string]bool)
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				i, ok := flagDecls[sel.Sel.Name]
				if !ok || i >= len(call.Args) {
					return true
				}
				if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if name, err := strconv.Unquote(lit.Value); err == nil {
						names[name] = true
					}
				}
				return true
			})
		}
	}
	return names
}
