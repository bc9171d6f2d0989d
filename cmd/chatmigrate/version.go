package main

import (
	"fmt"
	"runtime/debug"
)

// versionLine is what --version prints: the program, its module version and the VCS
// revision it was built from, as the build recorded them. A build from a work tree
// (go run, go build) has the version "(devel)"; one without VCS stamping has the revision
// "unknown".
func versionLine(prog string, bi *debug.BuildInfo, ok bool) string {
	version, revision, modified := "(devel)", "unknown", false
	if ok && bi != nil {
		if v := bi.Main.Version; v != "" {
			version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		revision += " (modified)"
	}
	return fmt.Sprintf("%s %s, revision %s", prog, version, revision)
}

// printVersion prints versionLine of this binary's build.
func printVersion(e env) {
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, versionLine("chatmigrate", bi, ok))
}
