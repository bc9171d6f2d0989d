// Package buildinfo says which build of a command is running, for its --version.
package buildinfo

import (
	"fmt"
	"runtime/debug"
)

// Line is what --version prints: the program, its module version and the VCS revision it
// was built from, as the build recorded them. A build from a work tree (go run, go build)
// has the version "(devel)"; one without VCS stamping has the revision "unknown".
func Line(prog string, bi *debug.BuildInfo, ok bool) string {
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

// Of returns Line for the running binary's own build.
func Of(prog string) string {
	bi, ok := debug.ReadBuildInfo()
	return Line(prog, bi, ok)
}
