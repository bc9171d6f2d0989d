package main

import (
	"fmt"

	"github.com/chatmigrate/chatmigrate/cmd/internal/buildinfo"
)

// printVersion prints the version line of this binary's build.
func printVersion(e env) {
	fmt.Fprintln(e.stdout, buildinfo.Of("chatmigrate"))
}
