// Command chatsim serves the emulator of Tencent Cloud Chat's REST API (package
// migrate/chatapi/chatsim) on a local address, for rehearsals, demos and benchmarks:
//
//	chatsim -listen 127.0.0.1:8080 -sdkappid 1400000001 [-key KEY] [-world FILE] [fault flags]
//	chatsim --version
//
// The secret key is taken from -key or, better (a flag value is visible to every user of the
// machine in the process list), from the environment variable CHATSIM_KEY; -key wins when
// both are set. Once listening, chatsim prints "chatsim listening on http://ADDR" on stdout,
// which tells scripts the port when -listen ends in :0. GET /_sim/state shows what was
// written and GET /_sim/metrics the request counters. SIGINT or SIGTERM shuts it down.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/chatmigrate/chatmigrate/cmd/internal/buildinfo"
)

func main() {
	if wantsVersion(os.Args[1:]) {
		fmt.Println(buildinfo.Of("chatsim"))
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// wantsVersion reports whether args ask for the version, which wins over everything else
// on the command line.
func wantsVersion(args []string) bool {
	return slices.Contains(args, "--version") || slices.Contains(args, "-version")
}
