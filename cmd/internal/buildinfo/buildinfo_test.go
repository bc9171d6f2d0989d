package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	stamped := func(modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: modified}}}
	}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"stamped", stamped("false"), true, "prog v1.2.3, revision 0123abcd"},
		{"stamped, modified", stamped("true"), true, "prog v1.2.3, revision 0123abcd (modified)"},
		{"work tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "prog (devel), revision unknown"},
		{"empty version", &debug.BuildInfo{}, true, "prog (devel), revision unknown"},
		{"no build info", nil, false, "prog (devel), revision unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line("prog", tt.bi, tt.ok); got != tt.want {
				t.Errorf("Line = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Of("prog"); !strings.HasPrefix(got, "prog ") || !strings.Contains(got, ", revision ") {
		t.Errorf("Of = %q", got)
	}
}
