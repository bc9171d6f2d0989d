// Command chatsim serves the emulator of Tencent Cloud Chat's REST API (package
// migrate/chatapi/chatsim) on a local address, for rehearsals, demos and benchmarks:
//
//	chatsim -listen 127.0.0.1:8080 -sdkappid 1400000001 [-key KEY] [-world FILE] [fault flags]
//
// The secret key is taken from -key or, better (a flag value is visible to every user of the
// machine in the process list), from the environment variable CHATSIM_KEY; -key wins when
// both are set. Once listening, chatsim prints "chatsim listening on http://ADDR" on stdout,
// which tells scripts the port when -listen ends in :0. GET /_sim/state shows what was
// written and GET /_sim/metrics the request counters. SIGINT or SIGTERM shuts it down.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
