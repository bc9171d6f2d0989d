package chatapi

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMeaning(t *testing.T) {
	tests := []struct {
		code int
		want string // a part of the meaning
	}{
		{CodeNotFriend, "not friends yet: import the friendships first"},
		{CodeTopicIDUsed, "exists already"},
		{CodeNoTopicFeature, "topics are not enabled"},
		{CodeRCLookupFailed, "not a member of that group"},
		{CodeRCPinnedLimit, "pinned"}, // 51012 is the pinned limit, not "group exists"
		{60026, "wrong region"},
		{70009, "wrong secret key"},
		{70013, "another identifier"},
		{70014, "another SDKAppID"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Meaning(tt.code); !strings.Contains(got, tt.want) {
				t.Errorf("Meaning(%d) = %q, want it to say %q", tt.code, got, tt.want)
			}
		})
	}
	if got := Meaning(123456789); got != "" {
		t.Errorf("Meaning of an unknown code = %q, want empty", got)
	}
}

// TestMeaningCoversClasses checks that every code the classes name has a plain reading, so
// that a report never shows a code the project knows without words.
func TestMeaningCoversClasses(t *testing.T) {
	for code := range classOf {
		if code != 0 && Meaning(code) == "" {
			t.Errorf("code %d (%s) has no meaning", code, ClassOf(code))
		}
	}
	for code, m := range meanings {
		if !utf8.ValidString(m) || m == "" || strings.HasSuffix(m, ".") || len(m) > 120 {
			t.Errorf("meaning of %d is not a short phrase: %q", code, m)
		}
	}
}
