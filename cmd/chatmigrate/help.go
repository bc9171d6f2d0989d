package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// setHelp makes fs's -h print the command's usage line, the one sentence that says what it
// does, more (when not "") and its flags, to fs's output: stderr for -h, stdout for
// 'chatmigrate help COMMAND'.
func setHelp(fs *flag.FlagSet, usageLine, sentence, more string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n\n%s\n", usageLine, sentence)
		if more != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(more, "\n"))
		}
		fmt.Fprintf(w, "\nflags:\n")
		fs.PrintDefaults()
	}
}

// parseFlags is fs.Parse, but for what it prints. The flag package answers a bad flag with
// its error and then the whole help, and the command prints the error once more; here the
// help is printed only when asked for (-h), and the error, printed once by run, ends with
// an example of the flag given right.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		io.Copy(out, &buf) //nolint:errcheck // help on a closed stream is lost either way
		return err
	}
	return &flagError{err: err, advice: flagAdvice(fs, err)}
}

// flagError is a flag the flag package refused, with advice after its message.
type flagError struct {
	err    error
	advice string
}

func (e *flagError) Error() string { return e.err.Error() + "\n" + e.advice }
func (e *flagError) Unwrap() error { return e.err }

// flagExample is a good value of the flags whose mistakes are likely, for flagAdvice; ""
// for the others, which are shown with their default.
func flagExample(name string) string {
	switch name {
	case "endpoint":
		return "http://127.0.0.1:18765"
	case "region":
		return "singapore"
	case "sdkappid":
		return "1400000001"
	case "timeout":
		return "5s"
	case "rps":
		return "100"
	case "concurrency":
		return "32"
	case "outage-after":
		return "60s"
	case "sample":
		return "0.1"
	case "sim-latency":
		return "20ms-50ms"
	case "topics":
		return "topics.csv"
	case "friend-groups":
		return "friend_groups.csv"
	case "contact-groups":
		return "contact_groups.csv"
	case "checkpoint":
		return "chatmigrate-out/checkpoint.journal"
	}
	return ""
}

// flagNameRe finds the flag in the flag package's messages: "invalid value "x" for flag
// -timeout: ...", "flag needs an argument: -rps", "flag provided but not defined: -x",
// "invalid boolean value "x" for -force: ...".
var flagNameRe = regexp.MustCompile(`(?:flag|argument:|defined:|for) -([\w-]+)`)

// flagAdvice returns the advice for the flag err names: an example of it given right, and
// where the command's flags are listed.
func flagAdvice(fs *flag.FlagSet, err error) string {
	see := fmt.Sprintf("see 'chatmigrate help %s' for its flags", strings.TrimPrefix(fs.Name(), "chatmigrate "))
	m := flagNameRe.FindAllStringSubmatch(err.Error(), -1)
	if m == nil {
		return see
	}
	f := fs.Lookup(m[len(m)-1][1])
	if f == nil {
		return see
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return fmt.Sprintf("--%s is a switch: give it alone (--%s) or as --%s=false; %s", f.Name, f.Name, f.Name, see)
	}
	example := flagExample(f.Name)
	if example == "" {
		example = f.DefValue
	}
	if example == "" {
		return see
	}
	return fmt.Sprintf("for example: --%s %s; %s", f.Name, example, see)
}
