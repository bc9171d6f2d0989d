// Command chatmigrate moves a chat product's legacy topics, friend groups and conversation
// groups into Tencent Cloud Chat through its server REST API.
//
//	chatmigrate validate [INPUTS] [flags]   # read, validate, plan; sends nothing
//	chatmigrate run      [INPUTS] [flags]   # migrate; resumable with the same --checkpoint
//	chatmigrate verify   [INPUTS] [flags]   # read back from the API and compare with the input
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of CONTRACT.md.
const (
	exitOK          = 0
	exitFatal       = 1
	exitUsage       = 2
	exitPartial     = 3
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is what a command takes from the process: its output streams and its environment.
// Tests build their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

const usage = `usage: chatmigrate COMMAND [INPUTS] [flags]

commands:
  validate   read, validate and plan every input; sends nothing
  run        migrate the inputs; resumable with the same --checkpoint
  verify     read the target back and compare it with the input
  gen        write a large synthetic legacy export (for rehearsals and benchmarks)

INPUTS: a directory (files taken by name: topics.*, friend_groups.*, contact_groups.*)
or --topics FILE, --friend-groups FILE, --contact-groups FILE (each repeatable).
Run 'chatmigrate COMMAND -h' for the flags of a command.
`

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "validate":
		return cmdValidate(ctx, args[1:], e)
	case "run":
		return cmdRun(ctx, args[1:], e)
	case "verify":
		return cmdVerify(ctx, args[1:], e)
	case "gen":
		return cmdGen(ctx, args[1:], e)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "chatmigrate: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}
